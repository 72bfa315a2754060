// Real hostile programs in the sandbox. Each test asserts the exact outcome and then checks the
// host: no process left with a box uid, no box cgroup, no work-dir mount.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "sandbox/sandbox.h"
#include "tests/sandbox/host_check.h"
#include "tests/test_support.h"

namespace {

using sandbox::RunResult;
using sandbox::RunSpec;
using sandbox::RunStatus;

constexpr uint32_t kSlots = 4;

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = judge_test::MakeTempDir("sandbox-test");
    ASSERT_FALSE(tmp_.empty());
    uid_base_ = judge_test::UidBase();
    auto sb = judge_test::MakeSandbox(tmp_, kSlots);
    ASSERT_TRUE(sb.ok()) << sb.status();
    sb_ = std::move(*sb);
  }

  void TearDown() override {
    const uint32_t last = uid_base_ + 2 * judge_test::kMaxSlots;
    // Nothing the program started survives its run (boxes waiting in the pool, if any, are
    // only an init each, with an even uid).
    EXPECT_TRUE(sandbox_test::ProcessesWithUids(uid_base_, last, /*odd_only=*/true).empty())
        << "a box process outlived its run";
    const sandbox::CgroupLayout layout = sb_->cgroups();
    const bool pooled = judge_test::PrespawnFromEnv() > 0;
    auto box_cgroups = [&] {
      std::vector<std::string> found;
      for (const std::string* parent : {&layout.v2_parent, &layout.memory_parent,
                                        &layout.pids_parent, &layout.cpuacct_parent}) {
        for (const std::string& e : sandbox_test::DirEntries(*parent)) {
          if (e.rfind("box-", 0) == 0) found.push_back(*parent + "/" + e);
        }
      }
      return found;
    };
    // A box id keeps its cgroup for its next box (dying memory cgroups would pile up
    // otherwise), but nothing of the run may be left in it.
    for (const std::string& cg : box_cgroups()) {
      if (pooled) break;  // the boxes waiting in the pool sit in theirs
      EXPECT_EQ(sandbox_test::ReadText(cg + "/cgroup.procs"), "") << "a process left in " << cg;
    }
    std::string work = sb_->runtime_dir() + "/work";
    sb_.reset();
    // And once the sandbox is gone, nothing of any box at all.
    EXPECT_TRUE(sandbox_test::ProcessesWithUids(uid_base_, last).empty())
        << "a box process outlived the sandbox";
    for (const std::string& cg : box_cgroups()) ADD_FAILURE() << "cgroup left behind: " << cg;
    EXPECT_TRUE(sandbox_test::MountsContaining(work).empty()) << "a work tmpfs is still mounted";
    judge_test::RemoveTree(tmp_);
  }

  RunSpec Hostile(std::vector<std::string> args) {
    RunSpec spec;
    sandbox::Sandbox::AddSystemMounts(spec);
    spec.mounts.push_back({HOSTILE_BIN, "/opt/hostile", false});
    spec.argv = {"/opt/hostile"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.limits.cpu_time_ms = 2000;
    spec.limits.wall_time_ms = 5000;
    spec.limits.memory_bytes = 128ull << 20;
    spec.limits.processes = 16;
    return spec;
  }

  RunResult MustRun(const RunSpec& spec) {
    auto r = sb_->Run(spec);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : RunResult{};
  }

  std::string tmp_;
  uint32_t uid_base_ = 0;
  std::unique_ptr<sandbox::Sandbox> sb_;
};

TEST_F(SecurityTest, ForkIsASecurityViolationUnderTheRunProfile) {
  RunResult r = MustRun(Hostile({"fork_bomb"}));
  EXPECT_EQ(r.status, RunStatus::kSecurityViolation);
  EXPECT_EQ(r.syscall, "clone");
}

TEST_F(SecurityTest, ForkBombUnderTheCompileProfileHitsTheProcessLimitAndCpuLimit) {
  RunSpec spec = Hostile({"fork_bomb"});
  spec.profile = sandbox::Profile::kCompile;
  spec.limits.cpu_time_ms = 1000;
  RunResult r = MustRun(spec);
  // Forks fail at the pids limit; the survivors spin until the summed cpu time runs out.
  EXPECT_EQ(r.status, RunStatus::kCpuTimeLimit) << r.message;
  EXPECT_GE(r.cpu_ms, 1000u);
  EXPECT_LT(r.wall_ms, 5000u);
}

TEST_F(SecurityTest, ThreadBombStopsAtTheProcessLimit) {
  RunResult r = MustRun(Hostile({"thread_bomb"}));
  ASSERT_EQ(r.status, RunStatus::kOk) << r.message;
  int threads = std::atoi(r.stdout_data.c_str());
  EXPECT_GT(threads, 0);
  EXPECT_LT(threads, 16);  // the main thread counts too
}

TEST_F(SecurityTest, TouchedMemoryBombIsMemoryLimit) {
  RunResult r = MustRun(Hostile({"memory_touch"}));
  EXPECT_EQ(r.status, RunStatus::kMemoryLimit) << r.message;
  // Past its limit (128 MiB) when the cgroup's backstop stopped it: the limit, the box's /tmp
  // and 32 MiB of slack (sandbox.cc, BoxCgroupLimits).
  EXPECT_GE(r.memory_kib, 100u * 1024);
  EXPECT_LE(r.memory_kib, (128u + 16 + 32 + 1) * 1024);
}

// A box id keeps its cgroup for its next box: what one run did (its memory peak, its OOM kill,
// its CPU time, its processes) must not count against the next, and its limits must hold again.
TEST_F(SecurityTest, ARunAfterAMemoryBombInTheSameCgroupStartsClean) {
  const sandbox::CgroupLayout layout = sb_->cgroups();
  const bool pooled = judge_test::PrespawnFromEnv() > 0;
  auto box_cgroups = [&] {
    std::vector<std::string> names;
    for (const std::string* parent :
         {&layout.v2_parent, &layout.memory_parent, &layout.pids_parent, &layout.cpuacct_parent}) {
      for (const std::string& e : sandbox_test::DirEntries(*parent)) {
        if (e.rfind("box-", 0) == 0) names.push_back(*parent + "/" + e);
      }
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  std::vector<std::string> first;
  for (int round = 0; round < 2; ++round) {
    RunResult bomb = MustRun(Hostile({"memory_touch"}));
    EXPECT_EQ(bomb.status, RunStatus::kMemoryLimit) << bomb.message;
    EXPECT_GE(bomb.memory_kib, 100u * 1024);
    RunResult forks = MustRun(Hostile({"thread_bomb"}));
    EXPECT_EQ(forks.status, RunStatus::kOk) << forks.message;
    RunSpec quiet = Hostile({});
    quiet.argv = {"/bin/true"};
    RunResult after = MustRun(quiet);
    EXPECT_EQ(after.status, RunStatus::kOk) << after.message;
    EXPECT_LT(after.memory_kib, 16u * 1024) << "the bomb's peak counted again";
    EXPECT_LT(after.cpu_ms, 200u);
    // Sequential runs take the same box id again, and it keeps its cgroups (the same
    // directories, not new ones: those would leave dying memory cgroups behind).
    if (round == 0) first = box_cgroups();
    if (!pooled && layout.mode != sandbox::CgroupMode::kNone) {
      EXPECT_FALSE(first.empty());
      EXPECT_EQ(box_cgroups(), first) << "a box id's cgroup was made anew";
    }
  }
  for (const std::string* parent :
       {&layout.v2_parent, &layout.memory_parent, &layout.pids_parent, &layout.cpuacct_parent}) {
    size_t boxes = 0;
    for (const std::string& e : sandbox_test::DirEntries(*parent)) boxes += e.rfind("box-", 0) == 0;
    EXPECT_LE(boxes, 1 + judge_test::PrespawnFromEnv()) << *parent;
  }
}

TEST_F(SecurityTest, NoReserveMemoryBombIsMemoryLimit) {
  RunResult r = MustRun(Hostile({"memory_noreserve"}));
  EXPECT_EQ(r.status, RunStatus::kMemoryLimit) << r.message;
}

TEST_F(SecurityTest, StackOverflowIsASegfault) {
  RunSpec spec = Hostile({"stack_overflow"});
  spec.limits.stack_bytes = 8 << 20;
  RunResult r = MustRun(spec);
  EXPECT_EQ(r.status, RunStatus::kSignaled);
  EXPECT_EQ(r.signal, SIGSEGV);
}

TEST_F(SecurityTest, StdoutFloodIsOutputLimitAndCapped) {
  RunSpec spec = Hostile({"stdout_flood"});
  spec.limits.stdout_bytes = 1 << 20;
  RunResult r = MustRun(spec);
  EXPECT_EQ(r.status, RunStatus::kOutputLimit);
  EXPECT_EQ(r.stdout_data.size(), 1u << 20);
}

TEST_F(SecurityTest, StderrFloodIsCappedAndTheRunGoesOn) {
  RunSpec spec = Hostile({"stderr_flood"});
  spec.limits.stderr_bytes = 4096;
  RunResult r = MustRun(spec);
  EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
  EXPECT_EQ(r.stderr_data.size(), 4096u);
}

TEST_F(SecurityTest, DiskFillStopsAtTheWorkDirSize) {
  auto dir = sb_->MakeBoxDir(8 << 20, 128);
  ASSERT_TRUE(dir.ok()) << dir.status();
  RunSpec spec = Hostile({"disk_fill", "/box/big"});
  spec.host_workdir = dir->path();
  RunResult r = MustRun(spec);
  EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
  EXPECT_EQ(r.stdout_data, "ENOSPC\n");
}

TEST_F(SecurityTest, DiskFillStopsAtTheFileSizeLimit) {
  RunSpec spec = Hostile({"disk_fill", "/tmp/big"});
  spec.limits.tmp_bytes = 64 << 20;
  spec.limits.file_size_bytes = 1 << 20;
  RunResult r = MustRun(spec);
  EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
  EXPECT_EQ(r.stdout_data, "EFBIG\n");
}

TEST_F(SecurityTest, ManySmallFilesStopAtTheInodeLimit) {
  RunSpec spec = Hostile({"many_files", "/tmp"});
  spec.limits.tmp_inodes = 100;
  RunResult r = MustRun(spec);
  EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
  int made = std::atoi(r.stdout_data.c_str());
  EXPECT_GT(made, 50);
  EXPECT_LT(made, 100);
  EXPECT_NE(r.stdout_data.find("ENOSPC"), std::string::npos) << r.stdout_data;
}

TEST_F(SecurityTest, SleepingForeverIsWallTimeLimit) {
  RunSpec spec = Hostile({"sleep"});
  spec.limits.wall_time_ms = 300;
  RunResult r = MustRun(spec);
  EXPECT_EQ(r.status, RunStatus::kWallTimeLimit);
  EXPECT_GE(r.wall_ms, 300u);
  EXPECT_LT(r.wall_ms, 2000u);
  EXPECT_LT(r.cpu_ms, 100u);
}

TEST_F(SecurityTest, BusyThreadsAreCountedTogether) {
  RunSpec spec = Hostile({"busy_threads"});
  spec.limits.cpu_time_ms = 1000;
  RunResult r = MustRun(spec);
  EXPECT_EQ(r.status, RunStatus::kCpuTimeLimit);
  EXPECT_GE(r.cpu_ms, 1000u);
  // Several threads burn cpu faster than the wall clock runs (two cores here).
  EXPECT_LT(r.wall_ms, r.cpu_ms);
}

TEST_F(SecurityTest, SetsidDoubleForkDoesNotSurvive) {
  RunSpec spec = Hostile({"escape_setsid"});
  spec.profile = sandbox::Profile::kCompile;
  RunResult r = MustRun(spec);
  EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
  EXPECT_EQ(r.stdout_data, "detached\n");
  // TearDown asserts that no process with a box uid is left on the host.
}

TEST_F(SecurityTest, HostFilesAreNotReachable) {
  std::string secret = tmp_ + "/secret.txt";
  {
    FILE* f = fopen(secret.c_str(), "w");
    fputs("hidden test data", f);
    fclose(f);
  }
  RunResult r =
      MustRun(Hostile({"read_files", "/etc/shadow", "/etc/passwd", secret, sb_->runtime_dir(),
                       "/proc/1/root/etc/shadow", "/proc/1/environ", "/run/judge-sandbox"}));
  EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
  EXPECT_EQ(r.stdout_data, "/etc/shadow: ENOENT\n/etc/passwd: ENOENT\n" + secret + ": ENOENT\n" +
                               sb_->runtime_dir() +
                               ": ENOENT\n/proc/1/root/etc/shadow: EACCES\n/proc/1/environ: "
                               "EACCES\n/run/judge-sandbox: ENOENT\n");
}

// The program holds no capability and can get none back: every set is empty (the bounding set
// too, so not even a setuid or file-capability binary could grant one), no_new_privs is on and
// the filter is in place.
TEST_F(SecurityTest, TheProgramHasNoCapabilitiesAndNoNewPrivileges) {
  RunSpec spec = Hostile({});
  spec.argv = {"/bin/grep", "-E", "^(Cap|NoNewPrivs|Seccomp:)", "/proc/self/status"};
  RunResult r = MustRun(spec);
  EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
  EXPECT_EQ(r.stdout_data,
            "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
            "CapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n"
            "Seccomp:\t2\n");
}

// The box's init runs in the judge's own memory (CLONE_VM) and holds the seccomp listener: the
// program, another uid without capabilities, can reach none of it through /proc/1.
TEST_F(SecurityTest, TheBoxInitIsOutOfReach) {
  RunResult r = MustRun(Hostile({"read_files", "/proc/1/mem", "/proc/1/maps", "/proc/1/environ",
                                 "/proc/1/fd/3", "/proc/1/fd/4", "/proc/1/root/proc/1/mem"}));
  EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
  EXPECT_EQ(r.stdout_data,
            "/proc/1/mem: EACCES\n/proc/1/maps: EACCES\n/proc/1/environ: EACCES\n"
            "/proc/1/fd/3: EACCES\n/proc/1/fd/4: EACCES\n/proc/1/root/proc/1/mem: EACCES\n");
}

class ListenerTest : public SecurityTest {};

TEST_F(ListenerTest, TcpConnectionToAHostListenerIsBlocked) {
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(ls, 4), 0);
  socklen_t len = sizeof a;
  getsockname(ls, reinterpret_cast<sockaddr*>(&a), &len);
  RunResult r = MustRun(Hostile({"tcp", std::to_string(ntohs(a.sin_port))}));
  EXPECT_EQ(r.status, RunStatus::kSecurityViolation);
  EXPECT_EQ(r.syscall, "socket");
  EXPECT_LT(accept(ls, nullptr, nullptr), 0);  // nobody connected
  close(ls);
}

TEST_F(ListenerTest, UdpToAHostListenerIsBlocked) {
  int ls = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(ls, reinterpret_cast<sockaddr*>(&a), &len);
  RunResult r = MustRun(Hostile({"udp", std::to_string(ntohs(a.sin_port))}));
  EXPECT_EQ(r.status, RunStatus::kSecurityViolation);
  EXPECT_EQ(r.syscall, "socket");
  char c;
  EXPECT_LT(recv(ls, &c, 1, 0), 0);
  close(ls);
}

TEST_F(ListenerTest, UnixSocketToAHostListenerIsBlocked) {
  int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::string path = tmp_ + "/listener.sock";
  snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  ASSERT_EQ(bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(ls, 4), 0);
  // An AF_UNIX socket() fails with EACCES (libc's syslog and nscd look-ups carry on without
  // it): nothing is created, nothing connects.
  RunResult r = MustRun(Hostile({"unix", path}));
  EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
  EXPECT_EQ(r.stdout_data, "socket EACCES\n");
  EXPECT_LT(accept(ls, nullptr, nullptr), 0);
  close(ls);
}

// Each of these must die on the named syscall before it runs.
class DeniedSyscallTest
    : public SecurityTest,
      public ::testing::WithParamInterface<std::pair<const char*, const char*>> {};

TEST_P(DeniedSyscallTest, IsASecurityViolationNamingTheSyscall) {
  auto [mode, syscall] = GetParam();
  RunResult r = MustRun(Hostile({mode}));
  EXPECT_EQ(r.status, RunStatus::kSecurityViolation) << r.stdout_data;
  EXPECT_EQ(r.syscall, syscall);
  EXPECT_EQ(r.stdout_data, "");  // never got past the call
}

INSTANTIATE_TEST_SUITE_P(
    Hostile, DeniedSyscallTest,
    ::testing::Values(std::pair{"ptrace", "ptrace"}, std::pair{"mount", "mount"},
                      std::pair{"unshare", "unshare"}, std::pair{"setns", "setns"},
                      std::pair{"chroot", "chroot"}, std::pair{"io_uring_setup", "io_uring_setup"},
                      std::pair{"bpf", "bpf"}, std::pair{"keyctl", "keyctl"},
                      std::pair{"perf_event_open", "perf_event_open"},
                      std::pair{"tiocsti", "ioctl"}, std::pair{"clone_newns", "clone"}),
    [](const auto& info) { return std::string(info.param.first); });

TEST_F(SecurityTest, X32SyscallIsKilled) {
  RunResult r = MustRun(Hostile({"x32"}));
  EXPECT_EQ(r.status, RunStatus::kSecurityViolation);
  EXPECT_EQ(r.signal, SIGSYS);
  EXPECT_EQ(r.stdout_data, "");
}

// Whether this kernel runs i386 syscalls made with int 0x80 (some VMs fault them instead).
bool HostRunsInt80() {
  pid_t child = fork();
  if (child == 0) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20) : "memory");  // i386 getpid
    _exit(ret > 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST_F(SecurityTest, Int80SyscallIsKilled) {
  RunResult r = MustRun(Hostile({"int80"}));
  EXPECT_EQ(r.stdout_data, "");  // never returned from the call
  if (HostRunsInt80()) {
    EXPECT_EQ(r.status, RunStatus::kSecurityViolation);
    EXPECT_EQ(r.signal, SIGSYS);
  } else {
    // The CPU faults int 0x80 before any syscall happens: a plain segfault.
    EXPECT_EQ(r.status, RunStatus::kSignaled);
    EXPECT_EQ(r.signal, SIGSEGV);
  }
}

TEST_F(SecurityTest, PlantedSymlinkIsNeverFollowedByTheHost) {
  auto dir = sb_->MakeBoxDir(1 << 20, 64);
  ASSERT_TRUE(dir.ok());
  std::string secret = tmp_ + "/host-secret";
  {
    FILE* f = fopen(secret.c_str(), "w");
    fputs("secret", f);
    fclose(f);
  }
  RunSpec spec = Hostile({"symlink", secret});
  spec.host_workdir = dir->path();
  RunResult r = MustRun(spec);
  ASSERT_EQ(r.status, RunStatus::kOk) << r.message;
  ASSERT_EQ(r.stdout_data, "planted\n");
  auto read = dir->ReadFile("out", 1 << 20);
  EXPECT_FALSE(read.ok()) << "the host followed a link the box planted";
}

TEST_F(SecurityTest, KillMinusOneOnlyKillsTheBox) {
  // A host process of ours that must survive.
  pid_t sentinel = fork();
  if (sentinel == 0) {
    pause();
    _exit(0);
  }
  RunResult r = MustRun(Hostile({"kill_all"}));
  // Linux's kill(-1) spares the caller: it reaches every other process of the box, none outside.
  EXPECT_EQ(r.status, RunStatus::kOk) << r.message;
  EXPECT_EQ(r.stdout_data, "survived\n");
  EXPECT_EQ(waitpid(sentinel, nullptr, WNOHANG), 0) << "the host sentinel died";
  kill(sentinel, SIGKILL);
  waitpid(sentinel, nullptr, 0);
}

}  // namespace
