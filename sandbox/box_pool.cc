#include "sandbox/box_pool.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "sandbox/box_channel.h"
#include "sandbox/box_memory.h"

namespace sandbox::internal {
namespace {

// The signals this process ignores, which a box would inherit: field 33 (sigignore, decimal)
// of /proc/self/stat, which the kernel writes faster than /proc/self/status. Fields count from
// the state, after the command name's closing parenthesis (the name may hold anything).
uint64_t IgnoredSignals() {
  char buf[1024];
  UniqueFd fd(open("/proc/self/stat", O_RDONLY | O_CLOEXEC));
  ssize_t n = fd.valid() ? read(fd.get(), buf, sizeof buf - 1) : -1;
  if (n <= 0) return ~0ull;  // unknown: reset them all
  buf[n] = '\0';
  const char* at = strrchr(buf, ')');
  for (int field = 2; at != nullptr && field < 33; ++field) {
    at = strchr(at + 1, ' ');
  }
  return at != nullptr ? strtoull(at + 1, nullptr, 10) : ~0ull;
}

// Box uid 0 (init, for the mounts) and 1000 (the program) are two unprivileged host uids that
// belong to this box alone.
absl::Status WriteIdMaps(pid_t pid, uid_t host_uid) {
  std::string map = absl::StrCat("0 ", host_uid, " 1\n", kBoxUid, " ", host_uid + 1, " 1\n");
  for (const char* file : {"uid_map", "gid_map"}) {
    std::string path = absl::StrCat("/proc/", pid, "/", file);
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid() || write(fd.get(), map.data(), map.size()) != ssize_t(map.size())) {
      return absl::ErrnoToStatus(errno, "writing " + path);
    }
  }
  return absl::OkStatus();
}

}  // namespace

void Box::Kill() const {
  if (!reaped && pidfd.valid()) syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
}

void Box::Reap() {
  if (reaped || !pidfd.valid()) return;
  siginfo_t info{};
  while (waitid(static_cast<idtype_t>(P_PIDFD), pidfd.get(), &info, WEXITED | __WALL) < 0 &&
         errno == EINTR) {
  }
  reaped = true;
}

void Box::End() {
  Kill();
  Reap();
  (void)cgroup.Remove();
}

absl::StatusOr<std::unique_ptr<BoxPool>> BoxPool::Create(const BoxPoolOptions& options,
                                                         const CgroupLayout* cgroups,
                                                         const std::string* cgroup_name) {
  std::unique_ptr<BoxPool> pool(new BoxPool(options, cgroups, cgroup_name));
  pool->boxes_ = size_t{options.slots} + options.prespawn;
  pool->spare_cgroups_.resize(pool->boxes_);
  for (auto [region, size] :
       {std::pair{&pool->stacks_, kStackSize}, std::pair{&pool->arenas_, kArenaSize}}) {
    *region = mmap(nullptr, size * pool->boxes_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (*region == MAP_FAILED) {
      *region = nullptr;
      return absl::ErrnoToStatus(errno, "mmap box stacks and arenas");
    }
  }
  return pool;
}

BoxPool::~BoxPool() {
  Close();
  if (stacks_ != nullptr) munmap(stacks_, kStackSize * boxes_);
  if (arenas_ != nullptr) munmap(arenas_, kArenaSize * boxes_);
}

char* BoxPool::Arena(uint32_t id) const { return static_cast<char*>(arenas_) + kArenaSize * id; }
char* BoxPool::Stack(uint32_t id) const { return static_cast<char*>(stacks_) + kStackSize * id; }

absl::Status BoxPool::PrespawnOnce(const MountTemplate* mounts) {
  for (uint32_t i = 0; i < options_.prespawn; ++i) {
    const uint32_t id = options_.slots + i;  // not among the ids Start hands out
    // Cloned before the cgroups exist: they join when taken.
    absl::StatusOr<std::unique_ptr<Box>> box =
        Spawn(id, mounts, Wait::kAwaited, CgroupJoin::kWhenTaken);
    if (!box.ok()) return box.status();
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(*box));
  }
  return absl::OkStatus();
}

void BoxPool::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = options_.refill ? boxes_ : options_.slots; i > 0; --i) {
      free_ids_.push_back(static_cast<uint32_t>(i - 1));
    }
  }
  if (options_.prespawn > 0 && options_.refill) refiller_ = std::thread([this] { RefillLoop(); });
}

void BoxPool::Close() {
  std::deque<std::unique_ptr<Box>> idle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    stopping_ = true;
    idle.swap(idle_);
  }
  changed_.notify_all();
  if (refiller_.joinable()) refiller_.join();
  for (std::unique_ptr<Box>& box : idle) Retire(std::move(box));
  // Runs are over (no Take may follow Close): the cgroups kept for reuse go.
  std::vector<BoxCgroup> spares;
  {
    std::lock_guard<std::mutex> lock(mu_);
    spares.swap(spare_cgroups_);
    spare_cgroups_.resize(spares.size());
  }
  spares.clear();
}

absl::StatusOr<std::unique_ptr<Box>> BoxPool::Spawn(uint32_t id, const MountTemplate* mounts,
                                                    Wait wait, CgroupJoin join) {
  auto box = std::make_unique<Box>();
  box->id = id;
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
    return absl::ErrnoToStatus(errno, "socketpair");
  }
  box->ctl.Reset(sp[0]);
  UniqueFd ctl_child(sp[1]);
  box->start = BoxStart{ctl_child.get(),  Arena(id), kArenaSize, Stack(id) + kStackSize / 2,
                        IgnoredSignals(), false,     {}};
  // A run waiting for this box: its init sets up its root while we set up the rest, but a new
  // task starts on the CPU of its parent, and a scheduler that packs vCPUs (this VM's does)
  // leaves it waiting there for us while another CPU idles. So we move it off our CPU, and it
  // gives the program our CPUs back before the clone (the program inherits its mask). A box
  // built ahead stays where the scheduler puts it.
  const int our_cpu = wait == Wait::kAwaited ? sched_getcpu() : -1;
  if (our_cpu >= 0 && sched_getaffinity(0, sizeof box->start.cpus, &box->start.cpus) == 0 &&
      CPU_ISSET(our_cpu, &box->start.cpus) && CPU_COUNT(&box->start.cpus) > 1) {
    box->start.restore_cpus = true;
  }
  // CLONE_VM: the box's init runs in our memory (no page tables to copy, nothing to tear down
  // when it exits) until it is gone; untrusted code only ever runs after the program's exec,
  // in an address space of its own. See child.cc.
  int pidfd_raw = -1;
  pid_t pid = clone(ChildInit, Stack(id) + kStackSize,
                    CLONE_VM | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
                        CLONE_NEWUTS | CLONE_NEWNET | CLONE_PIDFD | SIGCHLD,
                    &box->start, &pidfd_raw);
  if (pid < 0) return absl::ErrnoToStatus(errno, "clone");
  if (box->start.restore_cpus) {
    cpu_set_t others = box->start.cpus;
    CPU_CLR(our_cpu, &others);
    sched_setaffinity(pid, sizeof others, &others);  // a hint: if refused, it runs where it is
  }
  box->pid = pid;
  box->pidfd.Reset(pidfd_raw);
  // From here on, dropping `box` kills and reaps the child. On failure the caller still owns
  // the id.
  ctl_child.Reset();
  if (absl::Status s = WriteIdMaps(pid, options_.uid_base + 2 * id); !s.ok()) return s;
  // The box builds its root while we make its cgroup. A bare box waits for its mounts.
  if (mounts != nullptr) {
    if (absl::Status s = SendMountPlan(box->ctl.get(), Arena(id), *mounts); !s.ok()) return s;
    box->key = mounts->key();
  }
  if (join == CgroupJoin::kNow) {
    if (absl::Status s = JoinCgroup(*box); !s.ok()) return s;
  }
  return box;
}

absl::Status BoxPool::JoinCgroup(Box& box) {
  BoxCgroup& spare = spare_cgroups_[box.id];
  if (!spare.empty()) {
    if (spare.Idle() && spare.Renew().ok()) {
      box.cgroup = std::move(spare);
    } else {
      (void)spare.Remove();
    }
  }
  if (box.cgroup.empty()) {
    uint64_t serial;
    {
      std::lock_guard<std::mutex> lock(mu_);
      serial = ++box_counter_;
    }
    absl::StatusOr<BoxCgroup> cgroup = BoxCgroup::Create(
        *cgroups_, cgroups_->flat ? *cgroup_name_ : absl::StrCat("box-", box.id, "-", serial));
    if (!cgroup.ok()) return cgroup.status();
    box.cgroup = std::move(*cgroup);
  }
  if (!box.cgroup.empty()) return box.cgroup.AddProcess(box.pid);
  return absl::OkStatus();
}

void BoxPool::Retire(std::unique_ptr<Box> box) {
  if (box == nullptr) return;
  box->Kill();
  box->Reap();  // the box's init, and with it every process of its PID namespace
  const uint32_t id = box->id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // The id's spare is empty here: its box took it when joining.
    if (!closed_ && !box->cgroup.empty()) spare_cgroups_[id] = std::move(box->cgroup);
  }
  box.reset();  // removes the cgroup if it was not kept
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_ids_.push_back(id);
  }
  changed_.notify_all();
}

BoxPool::Pick BoxPool::PickLocked(std::unique_lock<std::mutex>& lock, const MountTemplate& mounts) {
  Pick pick;
  for (;;) {
    // Boxes built for mounts no longer asked for are of no use; bare ones (no mounts yet) are.
    for (auto it = idle_.begin(); it != idle_.end();) {
      if (!(*it)->key.empty() && (*it)->key != mounts.key() && !WantedLocked((*it)->key)) {
        pick.stale.push_back(std::move(*it));
        it = idle_.erase(it);
      } else {
        ++it;
      }
    }
    // Best a box built for these mounts, then a bare one. Not for mounts of one run: its work
    // dir is a mount made after any waiting box was cloned, and a mount namespace is a copy
    // taken at clone time.
    auto best = std::find_if(idle_.begin(), idle_.end(),
                             [&](const auto& b) { return b->key == mounts.key(); });
    if (best == idle_.end() && mounts.poolable()) {
      best = std::find_if(idle_.begin(), idle_.end(), [](const auto& b) { return b->key.empty(); });
    }
    if (best != idle_.end()) {
      pick.box = std::move(*best);
      idle_.erase(best);
      return pick;
    }
    // A box on its way for these mounts (or a bare one) is sooner ready than one we would
    // start now.
    const bool coming =
        std::any_of(spawning_keys_.begin(), spawning_keys_.end(), [&](const std::string& k) {
          return (k.empty() && mounts.poolable()) || k == mounts.key();
        });
    if (!coming && !free_ids_.empty()) {
      pick.have_id = true;
      pick.id = free_ids_.back();
      free_ids_.pop_back();
      return pick;
    }
    changed_.wait(lock);
  }
}

absl::Status BoxPool::Prepare(Box& box, const MountTemplate& mounts) {
  if (box.key.empty()) {
    if (absl::Status s = SendMountPlan(box.ctl.get(), Arena(box.id), mounts); !s.ok()) return s;
    box.key = mounts.key();
  }
  if (box.cgroup.empty() && cgroups_->mode != CgroupMode::kNone) return JoinCgroup(box);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Box>> BoxPool::Take(
    const std::shared_ptr<const MountTemplate>& mounts, CgroupLimits limits) {
  Pick pick;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (options_.prespawn > 0 && options_.refill && mounts->poolable()) {
      // The pool builds for the last few distinct mounts asked for (one per concurrent
      // submission, typically), most recent first.
      auto same = std::find_if(templates_.begin(), templates_.end(),
                               [&](const auto& t) { return t->key() == mounts->key(); });
      if (same != templates_.end()) templates_.erase(same);
      templates_.push_front(mounts);
      if (templates_.size() > options_.prespawn) templates_.pop_back();
    }
    pool_limits_ = limits;
    refill_failed_ = false;
    pick = PickLocked(lock, *mounts);
  }
  changed_.notify_all();  // the pool is one short
  for (std::unique_ptr<Box>& b : pick.stale) Retire(std::move(b));
  if (pick.box != nullptr && !pick.box->key.empty()) {
    // A box built ahead reports nothing while it waits; if it did, its setup failed (say, a
    // mount source changed since it was planned): use another.
    pollfd p[2] = {{pick.box->pidfd.get(), POLLIN, 0}, {pick.box->ctl.get(), POLLIN, 0}};
    if (poll(p, 2, 0) != 0) {
      Retire(std::move(pick.box));
      return Take(mounts, limits);
    }
  }
  if (pick.box != nullptr) {
    if (absl::Status s = Prepare(*pick.box, *mounts); !s.ok()) {
      Retire(std::move(pick.box));
      return s;
    }
    return std::move(pick.box);
  }
  absl::StatusOr<std::unique_ptr<Box>> spawned =
      Spawn(pick.id, mounts.get(), Wait::kAwaited, CgroupJoin::kNow);
  if (!spawned.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_ids_.push_back(pick.id);
    }
    changed_.notify_all();
  }
  return spawned;
}

bool BoxPool::WantedLocked(const std::string& key) const {
  return std::any_of(templates_.begin(), templates_.end(),
                     [&](const auto& t) { return t->key() == key; });
}

std::shared_ptr<const MountTemplate> BoxPool::NextTemplateLocked() const {
  // The most recent mounts that have no box ready or on its way; else the most recent.
  for (const auto& t : templates_) {
    const bool ready =
        std::any_of(idle_.begin(), idle_.end(), [&](const auto& b) { return b->key == t->key(); });
    const bool coming =
        std::find(spawning_keys_.begin(), spawning_keys_.end(), t->key()) != spawning_keys_.end();
    if (!ready && !coming) return t;
  }
  return templates_.empty() ? nullptr : templates_.front();
}

void BoxPool::RefillLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] {
      return stopping_ || (!refill_failed_ && !free_ids_.empty() &&
                           idle_.size() + spawning_keys_.size() < options_.prespawn);
    });
    if (stopping_) return;
    uint32_t id = free_ids_.back();
    free_ids_.pop_back();
    // Built for recent runs' mounts; bare (mounts sent when taken) before the first run.
    std::shared_ptr<const MountTemplate> mounts = NextTemplateLocked();
    const CgroupLimits limits = pool_limits_;
    const std::string key = mounts != nullptr ? mounts->key() : std::string();
    spawning_keys_.push_back(key);
    lock.unlock();
    absl::StatusOr<std::unique_ptr<Box>> box =
        Spawn(id, mounts.get(), Wait::kAhead, CgroupJoin::kNow);
    if (box.ok()) {
      // The last run's limits too: the next run likely has the same, and skips these writes.
      if (absl::Status s = (*box)->cgroup.SetLimits(limits.memory_bytes, limits.processes);
          !s.ok()) {
        box = s;
      }
    }
    lock.lock();
    spawning_keys_.erase(std::find(spawning_keys_.begin(), spawning_keys_.end(), key));
    if (!box.ok()) {
      free_ids_.push_back(id);
      refill_failed_ = true;  // the next run clones its own box and reports what is wrong
      changed_.notify_all();
      continue;
    }
    if (stopping_ || (mounts != nullptr && !WantedLocked(key))) {
      lock.unlock();
      Retire(std::move(*box));
      lock.lock();
      continue;
    }
    idle_.push_back(std::move(*box));
    changed_.notify_all();
  }
}

}  // namespace sandbox::internal
