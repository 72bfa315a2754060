// Exponential backoff, written once: the engine's retries of a grading the host broke, its
// rejudging of INTERNAL_ERRORs, and the webhook sender's retries all wait this way.
#pragma once

#include <algorithm>
#include <chrono>

namespace judge {

// The wait before retry number `attempt` (0 for the first retry): `first` times `factor` to
// the `attempt`, at most `cap`.
inline std::chrono::milliseconds Backoff(std::chrono::milliseconds first, int factor, int attempt,
                                         std::chrono::milliseconds cap) {
  double wait = static_cast<double>(first.count());
  for (int i = 0; i < attempt && wait < static_cast<double>(cap.count()); ++i) wait *= factor;
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::min(wait, static_cast<double>(cap.count()))));
}

}  // namespace judge
