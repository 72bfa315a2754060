#include "judge/api/connection_budget.h"

namespace judge {

ConnectionBudget::Ticket& ConnectionBudget::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    Release();
    budget_ = other.budget_;
    peer_ = std::move(other.peer_);
    other.budget_ = nullptr;
  }
  return *this;
}

void ConnectionBudget::Ticket::Release() {
  if (budget_ != nullptr) budget_->Give(peer_);
  budget_ = nullptr;
}

absl::StatusOr<ConnectionBudget::Ticket> ConnectionBudget::Admit(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  if (open_ >= max_total_) return absl::ResourceExhaustedError("total");
  size_t& mine = per_peer_[peer];
  if (mine >= max_per_peer_) return absl::ResourceExhaustedError("per_peer");
  ++mine;
  ++open_;
  return Ticket(this, peer);
}

size_t ConnectionBudget::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_;
}

void ConnectionBudget::Give(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  --open_;
  auto it = per_peer_.find(peer);
  if (it != per_peer_.end() && --it->second == 0) per_peer_.erase(it);
}

}  // namespace judge
