#include "judge/api/event_feed.h"

namespace judge {

EventFeed::EventFeed(Hub* hub, std::string id, std::shared_ptr<Relay> relay)
    : hub_(hub), id_(std::move(id)), relay_(std::move(relay)) {}

EventFeed::EventFeed(std::string id, std::function<void()> stop)
    : id_(std::move(id)), stop_(std::move(stop)) {}

EventFeed::~EventFeed() {
  if (on_close_) on_close_();
  if (relay_ != nullptr) {
    relay_->Detach();
    hub_->Unsubscribe(id_, relay_.get());
  }
  if (stop_) stop_();
}

}  // namespace judge
