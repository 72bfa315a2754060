#include "judge/api/metrics.h"

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
  absl::StrAppend(&out,
                  "# HELP judge_jobs_taken_total Jobs this node took from the cluster's shared "
                  "queue.\n# TYPE judge_jobs_taken_total counter\njudge_jobs_taken_total ",
                  jobs_taken_.load(), "\n");
  for (const auto& render : renderers_) absl::StrAppend(&out, render());
  return out;
}

void Metrics::AddRenderer(std::function<std::string()> renderer) {
  std::lock_guard<std::mutex> lock(mu_);
  renderers_.push_back(std::move(renderer));
}

}  // namespace judge
