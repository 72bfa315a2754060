#include "judge/service/metrics.h"


#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace judge {

void Metrics::AddSubmission(judge::v1::Verdict verdict, double latency_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++by_verdict_[judge::v1::Verdict_Name(verdict).substr(8)];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (latency_seconds <= kBuckets[i]) ++buckets_[i];
  }
  ++latency_count_;
  latency_sum_ += latency_seconds;
}

void Metrics::AddRejected(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  ++rejected_[reason];
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  absl::StrAppend(&out, "# HELP judge_queue_depth Submissions waiting for a worker.\n",
                  "# TYPE judge_queue_depth gauge\njudge_queue_depth ", queue_depth_.load(), "\n");
  absl::StrAppend(&out, "# HELP judge_submissions_total Judged submissions by verdict.\n",
                  "# TYPE judge_submissions_total counter\n");
  for (const auto& [verdict, n] : by_verdict_) {
    absl::StrAppend(&out, "judge_submissions_total{verdict=\"", verdict, "\"} ", n, "\n");
  }
  absl::StrAppend(&out, "# HELP judge_rejected_total Requests refused before judging.\n",
                  "# TYPE judge_rejected_total counter\n");
  for (const auto& [reason, n] : rejected_) {
    absl::StrAppend(&out, "judge_rejected_total{reason=\"", reason, "\"} ", n, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP judge_latency_seconds From Submit to final verdict.\n"
                  "# TYPE judge_latency_seconds histogram\n");
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    absl::StrAppend(&out, "judge_latency_seconds_bucket{le=\"", kBuckets[i], "\"} ", buckets_[i],
                    "\n");
  }
  absl::StrAppend(&out, "judge_latency_seconds_bucket{le=\"+Inf\"} ", latency_count_, "\n",
                  "judge_latency_seconds_sum ", absl::StrFormat("%.6f", latency_sum_), "\n",
                  "judge_latency_seconds_count ", latency_count_, "\n");
  absl::StrAppend(&out, "# HELP judge_sandbox_failures_total Internal errors of the sandbox.\n",
                  "# TYPE judge_sandbox_failures_total counter\njudge_sandbox_failures_total ",
                  sandbox_failures_.load(), "\n");
  for (const auto& render : renderers_) absl::StrAppend(&out, render());
  return out;
}

void Metrics::AddRenderer(std::function<std::string()> renderer) {
  std::lock_guard<std::mutex> lock(mu_);
  renderers_.push_back(std::move(renderer));
}

absl::Status MetricsServer::Start(const std::string& address) {
  size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError("--metrics-listen takes HOST:PORT, got " + address);
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  server_ = std::make_unique<httplib::Server>();
  // Many scrapers, slow or idle clients: a pool of workers, and a connection that sends nothing
  // holds one for at most a second.
  server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  server_->set_keep_alive_timeout(1);
  server_->set_keep_alive_max_count(100);
  server_->set_read_timeout(1, 0);
  server_->set_write_timeout(2, 0);
  server_->set_payload_max_length(64 << 10);
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
  port_ = port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ < 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("metrics listener ", address, ": ", strerror(errno)));
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
