#include "judge/api/rate_limiter.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace judge {

absl::Status RateLimiter::Submit(const Principal& who) {
  double rate = who.rate_per_second;
  if (rate <= 0) {
    switch (who.role) {
      case Role::kCandidate:
        rate = options_.candidate;
        break;
      case Role::kInterviewer:
        rate = options_.interviewer;
        break;
      case Role::kPlatform:
        rate = options_.platform;
        break;
      case Role::kAdmin:
        rate = options_.admin;
        break;
    }
  }
  return Take(who.key_id, rate, std::max(3.0, rate * 10), "submit");
}

absl::Status RateLimiter::Practice(const Principal& who) {
  return Take(who.key_id + std::string(1, '\0') + "practice", options_.practice,
              options_.practice_burst, "run code");
}

absl::Status RateLimiter::Take(const std::string& bucket, double rate, double burst,
                               const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  auto [it, inserted] = buckets_.try_emplace(bucket, Bucket{burst, now});
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst, b.tokens + elapsed * rate);
  b.last = now;
  if (b.tokens < 1) {
    metrics_->AddRejected("rate_limit");
    const double wait = (1 - b.tokens) / rate;
    return absl::ResourceExhaustedError(absl::StrCat(
        "rate limit: this key may ", what, " ",
        rate < 1 ? absl::StrCat(rate * 60, " times a minute")
                 : absl::StrCat(rate, " times a second"),
        " (bursts of ", static_cast<int>(burst), "); retry in ", static_cast<int>(wait + 1), " s"));
  }
  b.tokens -= 1;
  return absl::OkStatus();
}

}  // namespace judge
