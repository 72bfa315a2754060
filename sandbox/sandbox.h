// The sandbox: one call, Run(spec) -> StatusOr<RunResult>.
//
// A non-OK status means the sandbox itself broke (an internal error); how the program ended,
// limits and security violations included, is data in RunResult.
//
// Thread safety: Run() may be called from many threads at once; at most `options.slots` run at
// a time (the others wait). Every box, running or waiting in the pool, has its own pair of
// unprivileged host uids, so boxes cannot signal or read each other even through shared files.
//
// The pool: with `options.prespawn` > 0 a background thread keeps that many boxes cloned ahead
// of time, each in fresh namespaces, in its cgroup and with its root already built for mounts
// recent runs asked for. A run whose mounts match takes one and only sends it the program; any
// other run takes a bare box or clones its own on the spot. A box serves one run and is gone.
//
// Where things are: Run (sandbox.cc) is the list of steps; the root is planned in
// mount_plan.cc, boxes are cloned and kept in box_pool.cc, the program's start is planned in
// exec_plan.cc, streams are opened in stdio.cc, a run is watched in supervise.cc and how it
// ended is decided in classify.cc. The box's own side (raw syscalls only) is child.cc.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "sandbox/box_dir.h"
#include "sandbox/cgroup.h"
#include "sandbox/spec.h"
#include "sandbox/uid_lease.h"

namespace sandbox {

namespace internal {
struct Box;
class BoxPool;
class MountTemplate;
struct Supervised;
}  // namespace internal

struct SandboxOptions {
  // Where the sandbox keeps its mount points and work dirs; a per-process subdirectory is made.
  std::string runtime_dir = "/run/judge-sandbox";
  // Concurrent runs.
  uint32_t slots = 16;
  // Boxes kept ready (see above); 0: every run clones its own box. Before the first run they are
  // bare (cloned, in their cgroup, waiting for their mounts).
  uint32_t prespawn = 0;
  // false: clone `prespawn` boxes once, in Create() (with the first run's mounts when it is
  // given), and never more (a one-shot process such as sandbox-run: its box builds its root
  // while it sets up the rest).
  bool refill = true;
  // Box i (of slots + prespawn) owns host uids uid_base + 2i (the box's init) and
  // uid_base + 2i + 1 (the program); no such users should exist. The range is this sandbox's
  // alone on the host while it lives (uid_lease.h): 0 takes the first free one from 2,000,000
  // on; a range another sandbox holds is refused.
  uint32_t uid_base = 0;
  CgroupMode cgroups = CgroupMode::kAuto;
};

class Sandbox {
 public:
  // Checks privileges, detects cgroups, removes what a killed earlier process left in
  // runtime_dir and starts the pool. With refill off, `first` (the spec of the run to come) lets
  // the prespawned boxes build their roots at once, while Create sets up the rest.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Sandbox>> Create(
      const SandboxOptions& options, const RunSpec* first = nullptr);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Ends the pool and removes the sandbox's cgroups and directories: all the destructor does
  // but free memory. No run may be in progress or follow. For a process about to _exit (the
  // kernel frees the memory faster than munmap does: sandbox-run).
  void Close();

  [[nodiscard]] absl::StatusOr<RunResult> Run(const RunSpec& spec);

  // A fresh work dir for a box (see RunSpec::host_workdir), removed when the BoxDir dies.
  [[nodiscard]] absl::StatusOr<BoxDir> MakeBoxDir(uint64_t size_bytes, uint32_t inodes) const;

  const CgroupLayout& cgroups() const { return cgroups_; }
  // The host uids this sandbox's boxes run as: [first, first + count).
  uint32_t uid_base() const { return uids_.base; }
  uint32_t uid_count() const { return uids_.count; }
  const std::string& runtime_dir() const { return dir_; }

  // Boxes bind-mount host paths as an unprivileged uid: every directory on the way to `path`
  // must be searchable by others (o+x). The error names the first one that is not.
  [[nodiscard]] static absl::Status CheckReachableByBoxes(const std::string& path);

  // Read-only mounts and links that let dynamically linked programs from /usr run in a box:
  // /usr, /etc/ld.so.cache, and /bin, /lib, /lib64, /sbin as in Debian's merged /usr.
  static void AddSystemMounts(RunSpec& spec);

 private:
  explicit Sandbox(const SandboxOptions& options);
  // The planned root for `spec`: the one planned in Create for a one-shot sandbox's first run
  // when `spec` asks for the same mounts (once), else planned now.
  absl::StatusOr<std::shared_ptr<const internal::MountTemplate>> PlanFor(const RunSpec& spec);
  // At most `slots` runs at a time: waits for a free one.
  void AcquireSlot();
  void ReleaseSlot();
  // The result from what supervision saw and the box's cgroup (then removed).
  absl::StatusOr<RunResult> Conclude(const RunSpec& spec, internal::Box& box,
                                     internal::Supervised seen,
                                     std::chrono::steady_clock::time_point start) const;

  SandboxOptions options_;
  std::string dir_;       // <runtime_dir>/<pid>-<n>: parent of the work dirs, made on first use
  std::string root_dir_;  // <runtime_dir>/root: each box mounts its root here, in its own namespace
  std::string cgroup_name_;
  CgroupLayout cgroups_;
  UidLease uids_;
  std::unique_ptr<internal::BoxPool> pool_;
  std::shared_ptr<internal::MountTemplate> first_template_;  // see PlanFor
  RunSpec first_spec_;                                       // what first_template_ was planned for

  mutable std::mutex mu_;
  mutable bool dir_made_ = false;
  std::condition_variable slot_freed_;
  uint32_t running_ = 0;
  bool closed_ = false;
};

}  // namespace sandbox
