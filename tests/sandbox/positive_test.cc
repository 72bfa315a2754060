// The positive side: normal programs run correctly under the run profile, compilers work under
// the compile profile, and concurrent runs stay isolated from each other.
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "sandbox/result_json.h"
#include "sandbox/sandbox.h"
#include "sandbox/seccomp_profile.h"
#include "sandbox/uid_lease.h"
#include "tests/sandbox/host_check.h"
#include "tests/test_support.h"

namespace {

using sandbox::RunResult;
using sandbox::RunSpec;
using sandbox::RunStatus;

class PositiveTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(4, 0); }
  void Start(uint32_t slots, uint32_t prespawn) {
    tmp_ = judge_test::MakeTempDir("sandbox-test");
    ASSERT_FALSE(tmp_.empty());
    uid_base_ = judge_test::UidBase();
    auto sb = judge_test::MakeSandbox(tmp_, slots, prespawn);
    ASSERT_TRUE(sb.ok()) << sb.status();
    sb_ = std::move(*sb);
  }

  void TearDown() override {
    const uint32_t last = uid_base_ + 2 * judge_test::kMaxSlots;
    // No program outlives its run; pooled boxes (an init each) go with the sandbox.
    EXPECT_TRUE(sandbox_test::ProcessesWithUids(uid_base_, last, /*odd_only=*/true).empty());
    sb_.reset();
    EXPECT_TRUE(sandbox_test::ProcessesWithUids(uid_base_, last).empty());
    judge_test::RemoveTree(tmp_);
  }
  RunSpec Base() {
    RunSpec spec;
    sandbox::Sandbox::AddSystemMounts(spec);
    spec.env = {"PATH=/usr/bin:/bin", "HOME=/box", "LANG=C.UTF-8"};
    spec.limits.cpu_time_ms = 10000;
    spec.limits.wall_time_ms = 20000;
    spec.limits.memory_bytes = 512ull << 20;
    return spec;
  }
  std::string WriteHostFile(const std::string& name, const std::string& data) {
    std::string path = tmp_ + "/" + name;
    FILE* f = fopen(path.c_str(), "w");
    fputs(data.c_str(), f);
    fclose(f);
    return path;
  }

  std::string tmp_;
  uint32_t uid_base_ = 0;
  std::unique_ptr<sandbox::Sandbox> sb_;
};

TEST_F(PositiveTest, CppProgramWithThreadsBigAllocationStdinAndWorkDirFile) {
  auto dir = sb_->MakeBoxDir(16 << 20, 64);
  ASSERT_TRUE(dir.ok());
  RunSpec spec = Base();
  spec.mounts.push_back({THREADS_BIN, "/opt/threads", false});
  spec.argv = {"/opt/threads"};
  spec.host_workdir = dir->path();
  spec.stdin_stream = {sandbox::Stream::Kind::kFile, WriteHostFile("in.txt", "1 2 3 4 5 6 7 8 9 10\n"), -1};
  auto r = sb_->Run(spec);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, RunStatus::kOk) << r->message << r->stderr_data;
  EXPECT_EQ(r->stdout_data, "55\n");
  EXPECT_GE(r->memory_kib, 200u * 1024);  // the touched 200 MiB shows in the peak
  auto file = dir->ReadFile("result.txt", 100);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(*file, "55\n");
}

// A sleep interrupted by a stop and continue resumes through restart_syscall, which every
// profile allows (it once ended a Go compile as a "blocked syscall": the runtime's threads get
// stopped and continued too).
TEST_F(PositiveTest, ASleepStoppedAndContinuedResumes) {
  for (sandbox::Profile profile : {sandbox::Profile::kRun, sandbox::Profile::kRunJvm,
                                   sandbox::Profile::kRunV8, sandbox::Profile::kCompile}) {
    RunSpec spec = Base();
    spec.profile = profile;
    spec.mounts.push_back({THREADS_BIN, "/opt/threads", false});
    spec.argv = {"/opt/threads", "interrupted-sleep"};
    absl::StatusOr<sandbox::RunResult> r;
    std::thread run([&] { r = sb_->Run(spec); });
    // The program is the box's odd uid; stop it while it sleeps, then continue it.
    std::vector<int> pids;
    for (int i = 0; i < 500 && pids.empty(); ++i) {
      pids = sandbox_test::ProcessesWithUids(uid_base_, uid_base_ + 2 * judge_test::kMaxSlots,
                                             /*odd_only=*/true);
      if (pids.empty()) usleep(2000);
    }
    ASSERT_EQ(pids.size(), 1u);
    kill(pids[0], SIGSTOP);
    for (int i = 0; i < 500; ++i) {
      std::ifstream stat("/proc/" + std::to_string(pids[0]) + "/stat");
      std::string line;
      std::getline(stat, line);
      size_t paren = line.rfind(')');
      if (paren == std::string::npos || line.substr(paren + 2, 1) == "T") break;
      usleep(2000);
    }
    kill(pids[0], SIGCONT);
    run.join();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, RunStatus::kOk) << r->message << " " << r->syscall;
    EXPECT_EQ(r->stdout_data, "slept\n");
  }
}

TEST_F(PositiveTest, PythonReadsStdinAndUsesThreads) {
  RunSpec spec = Base();
  std::string script = WriteHostFile(
      "main.py",
      "import sys, threading\n"
      "nums = [int(x) for x in sys.stdin.read().split()]\n"
      "out = []\n"
      "t = threading.Thread(target=lambda: out.append(sum(nums)))\n"
      "t.start(); t.join()\n"
      "big = bytearray(100 * 1024 * 1024)\n"
      "print(out[0], len(big))\n");
  spec.mounts.push_back({script, "/opt/main.py", false});
  spec.argv = {"/usr/bin/python3", "-I", "-S", "/opt/main.py"};
  spec.stdin_stream = {sandbox::Stream::Kind::kFile, WriteHostFile("in.txt", "40 2\n"), -1};
  auto r = sb_->Run(spec);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, RunStatus::kOk) << r->message << r->stderr_data;
  EXPECT_EQ(r->stdout_data, "42 104857600\n");
}

TEST_F(PositiveTest, GccCompilesUnderTheCompileProfileAndTheBinaryRuns) {
  for (const char* compiler : {"gcc", "g++"}) {
    SCOPED_TRACE(compiler);
    auto dir = sb_->MakeBoxDir(64 << 20, 256);
    ASSERT_TRUE(dir.ok());
    bool cpp = std::string(compiler) == "g++";
    ASSERT_TRUE(dir->WriteFile(cpp ? "main.cc" : "main.c",
                               cpp ? "#include <iostream>\nint main(){std::cout<<6*7<<'\\n';}\n"
                                   : "#include <stdio.h>\nint main(void){printf(\"%d\\n\", 6*7);}\n")
                    .ok());
    RunSpec compile = Base();
    compile.profile = sandbox::Profile::kCompile;
    compile.host_workdir = dir->path();
    compile.argv = {std::string("/usr/bin/") + compiler, "-O2", "-o", "main",
                    cpp ? "main.cc" : "main.c"};
    compile.limits.processes = 16;
    auto c = sb_->Run(compile);
    ASSERT_TRUE(c.ok()) << c.status();
    ASSERT_EQ(c->status, RunStatus::kOk) << c->message << c->stderr_data;
    RunSpec run = Base();
    run.host_workdir = dir->path();
    run.argv = {"/box/main"};
    auto r = sb_->Run(run);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, RunStatus::kOk) << r->message;
    EXPECT_EQ(r->stdout_data, "42\n");
  }
}

TEST_F(PositiveTest, ExitCodesAndSignalsAreReported) {
  RunSpec spec = Base();
  spec.argv = {"/bin/sh", "-c", "exit 7"};
  spec.profile = sandbox::Profile::kCompile;
  auto r = sb_->Run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, RunStatus::kNonZeroExit);
  EXPECT_EQ(r->exit_code, 7);
  spec.argv = {"/no/such/program"};
  r = sb_->Run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, RunStatus::kNonZeroExit);
  EXPECT_EQ(r->exit_code, 127);
  EXPECT_NE(r->message.find("execve"), std::string::npos);
}

TEST_F(PositiveTest, EnvironmentIsOnlyWhatTheSpecAllows) {
  setenv("JUDGE_SECRET_TOKEN", "do-not-leak", 1);
  RunSpec spec = Base();
  spec.env = {"ONLY=this"};
  spec.argv = {"/usr/bin/env"};
  auto r = sb_->Run(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, RunStatus::kOk) << r->message;
  EXPECT_EQ(r->stdout_data, "ONLY=this\n");
}

TEST_F(PositiveTest, ConcurrentRunsAreIsolated) {
  // Four boxes at once, each writing its own marker into its own /tmp and then listing /tmp and
  // every visible process: each sees only itself.
  std::vector<std::thread> threads;
  std::vector<RunResult> results(4);
  std::vector<absl::Status> errors(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      RunSpec spec = Base();
      spec.profile = sandbox::Profile::kCompile;
      spec.argv = {"/bin/sh", "-c",
                   "touch /tmp/mine-" + std::to_string(i) +
                       "; ls /tmp; ls /proc | grep -c '^[0-9]'"};
      auto r = sb_->Run(spec);
      if (r.ok()) {
        results[i] = *r;
      } else {
        errors[i] = r.status();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(errors[i].ok()) << errors[i];
    EXPECT_EQ(results[i].status, RunStatus::kOk) << results[i].message;
    // init, sh, ls|grep: never another box's processes or files.
    EXPECT_EQ(results[i].stdout_data.substr(0, results[i].stdout_data.find('\n')),
              "mine-" + std::to_string(i));
    int procs = std::atoi(results[i].stdout_data.substr(results[i].stdout_data.find('\n')).c_str());
    EXPECT_LE(procs, 4);
  }
}

TEST_F(PositiveTest, CgroupsLeftByAKilledJudgeAreRemovedAtStart) {
  const sandbox::CgroupLayout& layout = sb_->cgroups();
  std::string ours = !layout.pids_parent.empty() ? layout.pids_parent : layout.v2_parent;
  if (ours.empty()) GTEST_SKIP() << "no cgroups here";
  std::string hierarchy = ours.substr(0, ours.rfind('/'));
  pid_t dead = fork();  // a pid that no longer runs: the "killed judge"
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  std::string stale = hierarchy + "/sandbox-" + std::to_string(dead) + "-0";
  ASSERT_EQ(mkdir(stale.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((stale + "/box-0-1").c_str(), 0755), 0);
  // Beside ours, with uids of its own (a free range: this process's own may all be ours).
  sandbox::SandboxOptions options;
  options.runtime_dir = judge_test::MakeTempDir("sandbox-stale") + "/run";
  options.slots = 1;
  options.uid_base = 0;
  auto another = sandbox::Sandbox::Create(options);
  ASSERT_TRUE(another.ok()) << another.status();
  EXPECT_NE(access(stale.c_str(), F_OK), 0) << stale << " survived";
  EXPECT_EQ(access(ours.c_str(), F_OK), 0) << "a live sandbox's cgroup was removed";
}

// A read-only bind is read-only all the way down: a file system mounted below the host dir
// (here a world-writable tmpfs) comes along with the bind and must not be writable either.
TEST_F(PositiveTest, ReadOnlyBindsAreReadOnlyBelowTheirSubmounts) {
  const std::string dir = tmp_ + "/ro";
  ASSERT_EQ(mkdir(dir.c_str(), 0777), 0);
  ASSERT_EQ(chmod(dir.c_str(), 0777), 0);
  ASSERT_EQ(mkdir((dir + "/sub").c_str(), 0777), 0);
  ASSERT_EQ(mount("tmpfs", (dir + "/sub").c_str(), "tmpfs", 0, "size=64k,mode=0777"), 0)
      << strerror(errno);
  RunSpec spec = Base();
  spec.mounts.push_back({dir, "/opt/data", false});
  spec.argv = {"/bin/sh", "-c",
               "for f in /opt/data/f /opt/data/sub/f; do "
               "if { echo x > $f; } 2>/dev/null; then echo $f written; else echo $f refused; fi; "
               "done"};
  auto r = sb_->Run(spec);
  umount2((dir + "/sub").c_str(), MNT_DETACH);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, RunStatus::kOk) << r->message;
  EXPECT_EQ(r->stdout_data, "/opt/data/f refused\n/opt/data/sub/f refused\n");
}

// An ignored signal would stay ignored across exec: a judge that ignores SIGPIPE must not hand
// that to the program (a write to a closed pipe has to kill it, as anywhere else).
TEST_F(PositiveTest, IgnoredSignalsOfTheJudgeAreNotInherited) {
  struct sigaction ign {}, old_pipe {}, old_int {};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, &old_pipe);
  sigaction(SIGINT, &ign, &old_int);
  RunSpec spec = Base();
  spec.argv = {"/bin/grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"};
  auto r = sb_->Run(spec);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  sigaction(SIGINT, &old_int, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, RunStatus::kOk) << r->message;
  EXPECT_EQ(r->stdout_data, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

// The box's init may be moved off the judge's CPU while it sets up (see Sandbox::Spawn); the
// program must still get every CPU the judge has, or its threads would share fewer.
TEST_F(PositiveTest, TheProgramMayUseEveryCpuTheJudgeMay) {
  std::string ours;
  {
    FILE* f = fopen("/proc/thread-self/status", "r");
    ASSERT_NE(f, nullptr);
    char line[256];
    while (fgets(line, sizeof line, f) != nullptr) {
      if (strncmp(line, "Cpus_allowed_list:", 18) == 0) ours = line;
    }
    fclose(f);
  }
  ASSERT_FALSE(ours.empty());
  RunSpec spec = Base();
  spec.argv = {"/bin/grep", "^Cpus_allowed_list:", "/proc/self/status"};
  for (int i = 0; i < 3; ++i) {
    auto r = sb_->Run(spec);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, RunStatus::kOk) << r->message;
    EXPECT_EQ(r->stdout_data, ours);
  }
}

// The pool: boxes cloned ahead for the last run's mounts and limits. A run that asks for other
// mounts or limits must get exactly its own, never the previous run's.
class PoolTest : public PositiveTest {
 protected:
  void SetUp() override { Start(2, /*prespawn=*/2); }
  std::string Cat(const std::string& host_dir) {
    RunSpec spec = Base();
    spec.mounts.push_back({host_dir, "/opt/data", false});
    spec.argv = {"/bin/cat", "/opt/data/x"};
    auto r = sb_->Run(spec);
    if (!r.ok()) return r.status().ToString();
    return r->status == RunStatus::kOk ? r->stdout_data : r->message;
  }
};

TEST_F(PoolTest, EachRunGetsItsOwnMounts) {
  std::string a = tmp_ + "/a", b = tmp_ + "/b";
  ASSERT_EQ(mkdir(a.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(b.c_str(), 0755), 0);
  WriteHostFile("a/x", "from a\n");
  WriteHostFile("b/x", "from b\n");
  // Repeats hit boxes built ahead for the same mounts; each switch must not.
  for (const std::string& dir : {a, a, a, b, b, a, b}) {
    EXPECT_EQ(Cat(dir), dir == a ? "from a\n" : "from b\n");
  }
  // A directory replaced on the host since the boxes were built is seen as it is now.
  ASSERT_EQ(rename(a.c_str(), (tmp_ + "/old").c_str()), 0);
  ASSERT_EQ(rename(b.c_str(), a.c_str()), 0);
  EXPECT_EQ(Cat(a), "from b\n");
}

// A work dir is a tmpfs mounted for one run, after the waiting boxes were cloned (their mount
// namespaces are copies from that moment): the run must still see it, as a compile does.
TEST_F(PoolTest, WorkDirsMadeAfterTheBoxesWereClonedAreSeen) {
  for (int i = 0; i < 4; ++i) {
    auto dir = sb_->MakeBoxDir(1 << 20, 16);
    ASSERT_TRUE(dir.ok()) << dir.status();
    ASSERT_TRUE(dir->WriteFile("in.txt", "run " + std::to_string(i) + "\n").ok());
    RunSpec spec = Base();
    spec.host_workdir = dir->path();
    spec.argv = {"/bin/cat", "in.txt"};
    auto r = sb_->Run(spec);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, RunStatus::kOk) << r->message;
    EXPECT_EQ(r->stdout_data, "run " + std::to_string(i) + "\n");
  }
}

TEST_F(PoolTest, LimitsDoNotCarryOver) {
  RunSpec small = Base();
  small.mounts.push_back({THREADS_BIN, "/opt/threads", false});
  small.argv = {"/opt/threads"};
  small.stdin_stream = {sandbox::Stream::Kind::kFile, WriteHostFile("in.txt", "1 2 3\n"), -1};
  small.limits.memory_bytes = 64ull << 20;  // the fixture touches 200 MiB
  RunSpec big = small;
  big.limits.memory_bytes = 0;  // unlimited
  for (const RunSpec* spec : {&small, &small, &big, &big, &small, &big}) {
    auto r = sb_->Run(*spec);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, spec == &small ? RunStatus::kMemoryLimit : RunStatus::kOk) << r->message;
  }
}

// The Memory figure is the program's own peak resident memory, with or without a memory
// cgroup: hello world stays small however large the judge is, a program touching 100 MiB
// shows about that, alternating the two in one reused box does not drift, and the figure is
// what the limit is enforced on.
class MemoryFigureTest : public ::testing::TestWithParam<sandbox::CgroupMode> {
 protected:
  void SetUp() override {
    tmp_ = judge_test::MakeTempDir("sandbox-memory");
    ASSERT_FALSE(tmp_.empty());
    sandbox::SandboxOptions options;
    options.runtime_dir = tmp_ + "/run";
    options.slots = 1;  // one box, reused by every run
    options.cgroups = GetParam();
    options.uid_base = judge_test::UidBase();
    auto sb = sandbox::Sandbox::Create(options);
    ASSERT_TRUE(sb.ok()) << sb.status();
    sb_ = std::move(*sb);
  }
  void TearDown() override {
    sb_.reset();
    judge_test::RemoveTree(tmp_);
  }
  RunResult Touch(int mib, uint64_t limit_mib) {
    RunSpec spec;
    sandbox::Sandbox::AddSystemMounts(spec);
    spec.mounts.push_back({HOSTILE_BIN, "/opt/hostile", false});
    spec.argv = {"/opt/hostile", "touch_mib", std::to_string(mib)};
    spec.limits.cpu_time_ms = 5000;
    spec.limits.memory_bytes = limit_mib << 20;
    auto r = sb_->Run(spec);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : RunResult{};
  }
  std::string tmp_;
  std::unique_ptr<sandbox::Sandbox> sb_;
};

TEST_P(MemoryFigureTest, IsTheProgramsOwnPeakAndDoesNotDrift) {
  uint64_t hello_min = UINT64_MAX, hello_max = 0, big_min = UINT64_MAX, big_max = 0;
  for (int i = 0; i < 10; ++i) {
    RunResult hello = Touch(0, 256);
    EXPECT_EQ(hello.status, RunStatus::kOk) << hello.message;
    EXPECT_LE(hello.memory_kib, 8u << 10) << "run " << i;
    hello_min = std::min(hello_min, hello.memory_kib);
    hello_max = std::max(hello_max, hello.memory_kib);
    RunResult big = Touch(100, 256);
    EXPECT_EQ(big.status, RunStatus::kOk) << big.message;
    EXPECT_GE(big.memory_kib, 100u << 10) << "run " << i;
    EXPECT_LE(big.memory_kib, 130u << 10) << "run " << i;
    big_min = std::min(big_min, big.memory_kib);
    big_max = std::max(big_max, big.memory_kib);
  }
  EXPECT_LE(hello_max - hello_min, 1024u) << "hello world's figure drifts";
  EXPECT_LE(big_max - big_min, 2048u) << "the 100 MiB figure drifts";
}

TEST_P(MemoryFigureTest, TheLimitIsEnforcedOnTheFigureShown) {
  // Under the limit: OK, and never shown above it.
  RunResult under = Touch(40, 64);
  EXPECT_EQ(under.status, RunStatus::kOk) << under.message;
  EXPECT_LE(under.memory_kib, 64u << 10);
  // Over it, even by a little that the cgroup's slack would have let through: MEMORY_LIMIT.
  // Without a cgroup RLIMIT_AS makes the allocation fail instead (the fixture exits 3).
  const RunStatus want = GetParam() == sandbox::CgroupMode::kNone ? RunStatus::kNonZeroExit
                                                                   : RunStatus::kMemoryLimit;
  for (int mib : {70, 400}) {
    RunResult over = Touch(mib, 64);
    EXPECT_EQ(over.status, want) << mib << " MiB: " << over.message << " " << over.memory_kib;
    if (over.status != RunStatus::kMemoryLimit) {
      EXPECT_LE(over.memory_kib, 64u << 10);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cgroups, MemoryFigureTest,
                         ::testing::Values(sandbox::CgroupMode::kAuto, sandbox::CgroupMode::kNone),
                         [](const auto& info) {
                           return std::string(info.param == sandbox::CgroupMode::kNone ? "none"
                                                                                       : "auto");
                         });

// Two sandboxes on one host never share box uids: a range is held while its holder lives.
TEST(UidLeaseTest, EachSandboxGetsARangeOfItsOwn) {
  const std::string dir = judge_test::MakeTempDir("uid-lease");
  ASSERT_FALSE(dir.empty());
  const std::string file = dir + "/uids.lock";
  auto a = sandbox::LeaseUids(0, 40, file);
  auto b = sandbox::LeaseUids(0, 40, file);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->base, sandbox::kAutoUidBase);
  EXPECT_GE(b->base, a->base + a->count);  // the next free range, not the same one
  // A range overlapping a held one is refused, naming it; a free one is granted.
  auto clash = sandbox::LeaseUids(a->base + 10, 4, file);
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(clash.status().message().find(std::to_string(a->base + 10)), std::string::npos);
  auto free_range = sandbox::LeaseUids(a->base + 40, 4, file);
  EXPECT_TRUE(free_range.ok()) << free_range.status();
  // Released when its holder goes.
  *a = sandbox::UidLease();
  EXPECT_TRUE(sandbox::LeaseUids(sandbox::kAutoUidBase, 40, file).ok());
  // And across processes: a child holding a range keeps this process out of it.
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  if (child == 0) {
    auto held = sandbox::LeaseUids(3'000'000, 8, file);
    char c = held.ok() ? 'y' : 'n';
    (void)!write(ready[1], &c, 1);
    pause();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  EXPECT_EQ(c, 'y');
  EXPECT_FALSE(sandbox::LeaseUids(3'000'004, 8, file).ok());
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_TRUE(sandbox::LeaseUids(3'000'004, 8, file).ok());
  close(ready[0]);
  close(ready[1]);
  judge_test::RemoveTree(dir);
}

TEST(SeccompTest, PrebuiltProgramsMatchTheRules) {
  // The programs compiled into the sandbox at build time are what libseccomp makes of the
  // rules now (a stale build would load yesterday's allow-list).
  for (sandbox::Profile p : {sandbox::Profile::kRun, sandbox::Profile::kRunJvm,
                             sandbox::Profile::kRunV8, sandbox::Profile::kCompile}) {
    auto fresh = sandbox::BuildSeccompProgram(p);
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    const auto& prebuilt = sandbox::PrebuiltSeccompProgram(p).code;
    ASSERT_EQ(prebuilt.size(), fresh->code.size());
    for (size_t i = 0; i < prebuilt.size(); ++i) {
      EXPECT_EQ(prebuilt[i].code, fresh->code[i].code) << i;
      EXPECT_EQ(prebuilt[i].k, fresh->code[i].k) << i;
      EXPECT_EQ(prebuilt[i].jt, fresh->code[i].jt) << i;
      EXPECT_EQ(prebuilt[i].jf, fresh->code[i].jf) << i;
    }
  }
}

TEST(ResultJsonTest, HasTheDocumentedFieldsAndEscapes) {
  RunResult r;
  r.status = RunStatus::kSecurityViolation;
  r.syscall = "socket";
  r.message = "a \"quote\"\n\xff";
  r.cpu_ms = 3;
  std::string json = sandbox::ResultToJson(r);
  EXPECT_EQ(json,
            "{\"status\":\"SECURITY_VIOLATION\",\"exit_code\":0,\"signal\":0,\"syscall\":"
            "\"socket\",\"cpu_ms\":3,\"wall_ms\":0,\"memory_kib\":0,\"message\":\"a "
            "\\\"quote\\\"\\n\\ufffd\",\"approximate\":[]}");
}

}  // namespace
