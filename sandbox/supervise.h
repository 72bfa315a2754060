// Watching a started box until it is gone: its output pipes drained (and capped), the wall-time
// deadline and the cgroup's CPU time checked, the box killed at the first limit it crosses,
// then the box's reports read (a blocked call, the program's exit, a setup error).
#pragma once

#include <chrono>
#include <cstdint>

#include "absl/status/statusor.h"
#include "sandbox/box_pool.h"
#include "sandbox/classify.h"
#include "sandbox/spec.h"
#include "sandbox/stdio.h"

namespace sandbox::internal {

struct Supervised {
  RunFacts facts;  // everything but oom and cpu_ms, which the caller reads from the cgroup
  // The init's own accounting from its exit report, for a box without cgroups.
  uint64_t exit_cpu_us = 0;
  uint64_t exit_maxrss_kib = 0;
  int64_t exit_peak_kib = -1;            // the program's own peak at exit_group; -1: unknown
  std::string stdout_data, stderr_data;  // kCapture streams
  std::chrono::steady_clock::time_point end;
};

// Returns once the box's init has exited (every process of the box with it) and been reaped.
// An error only when polling itself fails (the box is killed then).
[[nodiscard]] absl::StatusOr<Supervised> Supervise(Box& box, Stdio& io, const RunSpec& spec,
                                                   const CgroupLayout& cgroups,
                                                   std::chrono::steady_clock::time_point start);

}  // namespace sandbox::internal
