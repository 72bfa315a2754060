// How a run ended, decided from what was observed: a pure function of data, testable without a
// box (tests/sandbox/classify_test.cc). The precedence when several apply is one table,
// kPrecedence in classify.cc, read top to bottom:
//   the program could not be started (exec failed)      NONZERO_EXIT, exit code 127
//   stopped on its caller's word (RunSpec::stop)        STOPPED
//   a blocked syscall                                   SECURITY_VIOLATION
//   SIGSYS (a 32-bit or x32 syscall)                    SECURITY_VIOLATION
//   over its CPU time (polled, at exit, or SIGXCPU)     CPU_TIME_LIMIT
//   over its wall time                                  WALL_TIME_LIMIT
//   killed by the memory cgroup, or its own peak over   MEMORY_LIMIT
//     the limit (the figure the result shows)
//   over its output cap, or SIGXFSZ                     OUTPUT_LIMIT
//   another signal                                      SIGNALED
//   a non-zero exit code                                NONZERO_EXIT
//   otherwise                                           OK
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "sandbox/spec.h"

namespace sandbox::internal {

// Why the supervisor killed the box (the first reason wins).
enum class KillReason { kNone, kWall, kCpu, kOutput, kSecurity, kStopped };

struct RunFacts {
  KillReason reason = KillReason::kNone;
  bool got_exit = false;  // the box's init reported the program's wait status
  int wait_status = 0;
  std::string setup_error;  // "where: why" from the box's init, if its setup failed
  std::string syscall;      // the first blocked call's name
  bool oom = false;         // the memory cgroup killed something of the box
  uint64_t memory_kib = 0;  // the figure the result shows (RunResult::memory_kib)
  uint64_t cpu_ms = 0;
};

// Fills result's status, message, exit_code, signal and syscall. An error when the box itself
// broke (its setup failed, or it ended without a report): the sandbox's failure, not the
// program's.
[[nodiscard]] absl::Status Classify(const RunFacts& facts, const Limits& limits, RunResult* result);

}  // namespace sandbox::internal
