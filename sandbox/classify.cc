#include "sandbox/classify.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sandbox::internal {
namespace {

bool ExecFailed(const RunFacts& f) {
  return absl::StartsWith(f.setup_error, "execve") && f.reason == KillReason::kNone;
}

// One row of the precedence: when it applies, the status it gives and what it says.
struct Rule {
  RunStatus status;
  bool (*applies)(const RunFacts&, const Limits&, const RunResult&);
  void (*fill)(const RunFacts&, const Limits&, RunResult*);
};

constexpr Rule kPrecedence[] = {
    {RunStatus::kNonZeroExit,
     [](const RunFacts& f, const Limits&, const RunResult&) { return ExecFailed(f); },
     [](const RunFacts& f, const Limits&, RunResult* r) {
       r->exit_code = 127;
       r->signal = 0;
       r->message = f.setup_error;
     }},
    {RunStatus::kStopped,
     [](const RunFacts& f, const Limits&, const RunResult&) {
       return f.reason == KillReason::kStopped;
     },
     [](const RunFacts&, const Limits&, RunResult* r) { r->message = "stopped by its caller"; }},
    {RunStatus::kSecurityViolation,
     [](const RunFacts& f, const Limits&, const RunResult&) {
       return f.reason == KillReason::kSecurity;
     },
     [](const RunFacts& f, const Limits&, RunResult* r) {
       r->syscall = f.syscall.empty() ? "unknown" : f.syscall;
       r->message =
           f.setup_error.empty() ? absl::StrCat("blocked syscall ", r->syscall) : f.setup_error;
     }},
    {RunStatus::kSecurityViolation,
     [](const RunFacts&, const Limits&, const RunResult& r) { return r.signal == SIGSYS; },
     [](const RunFacts&, const Limits&, RunResult* r) {
       r->syscall = "non-native ABI";
       r->message = "a 32-bit (int 0x80) or x32 syscall was made";
     }},
    {RunStatus::kCpuTimeLimit,
     [](const RunFacts& f, const Limits& l, const RunResult& r) {
       return f.reason == KillReason::kCpu || (l.cpu_time_ms > 0 && f.cpu_ms > l.cpu_time_ms) ||
              r.signal == SIGXCPU;
     },
     [](const RunFacts&, const Limits& l, RunResult* r) {
       r->message = absl::StrCat("cpu time limit ", l.cpu_time_ms, " ms exceeded");
     }},
    {RunStatus::kWallTimeLimit,
     [](const RunFacts& f, const Limits&, const RunResult&) {
       return f.reason == KillReason::kWall;
     },
     [](const RunFacts&, const Limits& l, RunResult* r) {
       r->message = absl::StrCat("wall time limit ", l.wall_time_ms, " ms exceeded");
     }},
    {RunStatus::kMemoryLimit,
     [](const RunFacts& f, const Limits& l, const RunResult&) {
       return f.oom || (l.memory_bytes > 0 && f.memory_kib * 1024 > l.memory_bytes);
     },
     [](const RunFacts&, const Limits& l, RunResult* r) {
       r->message = absl::StrCat("memory limit ", l.memory_bytes / 1024, " KiB exceeded");
     }},
    {RunStatus::kOutputLimit,
     [](const RunFacts& f, const Limits&, const RunResult& r) {
       return f.reason == KillReason::kOutput || r.signal == SIGXFSZ;
     },
     [](const RunFacts& f, const Limits& l, RunResult* r) {
       r->message = f.reason == KillReason::kOutput
                        ? absl::StrCat("output limit ", l.stdout_bytes, " bytes exceeded")
                        : "file size limit exceeded";
     }},
    {RunStatus::kSignaled,
     [](const RunFacts&, const Limits&, const RunResult& r) { return r.signal != 0; },
     [](const RunFacts&, const Limits&, RunResult* r) {
       const char* name = sigabbrev_np(r->signal);
       r->message = absl::StrCat("killed by signal ", r->signal, " (", name ? name : "?", ")");
     }},
    {RunStatus::kNonZeroExit,
     [](const RunFacts&, const Limits&, const RunResult& r) { return r.exit_code != 0; },
     [](const RunFacts&, const Limits&, RunResult* r) {
       r->message = absl::StrCat("exit code ", r->exit_code);
     }},
    {RunStatus::kOk, [](const RunFacts&, const Limits&, const RunResult&) { return true; },
     [](const RunFacts&, const Limits&, RunResult*) {}},
};

}  // namespace

}  // namespace sandbox::internal

namespace sandbox {

const char* RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kOk:
      return "OK";
    case RunStatus::kNonZeroExit:
      return "NONZERO_EXIT";
    case RunStatus::kSignaled:
      return "SIGNALED";
    case RunStatus::kCpuTimeLimit:
      return "CPU_TIME_LIMIT";
    case RunStatus::kWallTimeLimit:
      return "WALL_TIME_LIMIT";
    case RunStatus::kMemoryLimit:
      return "MEMORY_LIMIT";
    case RunStatus::kOutputLimit:
      return "OUTPUT_LIMIT";
    case RunStatus::kSecurityViolation:
      return "SECURITY_VIOLATION";
    case RunStatus::kStopped:
      return "STOPPED";
  }
  return "UNKNOWN";
}

}  // namespace sandbox

namespace sandbox::internal {

absl::Status Classify(const RunFacts& facts, const Limits& limits, RunResult* result) {
  if (!ExecFailed(facts)) {
    if (!facts.setup_error.empty() && facts.reason != KillReason::kSecurity) {
      return absl::InternalError(absl::StrCat("sandbox setup failed: ", facts.setup_error));
    }
    if (!facts.got_exit && facts.reason == KillReason::kNone) {
      return absl::InternalError("the box ended without reporting how the program ended");
    }
  }
  result->syscall = facts.syscall;
  if (facts.got_exit) {
    if (WIFEXITED(facts.wait_status)) result->exit_code = WEXITSTATUS(facts.wait_status);
    if (WIFSIGNALED(facts.wait_status)) result->signal = WTERMSIG(facts.wait_status);
  } else if (facts.reason != KillReason::kNone) {
    result->signal = SIGKILL;  // we killed the box before the program's end was reported
  }
  for (const Rule& rule : kPrecedence) {
    if (rule.applies(facts, limits, *result)) {
      result->status = rule.status;
      rule.fill(facts, limits, result);
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();  // unreachable: the last rule always applies
}

}  // namespace sandbox::internal
