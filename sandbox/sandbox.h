// The sandbox: one call, Run(spec) -> StatusOr<RunResult>.
//
// A non-OK status means the sandbox itself broke (an internal error); how the program ended,
// limits and security violations included, is data in RunResult.
//
// Thread safety: Run() may be called from many threads at once; each run takes one of
// `options.slots` slots (blocking while all are busy), and each slot has its own unprivileged
// host uid, so concurrent boxes cannot signal or read each other even through shared files.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/box_dir.h"
#include "sandbox/cgroup.h"
#include "sandbox/seccomp_profile.h"
#include "sandbox/spec.h"

namespace sandbox {

struct SandboxOptions {
  // Where the sandbox keeps its mount points and work dirs; a per-process subdirectory is made.
  std::string runtime_dir = "/run/judge-sandbox";
  // Concurrent runs. Slot i owns host uids uid_base + 2i (the box's init) and uid_base + 2i + 1
  // (the program); no such users should exist.
  uint32_t slots = 16;
  uint32_t uid_base = 2'000'000;
  CgroupMode cgroups = CgroupMode::kAuto;
};

class Sandbox {
 public:
  // Checks privileges, detects cgroups, builds the seccomp programs and removes what a killed
  // earlier process left in runtime_dir.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Sandbox>> Create(
      const SandboxOptions& options);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  [[nodiscard]] absl::StatusOr<RunResult> Run(const RunSpec& spec);

  // A fresh work dir for a box (see RunSpec::host_workdir), removed when the BoxDir dies.
  [[nodiscard]] absl::StatusOr<BoxDir> MakeWorkDir(uint64_t size_bytes, uint32_t inodes) const;

  const CgroupLayout& cgroups() const { return cgroups_; }
  const std::string& runtime_dir() const { return dir_; }

  // Boxes bind-mount host paths as an unprivileged uid: every directory on the way to `path`
  // must be searchable by others (o+x). The error names the first one that is not.
  [[nodiscard]] static absl::Status CheckReachableByBoxes(const std::string& path);

  // Read-only mounts and links that let dynamically linked programs from /usr run in a box:
  // /usr, /etc/ld.so.cache, and /bin, /lib, /lib64, /sbin as in Debian's merged /usr.
  static void AddSystemMounts(RunSpec& spec);

 private:
  explicit Sandbox(const SandboxOptions& options) : options_(options) {}
  absl::StatusOr<const SeccompProgram*> Filter(Profile profile);
  uint32_t AcquireSlot();
  void ReleaseSlot(uint32_t slot);

  SandboxOptions options_;
  std::string dir_;       // <runtime_dir>/<pid>-<n>
  std::string root_dir_;  // empty mount point for each box's root tmpfs
  std::string work_dir_;  // parent of BoxDirs
  std::string cgroup_name_;
  CgroupLayout cgroups_;
  // Built on first use, under mu_; never rebuilt, so the pointers Filter() returns stay valid.
  std::optional<SeccompProgram> run_filter_, compile_filter_;
  void* stacks_ = nullptr;  // one clone stack per slot
  size_t stacks_size_ = 0;

  std::mutex mu_;
  std::condition_variable slot_free_;
  std::vector<uint32_t> free_slots_;
  uint64_t run_counter_ = 0;
};

}  // namespace sandbox
