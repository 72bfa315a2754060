// Serves Metrics::Render() over HTTP (cpp-httplib): GET anything -> the Prometheus text.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "judge/api/metrics.h"

namespace httplib {
class Server;
}

namespace judge {

// Serves Metrics::Render() over HTTP on host:port until Stop() (cpp-httplib).
class MetricsServer {
 public:
  explicit MetricsServer(const Metrics* metrics);
  ~MetricsServer();
  [[nodiscard]] absl::Status Start(const std::string& address);
  void Stop();
  int port() const { return port_; }

 private:
  static constexpr size_t kWorkers = 32;
  const Metrics* metrics_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace judge
