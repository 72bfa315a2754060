// The event hub: late watchers get the history first, every watcher sees each event once and
// in order, FINISHED ends a submission's entry.
#include "judge/api/hub.h"

#include <memory>
#include <mutex>
#include <vector>

#include "gtest/gtest.h"

namespace judge {
namespace {

using judge::v1::SubmissionEvent;

class Recorder : public Listener {
 public:
  void OnEvent(const SubmissionEvent& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
  }
  std::vector<SubmissionEvent> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<SubmissionEvent> events_;
};

SubmissionEvent Event(const std::string& id, judge::v1::SubmissionState state, int test = 0) {
  SubmissionEvent e;
  e.set_submission_id(id);
  e.set_state(state);
  if (test > 0) {
    e.mutable_test()->set_index(test);
    e.mutable_test()->set_verdict(judge::v1::VERDICT_ACCEPTED);
    e.set_tests_total(3);
  }
  return e;
}

std::vector<int> States(const std::vector<SubmissionEvent>& events) {
  std::vector<int> out;
  for (const SubmissionEvent& e : events) out.push_back(e.state() * 10 + e.test().index());
  return out;
}

TEST(HubTest, ALateWatcherGetsTheHistoryThenLiveEvents) {
  Hub hub;
  hub.Publish(Event("s1", judge::v1::SUBMISSION_STATE_QUEUED));
  auto early = std::make_shared<Recorder>();
  ASSERT_TRUE(hub.Subscribe("s1", early));
  hub.Publish(Event("s1", judge::v1::SUBMISSION_STATE_COMPILING));
  hub.Publish(Event("s1", judge::v1::SUBMISSION_STATE_RUNNING, 1));
  auto late = std::make_shared<Recorder>();
  ASSERT_TRUE(hub.Subscribe("s1", late));
  hub.Publish(Event("s1", judge::v1::SUBMISSION_STATE_RUNNING, 2));
  hub.Publish(Event("s1", judge::v1::SUBMISSION_STATE_FINISHED));
  const std::vector<int> all = {10, 20, 31, 32, 40};
  EXPECT_EQ(States(early->events()), all);
  EXPECT_EQ(States(late->events()), all);
  EXPECT_EQ(hub.active(), 0u);  // FINISHED ended the entry
}

TEST(HubTest, NothingToWatchOnceFinishedOrUnknown) {
  Hub hub;
  auto r = std::make_shared<Recorder>();
  EXPECT_FALSE(hub.Subscribe("nobody", r));
  hub.Publish(Event("s2", judge::v1::SUBMISSION_STATE_QUEUED));
  hub.Publish(Event("s2", judge::v1::SUBMISSION_STATE_FINISHED));
  EXPECT_FALSE(hub.Subscribe("s2", r));  // read it from the store instead
  EXPECT_TRUE(r->events().empty());
}

TEST(HubTest, AnUnsubscribedOrDroppedWatcherGetsNothingMore) {
  Hub hub;
  hub.Publish(Event("s3", judge::v1::SUBMISSION_STATE_QUEUED));
  auto gone = std::make_shared<Recorder>();
  auto dropped = std::make_shared<Recorder>();
  auto stays = std::make_shared<Recorder>();
  ASSERT_TRUE(hub.Subscribe("s3", gone));
  ASSERT_TRUE(hub.Subscribe("s3", dropped));
  ASSERT_TRUE(hub.Subscribe("s3", stays));
  hub.Unsubscribe("s3", gone.get());
  std::weak_ptr<Recorder> weak = dropped;
  dropped.reset();  // the hub holds listeners weakly
  EXPECT_TRUE(weak.expired());
  hub.Publish(Event("s3", judge::v1::SUBMISSION_STATE_COMPILING));
  EXPECT_EQ(States(gone->events()), std::vector<int>{10});
  EXPECT_EQ(States(stays->events()), (std::vector<int>{10, 20}));
}

TEST(HubTest, ProgressShowsTheStateAndTheTestsSoFar) {
  Hub hub;
  judge::v1::Submission s;
  EXPECT_FALSE(hub.Progress("s4", &s));
  hub.Publish(Event("s4", judge::v1::SUBMISSION_STATE_QUEUED));
  hub.Publish(Event("s4", judge::v1::SUBMISSION_STATE_RUNNING, 1));
  hub.Publish(Event("s4", judge::v1::SUBMISSION_STATE_RUNNING, 2));
  ASSERT_TRUE(hub.Progress("s4", &s));
  EXPECT_EQ(s.state(), judge::v1::SUBMISSION_STATE_RUNNING);
  ASSERT_EQ(s.tests_size(), 2);
  EXPECT_EQ(s.tests(0).index(), 1u);
  EXPECT_EQ(s.tests(1).index(), 2u);
  EXPECT_EQ(hub.active(), 1u);
}

}  // namespace
}  // namespace judge
