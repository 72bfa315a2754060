// A caller's feed of one submission's events (WatchSubmission, RunLive).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "judge/api/hub.h"
#include "judge/v1/judge.pb.h"

namespace judge {

// One caller's view of a submission's events: the history so far, then each new event as it
// happens, the FINISHED event last. `deliver` runs on any thread, in order, and must not block.
// Destroying the feed stops delivery (no call of `deliver` is in progress once it returns).
class EventFeed {
 public:
  using Deliver = std::function<void(judge::v1::SubmissionEvent)>;
  // A feed from another node that ended before FINISHED: why (UNAVAILABLE, naming the node).
  using Broken = std::function<void(const absl::Status&)>;
  ~EventFeed();
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;
  const std::string& submission_id() const { return id_; }

 private:
  friend class LiveRuns;
  class Relay;
  EventFeed(Hub* hub, std::string id, std::shared_ptr<Relay> relay);
  // Fed from another node; `stop` ends it.
  EventFeed(std::string id, std::function<void()> stop);
  Hub* hub_ = nullptr;
  std::function<void()> on_close_;  // a live run's: its client is gone, stop the run
  std::string id_;
  std::shared_ptr<Relay> relay_;
  std::function<void()> stop_;
};

// Sits in the hub's listener list; forwards each event, as the caller may see it, until the
// feed detaches it.
class EventFeed::Relay final : public Listener {
 public:
  Relay(EventFeed::Deliver deliver, std::function<void(judge::v1::SubmissionEvent*)> view)
      : deliver_(std::move(deliver)), view_(std::move(view)) {}
  void OnEvent(const judge::v1::SubmissionEvent& event) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!deliver_) return;
    judge::v1::SubmissionEvent copy = event;
    if (view_) view_(&copy);
    deliver_(std::move(copy));
  }
  void Detach() {
    std::lock_guard<std::mutex> lock(mu_);
    deliver_ = nullptr;
  }

 private:
  std::mutex mu_;
  EventFeed::Deliver deliver_;
  std::function<void(judge::v1::SubmissionEvent*)> view_;
};

}  // namespace judge
