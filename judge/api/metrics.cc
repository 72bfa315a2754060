#include "judge/api/metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "judge/api/prometheus.h"

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

void Metrics::AddQueueWait(const std::string& queue, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  Waits& w = waits_[queue];
  if (w.ring.size() < kWaitSamples) {
    w.ring.push_back(seconds);
  } else {
    w.ring[w.next] = seconds;
  }
  w.next = (w.next + 1) % kWaitSamples;
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  PromText p;
  p.One("judge_queue_depth", "gauge", "Submissions waiting for a worker.", queue_depth_.load());
  p.Family("judge_submissions_total", "counter", "Judged submissions by verdict.");
  for (const auto& [verdict, n] : by_verdict_) {
    p.Sample("judge_submissions_total", n, "verdict", verdict);
  }
  p.Family("judge_rejected_total", "counter", "Requests refused before judging.");
  for (const auto& [reason, n] : rejected_) p.Sample("judge_rejected_total", n, "reason", reason);
  p.Family("judge_latency_seconds", "histogram", "From Submit to final verdict.");
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    p.Sample("judge_latency_seconds_bucket", buckets_[i], "le", absl::StrCat(kBuckets[i]));
  }
  p.Sample("judge_latency_seconds_bucket", latency_count_, "le", "+Inf")
      .Sample("judge_latency_seconds_sum", absl::StrFormat("%.6f", latency_sum_))
      .Sample("judge_latency_seconds_count", latency_count_);
  p.Family("judge_queue_wait_seconds", "summary",
           "Queue waits before a worker took the submission, over the last 1024 of each queue.");
  for (const auto& [queue, w] : waits_) {
    std::vector<double> sorted = w.ring;
    std::sort(sorted.begin(), sorted.end());
    for (double q : {0.5, 0.99}) {
      const size_t at = std::min(sorted.size() - 1, static_cast<size_t>(q * sorted.size()));
      p.Sample("judge_queue_wait_seconds", absl::StrFormat("%.6f", sorted[at]), "queue", queue,
               "quantile", q == 0.5 ? "0.5" : "0.99");
    }
  }
  p.One("judge_sandbox_failures_total", "counter", "Internal errors of the sandbox.",
        sandbox_failures_.load());
  p.One("judge_jobs_taken_total", "counter", "Jobs this node took from the cluster's shared queue.",
        jobs_taken_.load());
  std::string out = p.str();
  for (const auto& render : renderers_) absl::StrAppend(&out, render());
  return out;
}

void Metrics::AddRenderer(std::function<std::string()> renderer) {
  std::lock_guard<std::mutex> lock(mu_);
  renderers_.push_back(std::move(renderer));
}

}  // namespace judge
