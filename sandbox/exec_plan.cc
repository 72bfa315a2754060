#include "sandbox/exec_plan.h"

#include <sys/resource.h>

#include <algorithm>
#include <string>

#include "sandbox/box_channel.h"
#include "sandbox/box_memory.h"

namespace sandbox::internal {
namespace {

rlimit Lim(uint64_t v) { return rlimit{v, v}; }

// Where to look for argv[0]: itself when it is a path, else the usual bin directories.
std::vector<std::string> ExecPaths(const std::string& argv0) {
  if (argv0.find('/') != std::string::npos) return {argv0};
  std::vector<std::string> paths;
  for (const char* dir : {"/usr/local/bin/", "/usr/bin/", "/bin/"}) paths.push_back(dir + argv0);
  return paths;
}

}  // namespace

std::vector<RlimitOp> PlanRlimits(const Limits& limits, const CgroupLayout& cgroups) {
  std::vector<RlimitOp> rlimits;
  if (limits.cpu_time_ms > 0) {
    // A backstop per process; the cgroup total (polled) is the real limit where it exists.
    uint64_t secs = (limits.cpu_time_ms + 999) / 1000 + (cgroups.has_cpu() ? 1 : 0);
    rlimits.push_back({RLIMIT_CPU, rlimit{secs, secs + 1}});
  }
  if (limits.memory_bytes > 0 && !cgroups.has_memory()) {
    rlimits.push_back({RLIMIT_AS, Lim(limits.memory_bytes + limits.address_space_extra_bytes)});
  }
  rlimits.push_back(
      {RLIMIT_FSIZE, Lim(limits.file_size_bytes ? limits.file_size_bytes : RLIM_INFINITY)});
  rlimits.push_back({RLIMIT_NOFILE, Lim(std::max<uint32_t>(limits.open_files, 8))});
  rlimits.push_back({RLIMIT_STACK, Lim(limits.stack_bytes ? limits.stack_bytes : RLIM_INFINITY)});
  rlimits.push_back({RLIMIT_CORE, Lim(0)});  // no core files
  rlimits.push_back({RLIMIT_MEMLOCK, Lim(64 * 1024)});
  rlimits.push_back({RLIMIT_MSGQUEUE, Lim(0)});
  if (limits.processes > 0) {
    // Counted per host uid, which is unique to this box.
    rlimits.push_back({RLIMIT_NPROC, Lim(limits.processes)});
  }
  return rlimits;
}

absl::StatusOr<size_t> WriteExecPlan(char* at, const RunSpec& spec,
                                     const std::vector<RlimitOp>& rlimits,
                                     const SeccompProgram& filter) {
  const std::vector<std::string> exec_paths = ExecPaths(spec.argv[0]);
  ArenaWriter w(at, kPlanSpace);
  ExecPlan* plan = w.Alloc<ExecPlan>();
  RlimitOp* rl = w.Alloc<RlimitOp>(rlimits.size());
  const char** paths = w.Alloc<const char*>(exec_paths.size());
  char** av = w.Alloc<char*>(spec.argv.size() + 1);
  char** ev = w.Alloc<char*>(spec.env.size() + 1);
  sock_filter* bpf = w.Alloc<sock_filter>(filter.fprog().len);
  if (plan == nullptr || rl == nullptr || paths == nullptr || av == nullptr || ev == nullptr ||
      bpf == nullptr) {
    return absl::InvalidArgumentError("argv and env are too large for the box");
  }
  std::copy(rlimits.begin(), rlimits.end(), rl);
  for (size_t i = 0; i < exec_paths.size(); ++i) paths[i] = w.Str(exec_paths[i].c_str());
  for (size_t i = 0; i < spec.argv.size(); ++i) {
    av[i] = const_cast<char*>(w.Str(spec.argv[i].c_str()));
  }
  av[spec.argv.size()] = nullptr;
  for (size_t i = 0; i < spec.env.size(); ++i)
    ev[i] = const_cast<char*>(w.Str(spec.env[i].c_str()));
  ev[spec.env.size()] = nullptr;
  memcpy(bpf, filter.fprog().filter, filter.fprog().len * sizeof(sock_filter));
  plan->rlimits = rl;
  plan->rlimit_count = static_cast<int>(rlimits.size());
  plan->exec_paths = paths;
  plan->exec_path_count = static_cast<int>(exec_paths.size());
  plan->argv = av;
  plan->envp = ev;
  plan->workdir = w.Str(spec.workdir.c_str());
  plan->uid = kBoxUid;
  plan->gid = kBoxUid;
  plan->filter = sock_fprog{filter.fprog().len, bpf};
  if (w.full()) return absl::InvalidArgumentError("argv and env are too large for the box");
  return w.used();
}

}  // namespace sandbox::internal
