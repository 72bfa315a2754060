// judged's gRPC door: the server with its bounds (handshake, idle, age, keepalive, metadata),
// the acceptor that admits plaintext connections within the descriptor budget, and the
// watchdog that rebuilds the door when it stops answering its own probes (queued work lives in
// the engine and the store, untouched). Its metrics go to judge_connections*, judge_front_door*.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "judge/api/connection_budget.h"
#include "judge/api/metrics.h"
#include "judge/service/acceptor.h"

namespace judge {

struct FrontDoorOptions {
  std::string listen;
  // TLS (PEM text, empty: plaintext). With client_ca_pem, a client certificate is asked for
  // and verified when shown (mutual TLS between cluster nodes).
  std::string tls_cert_pem, tls_key_pem, client_ca_pem;
  int handshake_timeout_ms = 5000;
  int idle_timeout_s = 300;
  int max_connection_age_s = 3600;
  int max_connection_age_grace_s = 600;
  // Shared with the HTTP door: --max-connections, --max-connections-per-peer. Not owned.
  ConnectionBudget* budget = nullptr;
};

class FrontDoor {
 public:
  // Listens and starts the watchdog; `service` and `metrics` outlive the door.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<FrontDoor>> Open(FrontDoorOptions options,
                                                                       grpc::Service* service,
                                                                       Metrics* metrics);
  ~FrontDoor();
  FrontDoor(const FrontDoor&) = delete;
  FrontDoor& operator=(const FrontDoor&) = delete;

  int port() const { return port_; }
  // Stops the watchdog and the acceptor and says NOT_SERVING: no new connection from here on;
  // calls in flight go on.
  void StopAccepting();
  // Then: calls still open get until `deadline`.
  void Shutdown(std::chrono::system_clock::time_point deadline);

 private:
  FrontDoor(FrontDoorOptions options, grpc::Service* service)
      : options_(std::move(options)), service_(service) {}
  std::unique_ptr<grpc::Server> BuildServer();
  absl::StatusOr<std::unique_ptr<Acceptor>> OpenAcceptor();
  bool Probe();  // the door answers
  void Watch();  // the watchdog's loop
  void AddMetrics(Metrics* metrics);
  bool tls() const { return !options_.tls_cert_pem.empty(); }

  FrontDoorOptions options_;
  grpc::Service* service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::atomic<grpc::Server*> live_server_{nullptr};  // where the acceptor hands connections
  std::mutex mu_;                                    // acceptor_, swapped by the watchdog
  std::unique_ptr<Acceptor> acceptor_;
  std::atomic<bool> ok_{true};
  std::atomic<int64_t> restarts_{0};
  std::mutex watchdog_mu_;
  std::condition_variable watchdog_cv_;
  bool watchdog_stop_ = false;
  std::thread watchdog_;
};

}  // namespace judge
