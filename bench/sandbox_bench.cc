// Sandbox cost, measured side by side in one process:
//   BM_PlainForkExecWait   fork + execve + wait of /bin/true, no isolation
//   BM_SandboxRun/2        Sandbox::Run(/bin/true) with all namespaces, cgroup and seccomp, from
//                          a pool of pre-forked boxes (the judge's configuration)
//   BM_SandboxRun/1        the same, each run cloning its own box
//   BM_SandboxRun/0        the same, no pool and no cgroup (to show what the cgroup costs)
//   BM_SandboxRunParallel  the pooled one from 2 threads (runs per second with 2 slots)
//   BM_PooledVsPlain       a plain fork+exec and a pooled Run, in a random order each time, each
//                          timed after an untimed run of its own kind: their medians and the
//                          ratio as counters (both see the same machine load)
// and, with --leak-check=N, N runs followed by the process's fd count, RSS, mounts and cgroups.
#include <dirent.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "sandbox/sandbox.h"

extern char** environ;

namespace {

std::unique_ptr<sandbox::Sandbox> g_sandbox;            // pool of 2, cgroups
std::unique_ptr<sandbox::Sandbox> g_sandbox_no_pool;    // cgroups
std::unique_ptr<sandbox::Sandbox> g_sandbox_no_cgroup;  // neither

sandbox::RunSpec TrueSpec() {
  sandbox::RunSpec spec;
  sandbox::Sandbox::AddSystemMounts(spec);
  spec.argv = {"/bin/true"};
  spec.limits.cpu_time_ms = 1000;
  spec.limits.wall_time_ms = 5000;
  spec.limits.memory_bytes = 64 << 20;
  return spec;
}

void PlainForkExecWait() {
  pid_t pid = fork();
  if (pid == 0) {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    execve("/bin/true", argv, environ);
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
}

void BM_PlainForkExecWait(benchmark::State& state) {
  for (auto _ : state) PlainForkExecWait();
}
BENCHMARK(BM_PlainForkExecWait)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_SandboxRun(benchmark::State& state) {
  sandbox::RunSpec spec = TrueSpec();
  sandbox::Sandbox* sb = state.range(0) == 2   ? g_sandbox.get()
                         : state.range(0) == 1 ? g_sandbox_no_pool.get()
                                               : g_sandbox_no_cgroup.get();
  for (auto _ : state) {
    auto r = sb->Run(spec);
    if (!r.ok() || r->status != sandbox::RunStatus::kOk) {
      std::fprintf(stderr, "run failed: %s\n",
                   r.ok() ? r->message.c_str() : std::string(r.status().message()).c_str());
      state.SkipWithError("run failed");
      break;
    }
  }
}
BENCHMARK(BM_SandboxRun)->Arg(2)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);
BENCHMARK(BM_SandboxRun)->Name("BM_SandboxRunParallel")->Arg(2)->Threads(2)->UseRealTime()
    ->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_PooledVsPlain(benchmark::State& state) {
  sandbox::RunSpec spec = TrueSpec();
  std::vector<double> plain, pooled;
  auto ms_since = [](std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
        .count();
  };
  // What a run leaves to the kernel (namespaces and cgroups are freed asynchronously) lands on
  // whatever comes next: each timed run follows an untimed one of its own kind (as in
  // spawn_timer), the two kinds in a random order each time.
  std::mt19937 rng(42);
  for (auto _ : state) {
    const bool plain_first = rng() & 1;
    for (int k = 0; k < 4; ++k) {
      const bool timed = k % 2 == 1;
      auto t0 = std::chrono::steady_clock::now();
      if ((k < 2) == plain_first) {
        PlainForkExecWait();
        if (timed) plain.push_back(ms_since(t0));
        continue;
      }
      auto r = g_sandbox->Run(spec);
      if (timed) pooled.push_back(ms_since(t0));
      if (!r.ok() || r->status != sandbox::RunStatus::kOk) {
        state.SkipWithError("run failed");
        return;
      }
    }
  }
  auto median = [](std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  const double p = median(plain), s = median(pooled);
  state.counters["plain_ms"] = p;
  state.counters["pooled_ms"] = s;
  state.counters["ratio"] = s / p;
}
BENCHMARK(BM_PooledVsPlain)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(4.0);

int CountFds() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n - 1;  // the DIR itself
}

long RssKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

int CountLines(const char* path, const std::string& needle) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) n += line.find(needle) != std::string::npos;
  return n;
}

int LeakCheck(int runs) {
  sandbox::RunSpec spec = TrueSpec();
  auto report = [&](int done) {
    std::printf("after %6d runs: fds %d, rss %ld KiB, work mounts %d\n", done, CountFds(),
                RssKib(), CountLines("/proc/self/mountinfo", g_sandbox->runtime_dir()));
  };
  report(0);
  for (int i = 1; i <= runs; ++i) {
    auto r = g_sandbox->Run(spec);
    if (!r.ok() || r->status != sandbox::RunStatus::kOk) {
      std::fprintf(stderr, "run %d failed\n", i);
      return 1;
    }
    if (i == 100 || i % 2500 == 0) report(i);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sandbox::SandboxOptions options;
  options.slots = 2;
  options.prespawn = 2;
  // Separate uid ranges: the three sandboxes live side by side.
  for (auto* sb : {&g_sandbox, &g_sandbox_no_pool, &g_sandbox_no_cgroup}) {
    auto made = sandbox::Sandbox::Create(options);
    if (!made.ok()) {
      std::fprintf(stderr, "sandbox: %s\n", std::string(made.status().message()).c_str());
      return 1;
    }
    *sb = std::move(*made);
    options.uid_base += 64;
    options.prespawn = 0;
    if (sb == &g_sandbox_no_pool) options.cgroups = sandbox::CgroupMode::kNone;
  }
  std::printf("cgroups: %s\n", g_sandbox->cgroups().Describe().c_str());
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--leak-check=", 13) == 0) return LeakCheck(std::atoi(argv[i] + 13));
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  g_sandbox.reset();
  g_sandbox_no_pool.reset();
  g_sandbox_no_cgroup.reset();
  return 0;
}
