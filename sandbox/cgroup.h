// Box cgroups: v2 or v1, detected once, created under the judge's own cgroup (never at a
// hierarchy root). A box id's cgroup is kept for its next box (see BoxCgroup::Renew).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/unique_fd.h"

namespace sandbox {

enum class CgroupMode { kAuto, kV2, kV1, kNone };

// Where the controllers the sandbox uses live. Detected once per process.
struct CgroupLayout {
  CgroupMode mode = CgroupMode::kNone;
  // v2: the directory boxes are created in. v1: one such directory per controller ("" = absent).
  std::string v2_parent;
  std::string memory_parent, pids_parent, cpuacct_parent;
  // v1 only: the parents are the process's own cgroups, not made by us (see SetUpCgroups).
  bool flat = false;
  bool has_memory() const { return mode == CgroupMode::kV2 || !memory_parent.empty(); }
  bool has_pids() const { return mode == CgroupMode::kV2 || !pids_parent.empty(); }
  bool has_cpu() const { return mode == CgroupMode::kV2 || !cpuacct_parent.empty(); }
  std::string Describe() const;
};

// Finds the hierarchies from /proc/self/mountinfo and /proc/self/cgroup, then creates (or
// reuses) `<own cgroup>/<name>` as the parent of box cgroups. `want` forces a mode; kAuto prefers
// a v2 hierarchy that offers memory and pids, then v1, then none. `flat` (for a process that runs
// one box at a time, such as sandbox-run): on v1, skip that parent level; the box cgroups are
// made right in the process's own cgroups, named `name` (two fewer directories per controller
// to make and remove).
[[nodiscard]] absl::StatusOr<CgroupLayout> SetUpCgroups(CgroupMode want, const std::string& name,
                                                        bool flat = false);

// Removes the parent directories SetUpCgroups created (boxes must be gone).
void TearDownCgroups(const CgroupLayout& layout);

// One box's cgroup (one directory per v1 controller). Move-only; the destructor removes it.
class BoxCgroup {
 public:
  BoxCgroup() noexcept = default;
  BoxCgroup(BoxCgroup&& other) noexcept;
  BoxCgroup& operator=(BoxCgroup&& other) noexcept;
  BoxCgroup(const BoxCgroup&) = delete;
  BoxCgroup& operator=(const BoxCgroup&) = delete;
  ~BoxCgroup();

  // Creates the box cgroup without limits (a pre-forked box joins it before its run).
  [[nodiscard]] static absl::StatusOr<BoxCgroup> Create(const CgroupLayout& layout,
                                                        const std::string& name);
  // Sets the limits; 0 means unlimited. Writes only what differs from the last call (a fresh
  // cgroup is unlimited).
  [[nodiscard]] absl::Status SetLimits(uint64_t memory_bytes, uint32_t processes);

  // Moves a process (host pid) into every controller of the box.
  [[nodiscard]] absl::Status AddProcess(pid_t pid) const;

  // Another run in this cgroup, its last processes gone. Removing a memory cgroup does not free
  // it while page cache is still charged to it: the kernel keeps it as a dying cgroup until
  // that cache is reclaimed, and one per run piles up under load. So a box id keeps its cgroup:
  // the figures below count from here (CPU time and OOM kills against a baseline, the peak
  // reset, and the cache left by earlier runs, reclaimable, not counted). Where the run's memory
  // nears its limit the kernel reclaims that cache and the peak can read low by up to its size:
  // the run's result takes the larger of this peak and the program's own maximum RSS. An error
  // means this cgroup cannot be reused (say, a kernel that cannot reset memory.peak).
  [[nodiscard]] absl::Status Renew();
  // No process is left in any of its directories.
  bool Idle() const;

  uint64_t CpuUsageNs() const;       // since creation or Renew; 0 when unknown
  uint64_t PeakMemoryBytes() const;  // since creation or Renew; 0 when unknown
  bool OomKilled() const;            // the memory limit killed something in the box

  // Removes the directories (retries briefly while the kernel lets go of the last task).
  [[nodiscard]] absl::Status Remove();

  bool empty() const { return dirs_.empty(); }

 private:
  CgroupMode mode_ = CgroupMode::kNone;
  std::vector<std::string> dirs_;  // every directory we created
  std::string memory_dir_, pids_dir_, cpu_dir_;
  // Open from creation on: the end of a run (and each CPU-time check during it) reads them with
  // one pread instead of a path walk, an open and a close.
  UniqueFd cpu_usage_fd_, peak_memory_fd_;
  uint64_t memory_limit_ = 0;
  uint32_t process_limit_ = 0;
  // What the counters read when the current run began (Renew).
  uint64_t cpu_base_ns_ = 0, memory_base_ = 0, oom_base_ = 0;
  uint64_t RawCpuNs() const;
  uint64_t OomKills() const;
  uint64_t MemoryUsage() const;
};

}  // namespace sandbox
