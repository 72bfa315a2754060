#include "judge/service/hub.h"

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

size_t Hub::active() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace judge
