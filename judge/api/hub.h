// Fans progress events out to every watcher of a submission. A watcher that joins late first
// gets every event so far, in order, then the rest as they happen.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "judge/v1/judge.pb.h"

namespace judge {

class Listener {
 public:
  virtual ~Listener() = default;
  // Called with the hub's lock held: must only queue the event, never block or call the hub.
  virtual void OnEvent(const judge::v1::SubmissionEvent& event) = 0;
};

class Hub {
 public:
  // Records the event and delivers it to every listener. A FINISHED event ends the entry.
  void Publish(const judge::v1::SubmissionEvent& event);
  // Delivers the history so far and registers the listener. False when the submission is not
  // being judged (finished or unknown): read it from the store instead.
  bool Subscribe(const std::string& id, const std::shared_ptr<Listener>& listener);
  void Unsubscribe(const std::string& id, const Listener* listener);
  size_t active() const;
  // While a submission is being judged: its latest state and the test results so far, written
  // into `submission` (what GetSubmission shows, as the stream does). False when not active.
  bool Progress(const std::string& id, judge::v1::Submission* submission) const;

 private:
  struct Entry {
    std::vector<judge::v1::SubmissionEvent> history;
    std::vector<std::weak_ptr<Listener>> listeners;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace judge
