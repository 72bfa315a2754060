#include "sandbox/sandbox.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sandbox/box_channel.h"
#include "sandbox/box_memory.h"
#include "sandbox/box_pool.h"
#include "sandbox/classify.h"
#include "sandbox/exec_plan.h"
#include "sandbox/mount_plan.h"
#include "sandbox/seccomp_profile.h"
#include "sandbox/stale.h"
#include "sandbox/stdio.h"
#include "sandbox/supervise.h"

namespace sandbox {
namespace {

using internal::Box;
using internal::BoxPool;
using internal::CgroupLimits;
using internal::MountTemplate;
using internal::Supervised;
using Clock = std::chrono::steady_clock;

std::atomic<uint64_t> g_sandbox_counter{0};

// Removes what a killed earlier process left: work tmpfs mounts and directories of dead pids.
// Only `root` there is the usual case, seen with one stat.
void RemoveStaleRuntimeDirs(const std::string& runtime_dir) {
  ForEachLeftByDeadProcess(runtime_dir, "", 1, [](const std::string& dir) {
    const std::string work = dir + "/work";
    ForEachEntry(work, [&](const std::string& name) {
      if (name[0] == '.') return;
      std::string p = work + "/" + name;
      umount2(p.c_str(), MNT_DETACH);
      rmdir(p.c_str());
    });
    rmdir(work.c_str());
    rmdir((dir + "/root").c_str());
    rmdir(dir.c_str());
  });
}

absl::Status MakeDir(const std::string& path) {
  if (mkdir(path.c_str(), 0711) != 0 && errno != EEXIST) {
    return absl::ErrnoToStatus(errno, "mkdir " + path);
  }
  return absl::OkStatus();
}

// The box's cgroup: the run's memory, and its processes plus the box's init.
// The memory cgroup is a backstop above the limit: what the limit is enforced on is the
// program's own peak resident memory (the figure a run shows, see Conclude), never the page
// cache, kernel memory or files the judge stages that a cgroup also counts. The backstop
// leaves room for those and for the box's /tmp (the program's own files, a tmpfs), and stops a
// program that grows past its limit faster than it ends.
CgroupLimits BoxCgroupLimits(const Limits& limits) {
  const uint64_t memory =
      limits.memory_bytes > 0 ? limits.memory_bytes + limits.tmp_bytes + (32ull << 20) : 0;
  return CgroupLimits{memory, limits.processes > 0 ? limits.processes + 1 : 0};
}

}  // namespace

void Sandbox::AddSystemMounts(RunSpec& spec) {
  spec.mounts.push_back({"/usr", "/usr", false});
  if (access("/etc/ld.so.cache", R_OK) == 0) {
    spec.mounts.push_back({"/etc/ld.so.cache", "/etc/ld.so.cache", false});
  }
  for (const char* dir : {"/bin", "/lib", "/lib64", "/sbin"}) {
    char target[256];
    ssize_t n = readlink(dir, target, sizeof target - 1);
    if (n > 0) {
      spec.symlinks.push_back({std::string(target, n), dir});  // merged /usr: usr/bin etc.
    } else if (access(dir, F_OK) == 0) {
      spec.mounts.push_back({dir, dir, false});
    }
  }
}

absl::Status Sandbox::CheckReachableByBoxes(const std::string& path) {
  std::string prefix;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    absl::StrAppend(&prefix, "/", part);
    struct stat st {};
    if (stat(prefix.c_str(), &st) != 0) return absl::ErrnoToStatus(errno, "stat " + prefix);
    if (S_ISDIR(st.st_mode) && (st.st_mode & S_IXOTH) == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, " is not reachable by the sandbox's unprivileged uids: ", prefix,
                       " lacks o+x (chmod o+x ", prefix, ", or use a directory outside it)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Sandbox>> Sandbox::Create(const SandboxOptions& options,
                                                         const RunSpec* first) {
  if (geteuid() != 0) {
    return absl::FailedPreconditionError(
        "the sandbox must run as root: it creates user, pid and mount namespaces, maps each "
        "box to its own unprivileged uid, mounts tmpfs work dirs and manages cgroups");
  }
  if (options.slots == 0 || options.slots > 4096) {
    return absl::InvalidArgumentError("slots must be between 1 and 4096");
  }
  std::unique_ptr<Sandbox> sb(new Sandbox(options));
  absl::StatusOr<UidLease> uids =
      LeaseUids(options.uid_base, 2 * (options.slots + options.prespawn));
  if (!uids.ok()) return uids.status();
  sb->uids_ = *std::move(uids);
  absl::StatusOr<std::unique_ptr<BoxPool>> pool =
      BoxPool::Create({options.slots, options.prespawn, options.refill, sb->uids_.base},
                      &sb->cgroups_, &sb->cgroup_name_);
  if (!pool.ok()) return pool.status();
  sb->pool_ = *std::move(pool);
  if (absl::Status s = MakeDir(options.runtime_dir); !s.ok()) return s;
  // Each box's init builds its root as an unprivileged uid: it must be able to reach it.
  if (absl::Status s = CheckReachableByBoxes(options.runtime_dir); !s.ok()) return s;
  // Shared by every box of every judge on this runtime dir: each mounts its root over it in its
  // own mount namespace, so nothing is made or removed per process.
  sb->root_dir_ = options.runtime_dir + "/root";
  if (absl::Status s = MakeDir(sb->root_dir_); !s.ok()) return s;
  // A pool that is filled once (a one-shot process) is cloned right here, with the first run's
  // mounts: the boxes build their roots while we do the rest, and join their cgroups when taken.
  if (!options.refill) {
    if (first != nullptr) {
      absl::StatusOr<std::shared_ptr<MountTemplate>> made =
          internal::PlanMounts(*first, sb->root_dir_);
      if (!made.ok()) return made.status();
      sb->first_template_ = *made;
      sb->first_spec_ = *first;
    }
    if (absl::Status s = sb->pool_->PrespawnOnce(sb->first_template_.get()); !s.ok()) return s;
  }
  RemoveStaleRuntimeDirs(options.runtime_dir);
  uint64_t n = g_sandbox_counter.fetch_add(1);
  sb->dir_ = absl::StrCat(options.runtime_dir, "/", getpid(), "-", n);
  sb->cgroup_name_ = absl::StrCat("sandbox-", getpid(), "-", n);
  // One box at a time for good: its cgroups can go straight into ours (see SetUpCgroups).
  const bool flat = options.slots == 1 && !options.refill;
  absl::StatusOr<CgroupLayout> layout = SetUpCgroups(options.cgroups, sb->cgroup_name_, flat);
  if (!layout.ok()) return layout.status();
  sb->cgroups_ = *layout;
  sb->pool_->Start();
  return sb;
}

Sandbox::Sandbox(const SandboxOptions& options) : options_(options) {}

Sandbox::~Sandbox() { Close(); }

void Sandbox::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
  }
  if (pool_) pool_->Close();
  TearDownCgroups(cgroups_);
  if (dir_made_) {
    rmdir((dir_ + "/work").c_str());
    rmdir(dir_.c_str());
  }
}

absl::StatusOr<BoxDir> Sandbox::MakeBoxDir(uint64_t size_bytes, uint32_t inodes) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!dir_made_) {
      if (absl::Status s = MakeDir(dir_); !s.ok()) return s;
      if (absl::Status s = MakeDir(dir_ + "/work"); !s.ok()) return s;
      dir_made_ = true;
    }
  }
  return BoxDir::Create(dir_ + "/work", size_bytes, inodes);
}

absl::StatusOr<std::shared_ptr<const MountTemplate>> Sandbox::PlanFor(const RunSpec& spec) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_template_ != nullptr && internal::SameMounts(spec, first_spec_)) {
      // Planned moments ago; the box checks each bind against what the plan saw anyway.
      return std::shared_ptr<const MountTemplate>(std::move(first_template_));
    }
  }
  absl::StatusOr<std::shared_ptr<MountTemplate>> planned = internal::PlanMounts(spec, root_dir_);
  if (!planned.ok()) return planned.status();
  return std::shared_ptr<const MountTemplate>(*std::move(planned));
}

void Sandbox::AcquireSlot() {
  std::unique_lock<std::mutex> lock(mu_);
  slot_freed_.wait(lock, [&] { return running_ < options_.slots; });
  ++running_;
}

void Sandbox::ReleaseSlot() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
  }
  slot_freed_.notify_one();
}

absl::StatusOr<RunResult> Sandbox::Run(const RunSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return absl::InvalidArgumentError("argv is empty");
  }
  absl::StatusOr<std::shared_ptr<const MountTemplate>> mounts = PlanFor(spec);
  if (!mounts.ok()) return mounts.status();
  absl::StatusOr<internal::Stdio> io = internal::OpenStdio(spec);
  if (!io.ok()) return io.status();
  const std::vector<internal::RlimitOp> rlimits = internal::PlanRlimits(spec.limits, cgroups_);

  AcquireSlot();
  struct SlotGuard {
    Sandbox* sb;
    ~SlotGuard() { sb->ReleaseSlot(); }
  } slot{this};
  const CgroupLimits cgroup_limits = BoxCgroupLimits(spec.limits);
  absl::StatusOr<std::unique_ptr<Box>> taken = pool_->Take(*mounts, cgroup_limits);
  if (!taken.ok()) return taken.status();
  struct BoxGuard {  // whatever happens, the box is retired
    BoxPool* pool;
    std::unique_ptr<Box> box;
    ~BoxGuard() { pool->Retire(std::move(box)); }
  } guard{pool_.get(), *std::move(taken)};
  Box& box = *guard.box;
  if (absl::Status s = box.cgroup.SetLimits(cgroup_limits.memory_bytes, cgroup_limits.processes);
      !s.ok()) {
    return s;
  }
  char* exec_space = pool_->Arena(box.id) + internal::kExecPlanOffset;
  absl::StatusOr<size_t> plan_size =
      internal::WriteExecPlan(exec_space, spec, rlimits, PrebuiltSeccompProgram(spec.profile));
  if (!plan_size.ok()) return plan_size.status();

  // Go: the program starts as soon as the box has the plan.
  const Clock::time_point start = Clock::now();
  if (absl::Status s = internal::SendPlan(box.ctl.get(), internal::PlanHeader::kExec, *plan_size,
                                          internal::kExecPlanOffset, io->child, 3);
      !s.ok()) {
    return s;
  }
  // We keep our copies of the write ends of the output pipes: they never report EOF, so the
  // program's exit does not wake us on its own. The init's exit tells us the box is done
  // (every process of it is gone by then), and we read what is left in the pipes, and its
  // reports.
  io->stdin_fd.Reset();
  absl::StatusOr<Supervised> seen = internal::Supervise(box, *io, spec, cgroups_, start);
  if (!seen.ok()) return seen.status();
  return Conclude(spec, box, *std::move(seen), start);
}

absl::StatusOr<RunResult> Sandbox::Conclude(const RunSpec& spec, Box& box, Supervised seen,
                                            Clock::time_point start) const {
  RunResult result;
  result.stdout_data = std::move(seen.stdout_data);
  result.stderr_data = std::move(seen.stderr_data);
  result.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(seen.end - start).count();
  result.cpu_ms =
      cgroups_.has_cpu() ? box.cgroup.CpuUsageNs() / 1'000'000 : seen.exit_cpu_us / 1000;
  // The program's own peak resident memory (VmHWM), read by the box's init when the program
  // called exit_group. A program killed by a signal never calls it: then an estimate, the
  // cgroup's peak (which also counts page cache the box charged) or, without a memory cgroup,
  // getrusage's maximum (which also counts the judge's memory the program was cloned from).
  if (seen.exit_peak_kib >= 0) {
    result.memory_kib = static_cast<uint64_t>(seen.exit_peak_kib);
  } else if (cgroups_.has_memory()) {
    result.memory_kib = box.cgroup.PeakMemoryBytes() / 1024;
  } else {
    result.memory_kib = seen.exit_maxrss_kib;
  }
  // The memory limit kills with SIGKILL. Under a run profile the program is the box's only
  // process (threads share its fate): if it ended otherwise, nothing was killed for memory.
  internal::RunFacts& facts = seen.facts;
  const bool killed =
      !facts.got_exit || (WIFSIGNALED(facts.wait_status) && WTERMSIG(facts.wait_status) == SIGKILL);
  facts.oom = (killed || spec.profile == Profile::kCompile) && box.cgroup.OomKilled();
  facts.cpu_ms = result.cpu_ms;
  // An estimate decides nothing: only a known peak over the limit, or the cgroup's kill, is
  // MEMORY_LIMIT; and an estimate is never shown above the limit beside another status.
  facts.memory_kib = seen.exit_peak_kib >= 0 ? result.memory_kib : 0;
  if (!cgroups_.has_cpu()) result.approximate.push_back("cpu_time");
  if (!cgroups_.has_memory()) result.approximate.push_back("memory");
  if (!cgroups_.has_pids()) result.approximate.push_back("processes");
  if (absl::Status s = internal::Classify(facts, spec.limits, &result); !s.ok()) return s;
  if (result.status != RunStatus::kMemoryLimit && spec.limits.memory_bytes > 0) {
    result.memory_kib = std::min<uint64_t>(result.memory_kib, spec.limits.memory_bytes / 1024);
  }
  return result;
}

}  // namespace sandbox
