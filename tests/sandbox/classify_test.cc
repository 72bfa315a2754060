// How a run ended, from what was observed: the precedence table without a box, without root.
#include "sandbox/classify.h"

#include <signal.h>
#include <sys/wait.h>

#include "gtest/gtest.h"

namespace sandbox::internal {
namespace {

int Exited(int code) { return code << 8; }      // a wait status, as WIFEXITED reads it
int Signaled(int sig) { return sig & 0x7f; }     // as WIFSIGNALED reads it

Limits TestLimits() {
  Limits l;
  l.cpu_time_ms = 1000;
  l.wall_time_ms = 3000;
  l.memory_bytes = 64 << 20;
  l.stdout_bytes = 1024;
  return l;
}

RunFacts ExitedWith(int code) {
  RunFacts f;
  f.got_exit = true;
  f.wait_status = Exited(code);
  return f;
}

RunResult Classified(const RunFacts& facts) {
  RunResult r;
  absl::Status s = Classify(facts, TestLimits(), &r);
  EXPECT_TRUE(s.ok()) << s;
  return r;
}

TEST(ClassifyTest, CleanExitIsOk) {
  RunResult r = Classified(ExitedWith(0));
  EXPECT_EQ(r.status, RunStatus::kOk);
  EXPECT_EQ(r.message, "");
}

TEST(ClassifyTest, NonZeroExitKeepsItsCode) {
  RunResult r = Classified(ExitedWith(3));
  EXPECT_EQ(r.status, RunStatus::kNonZeroExit);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.message, "exit code 3");
}

TEST(ClassifyTest, ASignalNamesItself) {
  RunFacts f;
  f.got_exit = true;
  f.wait_status = Signaled(SIGSEGV);
  RunResult r = Classified(f);
  EXPECT_EQ(r.status, RunStatus::kSignaled);
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(r.message, "killed by signal 11 (SEGV)");
}

TEST(ClassifyTest, AFailedExecIsExitCode127NotASandboxFailure) {
  RunFacts f;
  f.setup_error = "execve: No such file or directory";
  RunResult r = Classified(f);
  EXPECT_EQ(r.status, RunStatus::kNonZeroExit);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(r.message, f.setup_error);
}

TEST(ClassifyTest, ABrokenBoxIsAnErrorNotAVerdict) {
  RunFacts setup;
  setup.setup_error = "mount /usr: Permission denied";
  RunResult r;
  EXPECT_EQ(Classify(setup, TestLimits(), &r).code(), absl::StatusCode::kInternal);
  RunFacts silent;  // the init ended without a report and we killed nothing
  EXPECT_EQ(Classify(silent, TestLimits(), &r).code(), absl::StatusCode::kInternal);
}

TEST(ClassifyTest, ABlockedSyscallBeatsEverythingElse) {
  RunFacts f;
  f.reason = KillReason::kSecurity;
  f.syscall = "socket";
  f.oom = true;          // also out of memory
  f.cpu_ms = 5000;       // and over its CPU time
  RunResult r = Classified(f);
  EXPECT_EQ(r.status, RunStatus::kSecurityViolation);
  EXPECT_EQ(r.syscall, "socket");
  EXPECT_EQ(r.message, "blocked syscall socket");
  EXPECT_EQ(r.signal, SIGKILL);
}

TEST(ClassifyTest, SigsysIsANonNativeSyscall) {
  RunFacts f;
  f.got_exit = true;
  f.wait_status = Signaled(SIGSYS);
  RunResult r = Classified(f);
  EXPECT_EQ(r.status, RunStatus::kSecurityViolation);
  EXPECT_EQ(r.syscall, "non-native ABI");
}

TEST(ClassifyTest, CpuBeatsWallBeatsMemoryBeatsOutput) {
  RunFacts f;
  f.reason = KillReason::kWall;
  f.cpu_ms = 1500;  // over 1000 ms of CPU as well
  f.oom = true;
  EXPECT_EQ(Classified(f).status, RunStatus::kCpuTimeLimit);
  f.cpu_ms = 10;
  EXPECT_EQ(Classified(f).status, RunStatus::kWallTimeLimit);
  EXPECT_EQ(Classified(f).message, "wall time limit 3000 ms exceeded");
  f.reason = KillReason::kOutput;
  EXPECT_EQ(Classified(f).status, RunStatus::kMemoryLimit);
  f.oom = false;
  EXPECT_EQ(Classified(f).status, RunStatus::kOutputLimit);
  EXPECT_EQ(Classified(f).message, "output limit 1024 bytes exceeded");
}

TEST(ClassifyTest, CpuOverTheLimitAtExitCountsEvenIfNotKilled) {
  RunFacts f = ExitedWith(0);
  f.cpu_ms = 1001;
  EXPECT_EQ(Classified(f).status, RunStatus::kCpuTimeLimit);
  RunFacts x;
  x.got_exit = true;
  x.wait_status = Signaled(SIGXCPU);
  EXPECT_EQ(Classified(x).status, RunStatus::kCpuTimeLimit);
}

TEST(ClassifyTest, FileSizeSignalIsOutputLimit) {
  RunFacts f;
  f.got_exit = true;
  f.wait_status = Signaled(SIGXFSZ);
  RunResult r = Classified(f);
  EXPECT_EQ(r.status, RunStatus::kOutputLimit);
  EXPECT_EQ(r.message, "file size limit exceeded");
}

TEST(ClassifyTest, MemoryBeatsANonZeroExit) {
  RunFacts f = ExitedWith(1);  // a compiler driver reports its killed pass as exit 1
  f.oom = true;
  RunResult r = Classified(f);
  EXPECT_EQ(r.status, RunStatus::kMemoryLimit);
  EXPECT_EQ(r.message, "memory limit 65536 KiB exceeded");
}

}  // namespace
}  // namespace sandbox::internal
