// Prometheus text metrics: counters the engine and the front doors add to; Render() is the text
// format. judge/http/metrics_server.h serves it.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "judge/v1/judge.pb.h"

namespace judge {

class Metrics {
 public:
  static constexpr std::array<double, 11> kBuckets = {0.05, 0.1, 0.25, 0.5, 1,  2.5,
                                                      5,    10,  30,   60,  120};
  void SetQueueDepth(int64_t depth) { queue_depth_ = depth; }
  void AddSubmission(judge::v1::Verdict verdict, double latency_seconds);
  void AddSandboxFailure() { ++sandbox_failures_; }
  void AddJobTaken() { ++jobs_taken_; }  // cluster: jobs this node took from the shared queue
  void AddRejected(const std::string& reason);
  // How long a submission waited in its queue ("live" or "take_home") before a worker took it;
  // the last kWaitSamples of each give the p50 and p99.
  void AddQueueWait(const std::string& queue, double seconds);
  static constexpr size_t kWaitSamples = 1024;
  // More text appended to every Render (gauges kept elsewhere, e.g. connections).
  void AddRenderer(std::function<std::string()> renderer);
  std::string Render() const;

 private:
  std::vector<std::function<std::string()>> renderers_;
  std::atomic<int64_t> queue_depth_{0};
  std::atomic<int64_t> sandbox_failures_{0};
  std::atomic<int64_t> jobs_taken_{0};
  mutable std::mutex mu_;
  std::map<std::string, int64_t> by_verdict_;
  std::map<std::string, int64_t> rejected_;
  struct Waits {
    std::vector<double> ring;
    size_t next = 0;
  };
  std::map<std::string, Waits> waits_;
  std::array<int64_t, kBuckets.size()> buckets_{};
  int64_t latency_count_ = 0;
  double latency_sum_ = 0;
};

}  // namespace judge
