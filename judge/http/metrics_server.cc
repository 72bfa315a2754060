#include "judge/http/metrics_server.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "judge/http/listen_address.h"

namespace judge {

MetricsServer::MetricsServer(const Metrics* metrics) : metrics_(metrics) {}

MetricsServer::~MetricsServer() { Stop(); }

absl::Status MetricsServer::Start(const std::string& address) {
  absl::StatusOr<ListenAddress> listen = ParseListenAddress(address, "--metrics-listen");
  if (!listen.ok()) return listen.status();
  const std::string host = listen->host;
  const int port = listen->port;
  server_ = std::make_unique<httplib::Server>();
  // Many scrapers, slow or idle clients: a pool of workers, and a connection that sends nothing
  // holds one for at most a second.
  server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  server_->set_keep_alive_timeout(1);
  server_->set_keep_alive_max_count(100);
  server_->set_read_timeout(1, 0);
  server_->set_write_timeout(2, 0);
  server_->set_payload_max_length(64 << 10);
  server_->set_tcp_nodelay(true);
  // SO_REUSEADDR (a restart binds past connections in TIME_WAIT), never httplib's default
  // SO_REUSEPORT, which would let a second judged share the port.
  server_->set_socket_options([](socket_t sock) {
    int one = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  const Metrics* metrics = metrics_;
  server_->Get(".*", [metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics->Render(), "text/plain; version=0.0.4");
  });
  port_ =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ < 0) {
    server_.reset();
    return absl::UnavailableError(
        absl::StrCat("metrics listener ", address, ": ", strerror(errno)));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void MetricsServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace judge
