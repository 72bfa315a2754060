#include "judge/service/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string host = address.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError("--metrics-listen: not an IPv4 address: " + host);
  }
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 16) != 0) {
    std::string err = strerror(errno);
    close(fd_);
    fd_ = -1;
    return absl::UnavailableError("metrics listener " + address + ": " + err);
  }
  socklen_t len = sizeof addr;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      timeval tv{1, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      char buf[2048];
      (void)!read(c, buf, sizeof buf);  // the request itself does not matter
      std::string body = metrics_->Render();
      std::string resp = absl::StrCat(
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: ",
          body.size(), "\r\nConnection: close\r\n\r\n", body);
      (void)!write(c, resp.data(), resp.size());
      close(c);
    }
  });
  return absl::OkStatus();
}

void MetricsServer::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

}  // namespace judge
