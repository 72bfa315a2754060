// The front door for plaintext connections: judged accepts TCP connections itself and hands a
// connection to gRPC only once it has sent the HTTP/2 client preface, so a flood of idle or
// half-open connections never reaches gRPC's listener (which stops accepting for good after
// EMFILE in gRPC 1.51: grpc/grpc#20418). It bounds connections in total and per peer address,
// keeps working when the process runs out of descriptors (one spare descriptor is closed to
// accept and shed the connection), and counts what it refused. No gRPC here: a callback takes
// each admitted connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "judge/api/connection_budget.h"

namespace judge {

struct AcceptorOptions {
  // Connections open at once (admitted ones and those still being checked), in total and per
  // remote address, counted with the process's other doors (the HTTP server). Not owned.
  ConnectionBudget* budget = nullptr;
  int preface_timeout_ms = 5000;  // the HTTP/2 preface must arrive within this after accept
};

struct AcceptorStats {
  size_t open = 0;      // admitted connections still open
  size_t checking = 0;  // accepted, waiting for their preface
  uint64_t admitted = 0;
  // Refused, by reason: "total", "per_peer", "no_preface" (timeout), "not_http2",
  // "descriptors" (the process was out of descriptors).
  std::map<std::string, uint64_t> refused;
};

class Acceptor {
 public:
  using HandOver = std::function<void(int fd)>;  // takes ownership of fd

  // Listens on HOST:PORT (port 0: any free port). `hand_over` runs on the acceptor's thread.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Acceptor>> Listen(const std::string& address,
                                                                        AcceptorOptions options,
                                                                        HandOver hand_over);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  int port() const { return port_; }
  AcceptorStats Stats() const;
  // True while the accept loop has turned within `within` (it wakes at least once a second).
  bool Alive(std::chrono::steady_clock::duration within) const;
  // Stops accepting and closes the connections still being checked; admitted ones are gRPC's.
  void Stop();

 private:
  struct Checking;
  Acceptor(AcceptorOptions options, HandOver hand_over);
  void Loop();
  void AcceptAll();
  void Refuse(int fd, const char* reason);
  // Admitted connections gRPC has closed since the last sweep are forgotten.
  void Sweep();

  AcceptorOptions options_;
  HandOver hand_over_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;   // eventfd: Stop
  int spare_fd_ = -1;  // closed to accept one connection when out of descriptors
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> last_turn_ns_{0};  // steady clock, when the loop last woke
  bool starved_ = false;  // out of descriptors with no spare: back off instead of spinning

  mutable std::mutex mu_;
  std::map<int, std::unique_ptr<Checking>> checking_;  // fd -> connection being checked
  struct Open {
    uint64_t inode;
    ConnectionBudget::Ticket ticket;
  };
  std::map<int, Open> open_;  // fd -> admitted connection (gRPC owns the fd)
  uint64_t admitted_ = 0;
  std::map<std::string, uint64_t> refused_;
};

// Raises the soft RLIMIT_NOFILE to the hard limit; returns {soft before, soft now}.
std::pair<uint64_t, uint64_t> RaiseDescriptorLimit();

}  // namespace judge
