// Calls per key: a token bucket per key (and purpose), refilled at the key's rate, bursting to
// ten seconds' worth (at least 3). Submit and RunLive by role, unless the key sets rate=N; a
// candidate's practice runs (RunLive with a candidate token) have a bucket of their own.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "judge/api/auth.h"
#include "judge/api/metrics.h"

namespace judge {

struct RateOptions {
  double candidate = 0.1;  // calls per second per key
  double interviewer = 1;
  double platform = 200;
  double admin = 200;
  double practice = 0.5;  // a candidate's practice runs: 30 a minute, in bursts of 10
  double practice_burst = 10;
};

class RateLimiter {
 public:
  RateLimiter(RateOptions options, Metrics* metrics) : options_(options), metrics_(metrics) {}

  // RESOURCE_EXHAUSTED with the rate and when to retry, or a token taken.
  [[nodiscard]] absl::Status Submit(const Principal& who);
  [[nodiscard]] absl::Status Practice(const Principal& who);

 private:
  absl::Status Take(const std::string& bucket, double rate, double burst, const std::string& what);

  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  RateOptions options_;
  Metrics* metrics_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace judge
