// The connections judged holds at once, shared by its doors (the gRPC acceptor and the HTTP
// server): at most `max_total` in all (the descriptor limit less --fd-reserve, so judging and the
// store keep their descriptors whatever the network does) and `max_per_peer` per remote address.
// A connection holds a Ticket while it is open; the ticket gives its place back when destroyed.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"

namespace judge {

class ConnectionBudget {
 public:
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept { *this = std::move(other); }
    Ticket& operator=(Ticket&& other) noexcept;
    ~Ticket() { Release(); }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    bool held() const { return budget_ != nullptr; }
    const std::string& peer() const { return peer_; }
    void Release();

   private:
    friend class ConnectionBudget;
    Ticket(ConnectionBudget* budget, std::string peer) : budget_(budget), peer_(std::move(peer)) {}
    ConnectionBudget* budget_ = nullptr;
    std::string peer_;
  };

  ConnectionBudget(size_t max_total, size_t max_per_peer)
      : max_total_(max_total), max_per_peer_(max_per_peer) {}
  ConnectionBudget(const ConnectionBudget&) = delete;
  ConnectionBudget& operator=(const ConnectionBudget&) = delete;

  // A place for a connection from `peer`; when there is none, the refusal's reason: "total" or
  // "per_peer" (the metrics' label).
  [[nodiscard]] absl::StatusOr<Ticket> Admit(const std::string& peer);
  size_t open() const;
  size_t max_total() const { return max_total_; }
  size_t max_per_peer() const { return max_per_peer_; }

 private:
  void Give(const std::string& peer);

  const size_t max_total_;
  const size_t max_per_peer_;
  mutable std::mutex mu_;
  size_t open_ = 0;
  std::map<std::string, size_t> per_peer_;
};

}  // namespace judge
