// Boxes and the pool that keeps them ready. A box is an init process cloned into fresh user,
// pid, mount, ipc, uts and net namespaces, mapped to two host uids of its own, waiting on its
// socket for a mount plan (it builds its root) and an exec plan (it starts the program). With
// `prespawn` > 0 the pool clones boxes ahead of time, in their cgroups and with their roots
// built for the mounts recent runs asked for; a run whose mounts match takes one. A box serves
// one run and is retired.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/cgroup.h"
#include "sandbox/child.h"
#include "sandbox/mount_plan.h"
#include "sandbox/unique_fd.h"

namespace sandbox::internal {

// What a box's cgroup limits: memory (bytes) and processes (both 0: unlimited).
struct CgroupLimits {
  uint64_t memory_bytes = 0;
  uint32_t processes = 0;
  bool operator==(const CgroupLimits& o) const {
    return memory_bytes == o.memory_bytes && processes == o.processes;
  }
};

// A box: its init waits for its plans on `ctl`. Owns the process: destroying it kills and
// reaps the init (and with it every process of the box) and removes its cgroup.
struct Box {
  uint32_t id = 0;  // owns uids uid_base + 2 id and + 1, stack and arena `id`
  pid_t pid = 0;
  UniqueFd pidfd;
  UniqueFd ctl;  // our end of the box's socket: plans go out, reports come in
  BoxCgroup cgroup;
  std::string key;  // the MountTemplate it was built with ("": bare, no mounts yet)
  bool reaped = false;
  BoxStart start{};  // read by the box (it shares our memory) for as long as it lives

  void Kill() const;  // SIGKILL to the init, and so to every process of the box
  void Reap();        // waits for the init to have exited
  void End();         // Kill, Reap, remove the cgroup
  ~Box() { End(); }
};

struct BoxPoolOptions {
  uint32_t slots = 16;    // boxes for runs that clone their own
  uint32_t prespawn = 0;  // boxes kept ready
  bool refill = true;     // false: clone `prespawn` boxes once (PrespawnOnce), never more
  uint32_t uid_base = 2'000'000;
};

// Whether a run waits for the box being cloned (its init is moved off our CPU to set up
// alongside us) or the box is built ahead.
enum class Wait { kAwaited, kAhead };
// Whether a new box joins its cgroup at once or when a run takes it.
enum class CgroupJoin { kNow, kWhenTaken };

class BoxPool {
 public:
  // `cgroups` and `cgroup_name` belong to the caller and must outlive the pool; they may be
  // filled in after Create, before Start.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<BoxPool>> Create(
      const BoxPoolOptions& options, const CgroupLayout* cgroups, const std::string* cgroup_name);
  ~BoxPool();
  BoxPool(const BoxPool&) = delete;
  BoxPool& operator=(const BoxPool&) = delete;

  // A one-shot pool (refill off): clones the `prespawn` boxes now, building `mounts` when given;
  // they join their cgroups when taken.
  [[nodiscard]] absl::Status PrespawnOnce(const MountTemplate* mounts);
  // Hands out box ids from now on, and starts refilling (refill on).
  void Start();
  // Stops refilling and retires the boxes kept ready. No Take may follow.
  void Close();

  // A box for these mounts, its cgroup joined: one kept ready for them, else a bare one, else
  // cloned now. `limits` are what the pool sets on the boxes it builds next.
  [[nodiscard]] absl::StatusOr<std::unique_ptr<Box>> Take(
      const std::shared_ptr<const MountTemplate>& mounts, CgroupLimits limits);
  // Kills (if needed) and reaps a box and frees its id; its cgroup waits for the id's next box
  // (BoxCgroup::Renew), or is removed once the pool is closed.
  void Retire(std::unique_ptr<Box> box);

  // Where a box's plans go (kArenaSize bytes, shared with the box's init).
  char* Arena(uint32_t id) const;

 private:
  BoxPool(const BoxPoolOptions& options, const CgroupLayout* cgroups,
          const std::string* cgroup_name)
      : options_(options), cgroups_(cgroups), cgroup_name_(cgroup_name) {}
  char* Stack(uint32_t id) const;
  // Clones box `id`; with `mounts` it starts building its root at once, without it is bare.
  absl::StatusOr<std::unique_ptr<Box>> Spawn(uint32_t id, const MountTemplate* mounts, Wait wait,
                                             CgroupJoin join);
  // The best box for `mounts` that is ready (or ids to clone one), under the lock.
  struct Pick {
    std::unique_ptr<Box> box;  // a ready box, or
    bool have_id = false;      // an id to clone one with
    uint32_t id = 0;
    std::vector<std::unique_ptr<Box>> stale;  // ready boxes no run wants any more
  };
  Pick PickLocked(std::unique_lock<std::mutex>& lock, const MountTemplate& mounts);
  // Makes a ready box fit for this run: its mounts if bare, its cgroup if it has none.
  absl::Status Prepare(Box& box, const MountTemplate& mounts);
  absl::Status JoinCgroup(Box& box);
  void RefillLoop();
  bool WantedLocked(const std::string& key) const;
  std::shared_ptr<const MountTemplate> NextTemplateLocked() const;

  BoxPoolOptions options_;
  const CgroupLayout* cgroups_;
  const std::string* cgroup_name_;
  void* stacks_ = nullptr;  // per box id: clone stacks of init and the program
  void* arenas_ = nullptr;  // per box id: where the plans are built (see child.h)
  size_t boxes_ = 0;        // slots + prespawn

  std::mutex mu_;
  std::condition_variable changed_;  // a box id or a ready box became free; or stop
  std::vector<uint32_t> free_ids_;
  std::deque<std::unique_ptr<Box>> idle_;
  // What the pool builds: the last distinct mounts asked for (at most `prespawn`, most recent
  // first), with the last run's cgroup limits.
  std::deque<std::shared_ptr<const MountTemplate>> templates_;
  CgroupLimits pool_limits_;
  std::vector<std::string> spawning_keys_;  // keys of boxes being cloned by the pool ("" bare)
  bool refill_failed_ = false;              // stop trying until the next run
  bool stopping_ = false;
  bool closed_ = false;
  uint64_t box_counter_ = 0;
  // Per box id: the cgroup its last box left (empty if none). Touched only by whoever holds
  // the id (handing ids over under mu_ orders the accesses).
  std::vector<BoxCgroup> spare_cgroups_;
  std::thread refiller_;
};

}  // namespace sandbox::internal
