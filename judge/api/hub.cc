#include "judge/api/hub.h"

#include <algorithm>

namespace judge {

void Hub::Publish(const judge::v1::SubmissionEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = entries_[event.submission_id()];
  e.history.push_back(event);
  for (auto it = e.listeners.begin(); it != e.listeners.end();) {
    if (std::shared_ptr<Listener> l = it->lock()) {
      l->OnEvent(event);
      ++it;
    } else {
      it = e.listeners.erase(it);
    }
  }
  if (event.state() == judge::v1::SUBMISSION_STATE_FINISHED) entries_.erase(event.submission_id());
}

bool Hub::Subscribe(const std::string& id, const std::shared_ptr<Listener>& listener) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  for (const auto& event : it->second.history) listener->OnEvent(event);
  it->second.listeners.push_back(listener);
  return true;
}

void Hub::Unsubscribe(const std::string& id, const Listener* listener) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto& ls = it->second.listeners;
  ls.erase(std::remove_if(ls.begin(), ls.end(),
                          [&](const std::weak_ptr<Listener>& w) {
                            auto l = w.lock();
                            return !l || l.get() == listener;
                          }),
           ls.end());
}

bool Hub::Progress(const std::string& id, judge::v1::Submission* submission) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.history.empty()) return false;
  // A judging that started again (after a judge failure) begins with QUEUED: count from there.
  size_t from = 0;
  for (size_t i = 0; i < it->second.history.size(); ++i) {
    if (it->second.history[i].state() == judge::v1::SUBMISSION_STATE_QUEUED) from = i;
  }
  submission->clear_tests();
  for (size_t i = from; i < it->second.history.size(); ++i) {
    const judge::v1::SubmissionEvent& e = it->second.history[i];
    submission->set_state(e.state());
    if (e.has_test()) *submission->add_tests() = e.test();
  }
  return true;
}

size_t Hub::active() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace judge
