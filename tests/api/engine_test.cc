// The engine with a real grader (root: it runs a sandbox) on the one-test echo challenge:
// queue limits, events in order, what a restart judges, live runs ahead of take-home work.
#include "judge/api/engine.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "judge/api/hub.h"
#include "judge/api/metrics.h"
#include "tests/core/test_judge.h"

namespace judge {
namespace {

using judge::v1::Submission;
using judge::v1::SubmissionEvent;
constexpr char kEcho[] = "import sys\nsys.stdout.write(sys.stdin.read())\n";
constexpr char kBusy[] = "while True: pass\n";  // burns its CPU limit (1.5 s)

// Records one submission's events and when it finished, in a shared order.
class Watcher : public Listener {
 public:
  explicit Watcher(std::atomic<int>* order) : order_(order) {}
  void OnEvent(const SubmissionEvent& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
    if (e.state() == judge::v1::SUBMISSION_STATE_FINISHED) finished_as_ = ++*order_;
    cv_.notify_all();
  }
  // True once a worker has taken it (compiling or running), false after `timeout`.
  bool WaitTaken(std::chrono::seconds timeout = std::chrono::seconds(60)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      for (const auto& e : events_) {
        if (e.state() != judge::v1::SUBMISSION_STATE_QUEUED) return true;
      }
      return false;
    });
  }
  // The final event, or nullopt after `timeout`.
  std::optional<SubmissionEvent> WaitFinished(
      std::chrono::seconds timeout = std::chrono::seconds(120)) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return finished_as_ > 0; })) return std::nullopt;
    return events_.back();
  }
  std::vector<SubmissionEvent> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  int finished_as() {
    std::lock_guard<std::mutex> lock(mu_);
    return finished_as_;
  }

 private:
  std::atomic<int>* order_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<SubmissionEvent> events_;
  int finished_as_ = 0;
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    judge_ = judge_test::MakeTestJudge("engine-test", 16);
    ASSERT_NE(judge_, nullptr);
    auto loaded = LoadChallenges(ECHO_CHALLENGES);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    for (const auto& ch : *loaded) challenges_.Put(ch);
    auto store = Store::Open(judge_->dir + "/db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override {
    engine_.reset();
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
    }
  }
  void MakeEngine(EngineOptions options) {
    engine_ = std::make_unique<Engine>(store_.get(), judge_->grader.get(), &challenges_, &hub_,
                                       &metrics_, options);
  }
  // A stored QUEUED submission (not pushed).
  Submission Stored(const std::string& source,
                    judge::v1::SubmissionMode mode = judge::v1::SUBMISSION_MODE_TAKE_HOME) {
    Submission s;
    s.set_id(store_->NewId());
    s.set_candidate_id("c");
    s.set_challenge_id("echo");
    s.set_language("python3");
    s.set_source(source);
    s.set_mode(mode);
    s.set_state(judge::v1::SUBMISSION_STATE_QUEUED);
    s.set_max_score(1);
    *s.mutable_created_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
    auto created = store_->Create(s, "");
    EXPECT_TRUE(created.ok()) << created.status();
    return s;
  }
  // Stores, reserves, pushes and watches a submission.
  std::shared_ptr<Watcher> Submit(
      const std::string& source,
      judge::v1::SubmissionMode mode = judge::v1::SUBMISSION_MODE_TAKE_HOME) {
    Submission s = Stored(source, mode);
    EXPECT_TRUE(engine_->Reserve(mode).ok());
    EXPECT_TRUE(engine_->Push(s, true).ok());
    auto w = std::make_shared<Watcher>(&order_);
    EXPECT_TRUE(hub_.Subscribe(s.id(), w));  // the hub replays what was missed
    watchers_.push_back(w);
    ids_[w.get()] = s.id();
    return w;
  }

  std::unique_ptr<judge_test::TestJudge> judge_;
  Catalog challenges_;
  std::unique_ptr<Store> store_;
  Hub hub_;
  Metrics metrics_;
  std::unique_ptr<Engine> engine_;
  std::atomic<int> order_{0};
  std::vector<std::shared_ptr<Watcher>> watchers_;
  std::map<Watcher*, std::string> ids_;
};

TEST_F(EngineTest, TheTwoQueuesHaveTheirOwnLimits) {
  EngineOptions o;
  o.queue_limit = 2;
  o.live_queue_limit = 1;
  MakeEngine(o);  // not started: nothing is taken off the queues
  EXPECT_TRUE(engine_->Reserve(judge::v1::SUBMISSION_MODE_TAKE_HOME).ok());
  EXPECT_TRUE(engine_->Reserve(judge::v1::SUBMISSION_MODE_TAKE_HOME).ok());
  absl::Status full = engine_->Reserve(judge::v1::SUBMISSION_MODE_TAKE_HOME);
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(full.message().find("2"), std::string::npos) << full;
  // A full take-home queue never refuses an interviewer.
  EXPECT_TRUE(engine_->Reserve(judge::v1::SUBMISSION_MODE_LIVE).ok());
  EXPECT_EQ(engine_->Reserve(judge::v1::SUBMISSION_MODE_LIVE).code(),
            absl::StatusCode::kResourceExhausted);
  engine_->Release(judge::v1::SUBMISSION_MODE_TAKE_HOME);
  EXPECT_TRUE(engine_->Reserve(judge::v1::SUBMISSION_MODE_TAKE_HOME).ok());
  engine_->Stop();
  EXPECT_EQ(engine_->Reserve(judge::v1::SUBMISSION_MODE_LIVE).code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(EngineTest, ASubmissionIsJudgedStoredAndItsEventsComeInOrder) {
  EngineOptions o;
  o.workers = 1;
  o.live_workers = 0;
  MakeEngine(o);
  ASSERT_TRUE(engine_->Start().ok());
  std::shared_ptr<Watcher> w = Submit(kEcho);
  std::optional<SubmissionEvent> last = w->WaitFinished();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->submission().verdict(), judge::v1::VERDICT_ACCEPTED);
  std::vector<int> states;
  for (const SubmissionEvent& e : w->events()) states.push_back(e.state());
  EXPECT_EQ(states.front(), judge::v1::SUBMISSION_STATE_QUEUED);
  EXPECT_TRUE(std::is_sorted(states.begin(), states.end()));
  absl::StatusOr<Submission> stored = store_->Get(ids_[w.get()]);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->state(), judge::v1::SUBMISSION_STATE_FINISHED);
  EXPECT_EQ(stored->verdict(), judge::v1::VERDICT_ACCEPTED);
  EXPECT_EQ(stored->score(), 1u);
  EXPECT_TRUE(store_->Pending()->empty());
}

TEST_F(EngineTest, StartJudgesWhatTheStoreLeftPending) {
  Submission left = Stored(kEcho);  // as a crash would leave it: stored, never judged
  EngineOptions o;
  o.workers = 1;
  o.live_workers = 0;
  MakeEngine(o);
  auto w = std::make_shared<Watcher>(&order_);
  ASSERT_TRUE(engine_->Start().ok());
  // Start queued it (QUEUED published), so the hub has it unless it already finished.
  if (hub_.Subscribe(left.id(), w)) {
    ASSERT_TRUE(w->WaitFinished().has_value());
  }
  engine_->Stop();
  absl::StatusOr<Submission> stored = store_->Get(left.id());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->state(), judge::v1::SUBMISSION_STATE_FINISHED);
  EXPECT_EQ(stored->verdict(), judge::v1::VERDICT_ACCEPTED);
}

TEST_F(EngineTest, ALiveRunGoesAheadOfQueuedTakeHomeWork) {
  EngineOptions o;
  o.workers = 1;
  o.live_workers = 0;  // one worker for everything: the order is the queue's alone
  o.take_home_wait_bound = std::chrono::hours(1);  // the take-home work is never overdue here
  MakeEngine(o);
  ASSERT_TRUE(engine_->Start().ok());
  std::shared_ptr<Watcher> busy = Submit(kBusy);  // holds the worker for ~1.5 s
  std::shared_ptr<Watcher> b = Submit(kEcho);
  std::shared_ptr<Watcher> c = Submit(kEcho);
  std::shared_ptr<Watcher> live = Submit(kEcho, judge::v1::SUBMISSION_MODE_LIVE);
  for (auto& w : {busy, b, c, live}) ASSERT_TRUE(w->WaitFinished().has_value());
  EXPECT_LT(live->finished_as(), b->finished_as());
  EXPECT_LT(live->finished_as(), c->finished_as());
  EXPECT_LT(b->finished_as(), c->finished_as());  // take-home in order
  EXPECT_EQ(busy->WaitFinished()->submission().verdict(), judge::v1::VERDICT_TIME_LIMIT_EXCEEDED);
}

TEST_F(EngineTest, TakeHomeWorkOverItsWaitBoundGoesBeforeLiveRuns) {
  EngineOptions o;
  o.workers = 1;
  o.live_workers = 0;
  o.take_home_wait_bound = std::chrono::milliseconds(200);
  MakeEngine(o);
  ASSERT_TRUE(engine_->Start().ok());
  std::shared_ptr<Watcher> busy = Submit(kBusy);  // holds the worker for over a second
  ASSERT_TRUE(busy->WaitTaken());
  std::shared_ptr<Watcher> b = Submit(kEcho);
  std::shared_ptr<Watcher> c = Submit(kEcho);
  std::shared_ptr<Watcher> live = Submit(kEcho, judge::v1::SUBMISSION_MODE_LIVE);
  for (auto& w : {busy, b, c, live}) ASSERT_TRUE(w->WaitFinished().has_value());
  // b and c waited past the bound behind the busy program: both go before the live run.
  EXPECT_LT(b->finished_as(), live->finished_as());
  EXPECT_LT(c->finished_as(), live->finished_as());
}

TEST_F(EngineTest, OneKeyHoldsAtMostItsShareOfLiveRuns) {
  EngineOptions o;
  o.live_runs_per_key = 2;
  MakeEngine(o);
  const auto live = judge::v1::SUBMISSION_MODE_LIVE;
  ASSERT_TRUE(engine_->Reserve(live, "interviewer-1").ok());
  ASSERT_TRUE(engine_->Reserve(live, "interviewer-1").ok());
  absl::Status third = engine_->Reserve(live, "interviewer-1");
  EXPECT_TRUE(absl::IsResourceExhausted(third)) << third;
  EXPECT_NE(third.message().find("this key already has 2 runs"), std::string::npos) << third;
  EXPECT_TRUE(engine_->Reserve(live, "interviewer-2").ok());  // another key has its own share
  engine_->Release(live, "interviewer-1");
  EXPECT_TRUE(engine_->Reserve(live, "interviewer-1").ok());
  // Take-home work is not counted.
  EXPECT_TRUE(engine_->Reserve(judge::v1::SUBMISSION_MODE_TAKE_HOME, "interviewer-1").ok());
}

}  // namespace
}  // namespace judge
