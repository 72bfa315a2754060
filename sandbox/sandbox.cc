#include "sandbox/sandbox.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sandbox/child.h"
#include "sandbox/stale.h"
#include "sandbox/unique_fd.h"

namespace sandbox {
namespace {

using internal::Box;
using internal::BoxStart;
using internal::ChildMsg;
using internal::ExecPlan;
using internal::MountOp;
using internal::MountPlan;
using internal::MountTemplate;
using internal::PlanHeader;
using internal::RlimitOp;
using Clock = std::chrono::steady_clock;

constexpr uid_t kBoxUid = 1000;  // the program's uid and gid inside the box
constexpr size_t kStackSize = 256 * 1024;  // per box: half for init, half for the program
// Per box: the first half holds the mount plan, the second the exec plan (argv, env and the
// seccomp program); a run whose plan does not fit is refused.
constexpr size_t kArenaSize = 1 << 20;

std::atomic<uint64_t> g_sandbox_counter{0};

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", strerror(errno)));
}

// Paths inside the box must be absolute and plain: no "..", ".", or empty components.
absl::Status CheckBoxPath(const std::string& path, const char* what) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat(what, " must be an absolute path: ", path));
  }
  for (absl::string_view part : absl::StrSplit(path.substr(1), '/')) {
    if (part.empty() || part == "." || part == "..") {
      if (path == "/") break;
      return absl::InvalidArgumentError(absl::StrCat(what, " is not a plain path: ", path));
    }
  }
  return absl::OkStatus();
}

}  // namespace

namespace internal {

// A box's mounts as data: the steps that build its root, and a key that tells whether two runs
// would get the same root (the steps, plus device and inode of every bind source, so a path
// replaced on the host since does not match).
class MountTemplate {
 public:
  explicit MountTemplate(std::string root) : root_(std::move(root)) {}
  const std::string& key() const { return key_; }
  // False when the mounts hold something of one run only (its work dir, a writable bind): no
  // box is built ahead for them.
  bool poolable() const { return poolable_; }

  const char* Keep(std::string s) {
    strings_.push_back(std::move(s));
    return strings_.back().c_str();
  }
  void Push(MountOp op) {
    for (const char* s : {op.source, op.target, op.fstype, op.data}) {
      absl::StrAppend(&key_, s ? s : "-", "\x1f");
    }
    absl::StrAppend(&key_, op.kind, ",", op.flags, "\x1e");
    ops_.push_back(op);
  }
  const std::string& root() const { return root_; }

  void MkdirAll(const std::string& box_path) {
    std::string acc;
    for (absl::string_view part : absl::StrSplit(box_path, '/', absl::SkipEmpty())) {
      absl::StrAppend(&acc, "/", part);
      if (made_.insert(acc).second) {
        Push({MountOp::kMkdir, nullptr, Keep(root_ + acc), nullptr, 0, nullptr});
      }
    }
  }
  void MkdirParent(const std::string& box_path) {
    MkdirAll(box_path.substr(0, box_path.rfind('/')));
  }
  void Mkfile(const std::string& box_path) {
    MkdirParent(box_path);
    Push({MountOp::kMkfile, nullptr, Keep(root_ + box_path), nullptr, 0, nullptr});
  }
  void MountFs(const char* source, const std::string& box_path, const char* fstype,
               unsigned long flags, std::string data) {
    MkdirAll(box_path);
    Push({MountOp::kMount, source, Keep(root_ + box_path), fstype, flags,
                    data.empty() ? nullptr : Keep(std::move(data))});
  }
  // Binds `host`; the box checks it bound the object seen here (device and inode, also part of
  // the key). `per_run`: a caller's writable dir or file, which makes the mounts unfit for a box
  // built ahead.
  absl::Status Bind(const std::string& host, const std::string& box_path, bool writable,
                    unsigned long extra_flags, bool per_run) {
    struct stat st {};
    if (stat(host.c_str(), &st) != 0) return Errno(absl::StrCat("mount source ", host));
    absl::StrAppend(&key_, st.st_dev, ":", st.st_ino, "\x1e");
    if (per_run) poolable_ = false;
    if (S_ISDIR(st.st_mode)) {
      MkdirAll(box_path);
    } else {
      Mkfile(box_path);
    }
    const char* target = Keep(root_ + box_path);
    MountOp bind{MountOp::kMount, Keep(host), target, nullptr, MS_BIND | MS_REC, nullptr};
    bind.verify = true;
    bind.expect_dev = st.st_dev;
    bind.expect_ino = st.st_ino;
    Push(bind);
    // A bind ignores flags: then make it (and what is mounted under it) read-only, nosuid and
    // nodev.
    unsigned long flags = MS_NOSUID | extra_flags;
    if (!writable) flags |= MS_RDONLY;
    Push({MountOp::kRestrict, nullptr, target, nullptr, flags, nullptr});
    return absl::OkStatus();
  }
  void Link(const std::string& target, const std::string& box_path) {
    MkdirParent(box_path);
    ops_.push_back(
        {MountOp::kSymlink, Keep(target), Keep(root_ + box_path), nullptr, 0, nullptr});
  }

  const std::vector<MountOp>& ops() const { return ops_; }

 private:
  std::string root_;
  std::string key_;
  bool poolable_ = true;
  std::deque<std::string> strings_;
  std::vector<MountOp> ops_;
  std::set<std::string> made_;
};

// A pre-forked (or just cloned) box: its init waits for its plans on `ctl`.
struct Box {
  uint32_t id = 0;  // owns uids uid_base + 2 id and + 1, stack and arena `id`
  pid_t pid = 0;
  UniqueFd pidfd;
  UniqueFd ctl;  // our end of the box's socket: plans go out, reports come in
  BoxCgroup cgroup;
  std::string key;     // the MountTemplate it was built with
  bool reaped = false;
  BoxStart start{};    // read by the box (it shares our memory) for as long as it lives

  // Kills the box's init, and with it every process of the box.
  void Kill() const {
    if (!reaped && pidfd.valid()) syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
  }
  // Waits for the init to have exited.
  void Reap() {
    if (reaped || !pidfd.valid()) return;
    siginfo_t info{};
    while (waitid(static_cast<idtype_t>(P_PIDFD), pidfd.get(), &info, WEXITED | __WALL) < 0 &&
           errno == EINTR) {
    }
    reaped = true;
  }
  // Kills and reaps the box, removes its cgroup.
  void End() {
    Kill();
    Reap();
    (void)cgroup.Remove();
  }
  ~Box() { End(); }
};

}  // namespace internal

namespace {

// Bump allocation in the parent's copy of a box's arena; the pointers are valid in the box.
class ArenaWriter {
 public:
  ArenaWriter(char* base, size_t size) : base_(base), size_(size) {}
  template <typename T>
  T* Alloc(size_t n = 1) {
    size_t at = (used_ + alignof(T) - 1) & ~(alignof(T) - 1);
    if (at > size_ || n * sizeof(T) > size_ - at) {
      full_ = true;
      return nullptr;
    }
    used_ = at + n * sizeof(T);
    return reinterpret_cast<T*>(base_ + at);
  }
  const char* Str(const char* s) {
    if (s == nullptr) return nullptr;
    size_t len = strlen(s) + 1;
    char* p = Alloc<char>(len);
    if (p != nullptr) memcpy(p, s, len);
    return p;
  }
  bool full() const { return full_; }
  size_t used() const { return used_; }

 private:
  char* base_;
  size_t size_;
  size_t used_ = 0;
  bool full_ = false;
};

// Tells the box its plan is ready at arena + offset (it shares our memory), with fds attached.
absl::Status SendPlan(int fd, PlanHeader::Kind kind, size_t size, size_t offset, const int* fds,
                      int nfds) {
  PlanHeader header{kind, static_cast<uint32_t>(size), offset};
  iovec iov{&header, sizeof header};
  alignas(cmsghdr) char control[CMSG_SPACE(3 * sizeof(int))] = {};
  if (nfds > 3) return absl::InternalError("a plan carries at most 3 fds");
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (nfds > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
    memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
  }
  ssize_t n;
  while ((n = sendmsg(fd, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof header)) return Errno("sending the plan to the box");
  return absl::OkStatus();
}

rlimit Lim(uint64_t v) { return rlimit{v, v}; }

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

bool ReadPacket(int fd, ChildMsg* msg) {
  ssize_t n = recv(fd, msg, sizeof *msg, MSG_DONTWAIT);
  return n == static_cast<ssize_t>(sizeof *msg);
}

enum class KillReason { kNone, kWall, kCpu, kOutput, kSecurity };

}  // namespace

const char* StatusName(Status status) {
  switch (status) {
    case Status::kOk: return "OK";
    case Status::kNonZeroExit: return "NONZERO_EXIT";
    case Status::kSignaled: return "SIGNALED";
    case Status::kCpuTimeLimit: return "CPU_TIME_LIMIT";
    case Status::kWallTimeLimit: return "WALL_TIME_LIMIT";
    case Status::kMemoryLimit: return "MEMORY_LIMIT";
    case Status::kOutputLimit: return "OUTPUT_LIMIT";
    case Status::kSecurityViolation: return "SECURITY_VIOLATION";
  }
  return "UNKNOWN";
}

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

// Removes what a killed earlier process left: work tmpfs mounts and directories of dead pids.
// Only `root` there is the usual case, seen with one stat.
static void RemoveStaleRuntimeDirs(const std::string& runtime_dir) {
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

absl::Status Sandbox::CheckReachableByBoxes(const std::string& path) {
  std::string prefix;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    absl::StrAppend(&prefix, "/", part);
    struct stat st {};
    if (stat(prefix.c_str(), &st) != 0) return Errno("stat " + prefix);
    if (S_ISDIR(st.st_mode) && (st.st_mode & S_IXOTH) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " is not reachable by the sandbox's unprivileged uids: ", prefix,
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
  sb->boxes_ = size_t{options.slots} + options.prespawn;
  for (auto [region, size] :
       {std::pair{&sb->stacks_, kStackSize}, std::pair{&sb->arenas_, kArenaSize}}) {
    *region = mmap(nullptr, size * sb->boxes_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (*region == MAP_FAILED) {
      *region = nullptr;
      return Errno("mmap box stacks and arenas");
    }
  }
  if (mkdir(options.runtime_dir.c_str(), 0711) != 0 && errno != EEXIST) {
    return Errno("mkdir " + options.runtime_dir);
  }
  // Each box's init builds its root as an unprivileged uid: it must be able to reach it.
  if (absl::Status s = CheckReachableByBoxes(options.runtime_dir); !s.ok()) return s;
  // Shared by every box of every judge on this runtime dir: each mounts its root over it in its
  // own mount namespace, so nothing is made or removed per process.
  sb->root_dir_ = options.runtime_dir + "/root";
  if (mkdir(sb->root_dir_.c_str(), 0711) != 0 && errno != EEXIST) {
    return Errno("mkdir " + sb->root_dir_);
  }
  // A pool that is filled once (a one-shot process) is cloned right here, with the first run's
  // mounts: the boxes build their roots while we do the rest, and join their cgroups when taken.
  if (!options.refill) {
    if (first != nullptr) {
      absl::StatusOr<std::shared_ptr<MountTemplate>> made = sb->MakeMountTemplate(*first);
      if (!made.ok()) return made.status();
      sb->first_template_ = *made;
      sb->first_spec_ = *first;
    }
    for (uint32_t i = 0; i < options.prespawn; ++i) {
      const uint32_t id = options.slots + i;  // not in free_ids_ (see below)
      absl::StatusOr<std::unique_ptr<Box>> box =
          sb->Spawn(id, sb->first_template_.get(), false, /*awaited=*/true);
      if (!box.ok()) return box.status();
      sb->idle_.push_back(std::move(*box));
    }
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

  for (size_t i = options.refill ? sb->boxes_ : options.slots; i > 0; --i) {
    sb->free_ids_.push_back(static_cast<uint32_t>(i - 1));
  }
  if (options.prespawn > 0 && options.refill) {
    sb->refiller_ = std::thread([p = sb.get()] { p->RefillLoop(); });
  }
  return sb;
}

Sandbox::Sandbox(const SandboxOptions& options) : options_(options) {}

Sandbox::~Sandbox() {
  Close();
  if (stacks_ != nullptr) munmap(stacks_, kStackSize * boxes_);
  if (arenas_ != nullptr) munmap(arenas_, kArenaSize * boxes_);
}

void Sandbox::Close() {
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
  TearDownCgroups(cgroups_);
  if (dir_made_) {
    rmdir((dir_ + "/work").c_str());
    rmdir(dir_.c_str());
  }
}

absl::StatusOr<BoxDir> Sandbox::MakeWorkDir(uint64_t size_bytes, uint32_t inodes) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!dir_made_) {
      if (mkdir(dir_.c_str(), 0711) != 0 && errno != EEXIST) return Errno("mkdir " + dir_);
      std::string work = dir_ + "/work";
      if (mkdir(work.c_str(), 0711) != 0 && errno != EEXIST) return Errno("mkdir " + work);
      dir_made_ = true;
    }
  }
  return BoxDir::Create(dir_ + "/work", size_bytes, inodes);
}

char* Sandbox::Arena(uint32_t id) const { return static_cast<char*>(arenas_) + kArenaSize * id; }
char* Sandbox::Stack(uint32_t id) const { return static_cast<char*>(stacks_) + kStackSize * id; }

absl::Status Sandbox::SendMounts(Box& box, const MountTemplate& mounts) {
  ArenaWriter w(Arena(box.id), kArenaSize / 2);
  MountPlan* plan = w.Alloc<MountPlan>();
  MountOp* ops = w.Alloc<MountOp>(mounts.ops().size());
  if (plan == nullptr || ops == nullptr) {
    return absl::InvalidArgumentError("too many mounts for one box");
  }
  plan->root = w.Str(mounts.root().c_str());
  plan->ops = ops;
  plan->op_count = static_cast<int>(mounts.ops().size());
  for (size_t i = 0; i < mounts.ops().size(); ++i) {
    const MountOp& op = mounts.ops()[i];
    ops[i] = MountOp{op.kind,     w.Str(op.source), w.Str(op.target), w.Str(op.fstype),
                     op.flags,    w.Str(op.data),   op.verify,        op.expect_dev,
                     op.expect_ino};
  }
  if (w.full()) return absl::InvalidArgumentError("the box's mounts do not fit its plan arena");
  box.key = mounts.key();
  return SendPlan(box.ctl.get(), PlanHeader::kMount, w.used(), 0, nullptr, 0);
}

absl::StatusOr<std::unique_ptr<Box>> Sandbox::Spawn(uint32_t id, const MountTemplate* mounts,
                                                    bool join_cgroup, bool awaited) {
  auto box = std::make_unique<Box>();
  box->id = id;
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) return Errno("socketpair");
  box->ctl.Reset(sp[0]);
  UniqueFd ctl_child(sp[1]);

  box->start = BoxStart{ctl_child.get(), Arena(id), kArenaSize,
                        Stack(id) + kStackSize / 2, IgnoredSignals(), false, {}};
  // A run waiting for this box: its init sets up its root while we set up the rest, but a new
  // task starts on the CPU of its parent, and a scheduler that packs vCPUs (this VM's does)
  // leaves it waiting there for us while another CPU idles. So we move it off our CPU, and it
  // gives the program our CPUs back before the clone (the program inherits its mask). A box
  // built ahead stays where the scheduler puts it.
  const int our_cpu = awaited ? sched_getcpu() : -1;
  if (our_cpu >= 0 && sched_getaffinity(0, sizeof box->start.cpus, &box->start.cpus) == 0 &&
      CPU_ISSET(our_cpu, &box->start.cpus) && CPU_COUNT(&box->start.cpus) > 1) {
    box->start.restore_cpus = true;
  }
  // CLONE_VM: the box's init runs in our memory (no page tables to copy, nothing to tear down
  // when it exits) until it is gone; untrusted code only ever runs after the program's exec,
  // in an address space of its own. See child.cc.
  int pidfd_raw = -1;
  pid_t pid = clone(internal::ChildInit, Stack(id) + kStackSize,
                    CLONE_VM | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
                        CLONE_NEWUTS | CLONE_NEWNET | CLONE_PIDFD | SIGCHLD,
                    &box->start, &pidfd_raw);
  if (pid < 0) return Errno("clone");
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
  // Box uid 0 (init, for the mounts) and 1000 (the program) are two unprivileged host uids that
  // belong to this box alone.
  const uid_t host_uid = options_.uid_base + 2 * id;
  std::string map = absl::StrCat("0 ", host_uid, " 1\n", kBoxUid, " ", host_uid + 1, " 1\n");
  for (const char* file : {"uid_map", "gid_map"}) {
    std::string path = absl::StrCat("/proc/", pid, "/", file);
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid() || write(fd.get(), map.data(), map.size()) != ssize_t(map.size())) {
      return Errno("writing " + path);  // ~Box kills and reaps it
    }
  }
  // The box builds its root while we make its cgroup. A bare box waits for its mounts.
  if (mounts != nullptr) {
    if (absl::Status s = SendMounts(*box, *mounts); !s.ok()) return s;
  }
  if (join_cgroup) {
    if (absl::Status s = JoinCgroup(*box); !s.ok()) return s;
  }
  return box;
}

absl::Status Sandbox::JoinCgroup(Box& box) {
  uint64_t serial;
  {
    std::lock_guard<std::mutex> lock(mu_);
    serial = ++box_counter_;
  }
  absl::StatusOr<BoxCgroup> cgroup =
      BoxCgroup::Create(cgroups_, cgroups_.flat ? cgroup_name_
                                                : absl::StrCat("box-", box.id, "-", serial));
  if (!cgroup.ok()) return cgroup.status();
  box.cgroup = std::move(*cgroup);
  if (!box.cgroup.empty()) return box.cgroup.AddProcess(box.pid);
  return absl::OkStatus();
}

void Sandbox::Retire(std::unique_ptr<Box> box) {
  if (box == nullptr) return;
  box->End();
  const uint32_t id = box->id;
  box.reset();
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_ids_.push_back(id);
  }
  changed_.notify_all();
}

absl::StatusOr<std::unique_ptr<Box>> Sandbox::TakeBox(
    const std::shared_ptr<const MountTemplate>& mounts, std::pair<uint64_t, uint32_t> limits) {
  std::vector<std::unique_ptr<Box>> stale;
  std::unique_ptr<Box> box;
  uint32_t id = 0;
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
    for (;;) {
      // Boxes built for mounts no longer asked for are of no use; bare ones (no mounts yet) are.
      for (auto it = idle_.begin(); it != idle_.end();) {
        if (!(*it)->key.empty() && (*it)->key != mounts->key() && !WantedLocked((*it)->key)) {
          stale.push_back(std::move(*it));
          it = idle_.erase(it);
        } else {
          ++it;
        }
      }
      // Best a box built for these mounts, then a bare one. Not for mounts of one run: its
      // work dir is a mount made after any waiting box was cloned, and a mount namespace is a
      // copy taken at clone time.
      auto best = std::find_if(idle_.begin(), idle_.end(),
                               [&](const auto& b) { return b->key == mounts->key(); });
      if (best == idle_.end() && mounts->poolable()) {
        best = std::find_if(idle_.begin(), idle_.end(),
                            [&](const auto& b) { return b->key.empty(); });
      }
      if (best != idle_.end()) {
        box = std::move(*best);
        idle_.erase(best);
        break;
      }
      // A box on its way for these mounts (or a bare one) is sooner ready than one we would
      // start now.
      const bool coming = std::any_of(
          spawning_keys_.begin(), spawning_keys_.end(), [&](const std::string& k) {
            return (k.empty() && mounts->poolable()) || k == mounts->key();
          });
      if (!coming && !free_ids_.empty()) {
        id = free_ids_.back();
        free_ids_.pop_back();
        break;
      }
      changed_.wait(lock);
    }
  }
  changed_.notify_all();  // the pool is one short
  for (std::unique_ptr<Box>& b : stale) Retire(std::move(b));
  if (box != nullptr && !box->key.empty()) {
    // A box built ahead reports nothing while it waits; if it did, its setup failed (say, a
    // mount source changed since it was planned): use another.
    pollfd p[2] = {{box->pidfd.get(), POLLIN, 0}, {box->ctl.get(), POLLIN, 0}};
    if (poll(p, 2, 0) != 0) {
      Retire(std::move(box));
      return TakeBox(mounts, limits);
    }
  }
  if (box != nullptr) {
    absl::Status s;
    if (box->key.empty()) s = SendMounts(*box, *mounts);
    if (s.ok() && box->cgroup.empty() && cgroups_.mode != CgroupMode::kNone) s = JoinCgroup(*box);
    if (!s.ok()) {
      Retire(std::move(box));
      return s;
    }
    return box;
  }
  absl::StatusOr<std::unique_ptr<Box>> spawned = Spawn(id, mounts.get(), true, /*awaited=*/true);
  if (!spawned.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      free_ids_.push_back(id);
    }
    changed_.notify_all();
  }
  return spawned;
}

bool Sandbox::WantedLocked(const std::string& key) const {
  return std::any_of(templates_.begin(), templates_.end(),
                     [&](const auto& t) { return t->key() == key; });
}

std::shared_ptr<const MountTemplate> Sandbox::NextTemplateLocked() const {
  // The most recent mounts that have no box ready or on its way; else the most recent.
  for (const auto& t : templates_) {
    const bool ready = std::any_of(idle_.begin(), idle_.end(),
                                   [&](const auto& b) { return b->key == t->key(); });
    const bool coming =
        std::find(spawning_keys_.begin(), spawning_keys_.end(), t->key()) != spawning_keys_.end();
    if (!ready && !coming) return t;
  }
  return templates_.empty() ? nullptr : templates_.front();
}

void Sandbox::RefillLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] {
      return stopping_ ||
             (!refill_failed_ && !free_ids_.empty() &&
              idle_.size() + spawning_keys_.size() < options_.prespawn);
    });
    if (stopping_) return;
    uint32_t id = free_ids_.back();
    free_ids_.pop_back();
    // Built for recent runs' mounts; bare (mounts sent when taken) before the first run.
    std::shared_ptr<const MountTemplate> mounts = NextTemplateLocked();
    const std::pair<uint64_t, uint32_t> limits = pool_limits_;
    const std::string key = mounts != nullptr ? mounts->key() : std::string();
    spawning_keys_.push_back(key);
    lock.unlock();
    absl::StatusOr<std::unique_ptr<Box>> box = Spawn(id, mounts.get(), true, /*awaited=*/false);
    if (box.ok()) {
      // The last run's limits too: the next run likely has the same, and skips these writes.
      if (absl::Status s = (*box)->cgroup.SetLimits(limits.first, limits.second); !s.ok()) {
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

absl::StatusOr<std::shared_ptr<MountTemplate>> Sandbox::MakeMountTemplate(
    const RunSpec& spec) const {
  if (absl::Status s = CheckBoxPath(spec.workdir, "workdir"); !s.ok()) return s;
  for (const Mount& m : spec.mounts) {
    if (absl::Status s = CheckBoxPath(m.box, "mount point"); !s.ok()) return s;
    if (m.box == "/") return absl::InvalidArgumentError("cannot mount over the box root");
  }
  for (const Symlink& l : spec.symlinks) {
    if (absl::Status s = CheckBoxPath(l.box, "symlink"); !s.ok()) return s;
  }
  const Limits& limits = spec.limits;
  // The new root, in the order the box applies it.
  auto mount_template = std::make_shared<MountTemplate>(root_dir_);
  MountTemplate& plan_builder = *mount_template;
  plan_builder.MountFs("tmpfs", "", "tmpfs", MS_NOSUID | MS_NODEV,
                       "size=4m,nr_inodes=4096,mode=0755");
  std::vector<Mount> mounts = spec.mounts;
  std::sort(mounts.begin(), mounts.end(),
            [](const Mount& a, const Mount& b) { return a.box < b.box; });
  for (const Mount& m : mounts) {
    if (absl::Status s = plan_builder.Bind(m.host, m.box, m.writable, MS_NODEV, m.writable);
        !s.ok()) {
      return s;
    }
  }
  for (const Symlink& l : spec.symlinks) plan_builder.Link(l.target, l.box);
  // /dev: just null, zero and urandom, bound from the host (a user namespace cannot mknod).
  for (const char* dev : {"null", "zero", "urandom"}) {
    std::string path = absl::StrCat("/dev/", dev);
    if (absl::Status s = plan_builder.Bind(path, path, true, MS_NOEXEC, false); !s.ok()) {
      return s;
    }
  }
  plan_builder.Link("/proc/self/fd", "/dev/fd");
  plan_builder.Link("/proc/self/fd/0", "/dev/stdin");
  plan_builder.Link("/proc/self/fd/1", "/dev/stdout");
  plan_builder.Link("/proc/self/fd/2", "/dev/stderr");
  if (spec.mount_proc) {
    plan_builder.MountFs("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "");
  }
  // What the box writes is never executable: /tmp and a fresh work dir are noexec (no planted
  // program or library can be run or mapped executable; the program itself comes read-only).
  plan_builder.MountFs("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                       absl::StrCat("size=", std::max<uint64_t>(limits.tmp_bytes, 4096),
                                    ",nr_inodes=", std::max<uint32_t>(limits.tmp_inodes, 16),
                                    ",mode=1777"));
  if (!spec.host_workdir.empty()) {
    if (absl::Status s = plan_builder.Bind(spec.host_workdir, spec.workdir, true, MS_NODEV, true);
        !s.ok()) {
      return s;
    }
  } else if (spec.workdir != "/tmp") {
    plan_builder.MountFs("tmpfs", spec.workdir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                         absl::StrCat("size=", std::max<uint64_t>(limits.tmp_bytes, 4096),
                                      ",nr_inodes=", std::max<uint32_t>(limits.tmp_inodes, 16),
                                      ",mode=0777"));
  }
  return mount_template;
}

namespace {
bool SameMounts(const RunSpec& a, const RunSpec& b) {
  auto same_mount = [](const Mount& x, const Mount& y) {
    return x.host == y.host && x.box == y.box && x.writable == y.writable;
  };
  auto same_link = [](const Symlink& x, const Symlink& y) {
    return x.target == y.target && x.box == y.box;
  };
  return std::equal(a.mounts.begin(), a.mounts.end(), b.mounts.begin(), b.mounts.end(),
                    same_mount) &&
         std::equal(a.symlinks.begin(), a.symlinks.end(), b.symlinks.begin(), b.symlinks.end(),
                    same_link) &&
         a.workdir == b.workdir && a.host_workdir == b.host_workdir &&
         a.mount_proc == b.mount_proc && a.limits.tmp_bytes == b.limits.tmp_bytes &&
         a.limits.tmp_inodes == b.limits.tmp_inodes;
}
}  // namespace

std::shared_ptr<MountTemplate> Sandbox::TakeFirstTemplate(const RunSpec& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  if (first_template_ == nullptr || !SameMounts(spec, first_spec_)) return nullptr;
  // Planned moments ago; the box checks each bind against what the plan saw anyway.
  return std::move(first_template_);
}

absl::StatusOr<RunResult> Sandbox::Run(const RunSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return absl::InvalidArgumentError("argv is empty");
  }

  const Limits& limits = spec.limits;
  absl::StatusOr<std::shared_ptr<MountTemplate>> mount_template = TakeFirstTemplate(spec);
  if (*mount_template == nullptr) mount_template = MakeMountTemplate(spec);
  if (!mount_template.ok()) return mount_template.status();

  // --- argv, env and where to find the program.
  std::vector<std::string> argv_store = spec.argv;
  std::vector<char*> argv;
  for (std::string& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_store = spec.env;
  std::vector<char*> envp;
  for (std::string& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> exec_store;
  if (spec.argv[0].find('/') != std::string::npos) {
    exec_store.push_back(spec.argv[0]);
  } else {
    for (const char* dir : {"/usr/local/bin/", "/usr/bin/", "/bin/"}) {
      exec_store.push_back(dir + spec.argv[0]);
    }
  }
  std::vector<const char*> exec_paths;
  for (const std::string& p : exec_store) exec_paths.push_back(p.c_str());

  // --- Rlimits. Without a cgroup, they stand in and the result says so.
  std::vector<RlimitOp> rlimits;
  if (limits.cpu_time_ms > 0) {
    // A backstop per process; the cgroup total (polled) is the real limit where it exists.
    uint64_t secs = (limits.cpu_time_ms + 999) / 1000 + (cgroups_.has_cpu() ? 1 : 0);
    rlimits.push_back({RLIMIT_CPU, rlimit{secs, secs + 1}});
  }
  if (limits.memory_bytes > 0 && !cgroups_.has_memory()) {
    rlimits.push_back({RLIMIT_AS, Lim(limits.memory_bytes + limits.address_space_extra_bytes)});
  }
  rlimits.push_back({RLIMIT_FSIZE, Lim(limits.file_size_bytes ? limits.file_size_bytes
                                                              : RLIM_INFINITY)});
  rlimits.push_back({RLIMIT_NOFILE, Lim(std::max<uint32_t>(limits.open_files, 8))});
  rlimits.push_back({RLIMIT_STACK, Lim(limits.stack_bytes ? limits.stack_bytes : RLIM_INFINITY)});
  rlimits.push_back({RLIMIT_CORE, Lim(0)});  // no core files
  rlimits.push_back({RLIMIT_MEMLOCK, Lim(64 * 1024)});
  rlimits.push_back({RLIMIT_MSGQUEUE, Lim(0)});
  if (limits.processes > 0) {
    // Counted per host uid, which is unique to this box.
    rlimits.push_back({RLIMIT_NPROC, Lim(limits.processes)});
  }

  // --- Standard streams.
  UniqueFd stdin_fd, stdout_w, stderr_w, stdout_r, stderr_r, stdout_file, stderr_file;
  auto open_null = [](int flags) { return UniqueFd(open("/dev/null", flags | O_CLOEXEC)); };
  int child_stdin = -1;
  switch (spec.stdin_stream.kind) {
    case Stream::Kind::kFile:
      stdin_fd.Reset(open(spec.stdin_stream.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
      if (!stdin_fd.valid()) {
        return absl::InvalidArgumentError(
            absl::StrCat("cannot open stdin ", spec.stdin_stream.path, ": ", strerror(errno)));
      }
      child_stdin = stdin_fd.get();
      break;
    case Stream::Kind::kFd:
      child_stdin = spec.stdin_stream.fd;
      break;
    default:
      stdin_fd = open_null(O_RDONLY);
      child_stdin = stdin_fd.get();
  }
  auto setup_out = [&](const Stream& s, UniqueFd& w, UniqueFd& r, UniqueFd& file,
                       int* child_fd) -> absl::Status {
    switch (s.kind) {
      case Stream::Kind::kFd:
        *child_fd = s.fd;
        return absl::OkStatus();
      case Stream::Kind::kNull:
        w = open_null(O_WRONLY);
        *child_fd = w.get();
        return absl::OkStatus();
      case Stream::Kind::kFile:
        // A path is created; an fd (with an empty path) is written through, both capped.
        file.Reset(s.path.empty() && s.fd >= 0
                       ? fcntl(s.fd, F_DUPFD_CLOEXEC, 3)
                       : open(s.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                              0644));
        if (!file.valid()) {
          return absl::InvalidArgumentError(
              absl::StrCat("cannot create ", s.path, ": ", strerror(errno)));
        }
        [[fallthrough]];
      case Stream::Kind::kCapture: {
        int p[2];
        if (pipe2(p, O_CLOEXEC) != 0) return Errno("pipe2");
        r.Reset(p[0]);
        w.Reset(p[1]);
        fcntl(r.get(), F_SETFL, O_NONBLOCK);
        *child_fd = w.get();
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  };
  int child_stdout = -1, child_stderr = -1;
  if (absl::Status s = setup_out(spec.stdout_stream, stdout_w, stdout_r, stdout_file,
                                 &child_stdout);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = setup_out(spec.stderr_stream, stderr_w, stderr_r, stderr_file,
                                 &child_stderr);
      !s.ok()) {
    return s;
  }
  const SeccompProgram& filter = PrebuiltSeccompProgram(spec.profile);

  // --- A box: at most `slots` runs at a time.
  {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return running_ < options_.slots; });
    ++running_;
  }
  struct RunningGuard {
    Sandbox* sb;
    ~RunningGuard() {
      {
        std::lock_guard<std::mutex> lock(sb->mu_);
        --sb->running_;
      }
      sb->changed_.notify_all();
    }
  } running_guard{this};
  const std::pair<uint64_t, uint32_t> cgroup_limits{
      limits.memory_bytes, limits.processes > 0 ? limits.processes + 1 : 0};  // +1: init
  absl::StatusOr<std::unique_ptr<Box>> box_or = TakeBox(*mount_template, cgroup_limits);
  if (!box_or.ok()) return box_or.status();
  struct BoxGuard {
    Sandbox* sb;
    std::unique_ptr<Box> box;
    ~BoxGuard() { sb->Retire(std::move(box)); }
  } box_guard{this, std::move(*box_or)};
  Box& box = *box_guard.box;
  BoxCgroup& cgroup = box.cgroup;
  UniqueFd& pidfd = box.pidfd;
  UniqueFd& box_socket = box.ctl;
  if (absl::Status s = cgroup.SetLimits(cgroup_limits.first, cgroup_limits.second); !s.ok()) {
    return s;
  }

  // --- The exec plan, in the box's arena (second half).
  const size_t exec_offset = kArenaSize / 2;
  ArenaWriter w(Arena(box.id) + exec_offset, kArenaSize / 2);
  ExecPlan* plan = w.Alloc<ExecPlan>();
  RlimitOp* rl = w.Alloc<RlimitOp>(rlimits.size());
  const char** paths = w.Alloc<const char*>(exec_paths.size());
  char** av = w.Alloc<char*>(argv.size());
  char** ev = w.Alloc<char*>(envp.size());
  sock_filter* bpf = w.Alloc<sock_filter>(filter.fprog().len);
  if (plan == nullptr || rl == nullptr || paths == nullptr || av == nullptr || ev == nullptr ||
      bpf == nullptr) {
    return absl::InvalidArgumentError("argv and env are too large for the box");
  }
  std::copy(rlimits.begin(), rlimits.end(), rl);
  for (size_t i = 0; i < exec_paths.size(); ++i) paths[i] = w.Str(exec_paths[i]);
  for (size_t i = 0; i < argv.size(); ++i) av[i] = const_cast<char*>(w.Str(argv[i]));
  for (size_t i = 0; i < envp.size(); ++i) ev[i] = const_cast<char*>(w.Str(envp[i]));
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

  auto kill_box = [&] { box.Kill(); };
  auto reap = [&] { box.Reap(); };
  // --- Go: the program starts as soon as the box has the plan.
  const Clock::time_point start = Clock::now();
  const int stdio[3] = {child_stdin, child_stdout, child_stderr};
  if (absl::Status s = SendPlan(box.ctl.get(), PlanHeader::kExec, w.used(), exec_offset, stdio, 3);
      !s.ok()) {
    return s;
  }
  // We keep our copies of the write ends of the output pipes: they never report EOF, so the
  // program's exit does not wake us on its own. The init's exit tells us the box is done (every
  // process of it is gone by then), and we read what is left in the pipes, and its reports.
  stdin_fd.Reset();

  // --- Supervise: streams, reports from the box, time limits.
  RunResult result;
  KillReason reason = KillReason::kNone;
  bool got_exit = false;
  ChildMsg exit_msg{};
  std::string setup_error;
  const bool capture_out = spec.stdout_stream.kind == Stream::Kind::kCapture;
  const bool capture_err = spec.stderr_stream.kind == Stream::Kind::kCapture;
  uint64_t out_bytes = 0, err_bytes = 0;
  const Clock::time_point wall_deadline =
      limits.wall_time_ms > 0 ? start + std::chrono::milliseconds(limits.wall_time_ms)
                              : Clock::time_point::max();
  const int tick_ms = limits.cpu_time_ms > 0 && cgroups_.has_cpu()
                          ? static_cast<int>(std::clamp<uint64_t>(limits.cpu_time_ms / 50, 2, 20))
                          : 100;
  // On the heap, and untouched until output comes: 64 KiB on the stack would be probed page by
  // page on entry (stack clash protection), 16 page faults for every run.
  constexpr size_t kPumpSize = 65536;
  std::unique_ptr<char[]> buf;

  auto kill_for = [&](KillReason why) {
    if (reason == KillReason::kNone) reason = why;
    kill_box();
  };
  auto pump = [&](UniqueFd& r, bool capture, UniqueFd& file, std::string& sink, uint64_t& total,
                  uint64_t cap, bool hard_cap) {
    if (buf == nullptr) buf.reset(new char[kPumpSize]);
    for (;;) {
      ssize_t n = read(r.get(), buf.get(), kPumpSize);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return;  // EAGAIN
      if (n == 0) {
        r.Reset();
        return;
      }
      uint64_t keep = total >= cap ? 0 : std::min<uint64_t>(n, cap - total);
      total += n;
      if (capture) {
        sink.append(buf.get(), keep);
      } else if (file.valid() && keep > 0) {
        (void)!write(file.get(), buf.get(), keep);
      }
      if (total > cap && hard_cap && cap > 0) kill_for(KillReason::kOutput);
    }
  };

  auto pump_out = [&] {
    pump(stdout_r, capture_out, stdout_file, result.stdout_data, out_bytes, limits.stdout_bytes,
         true);
  };
  auto pump_err = [&] {
    pump(stderr_r, capture_err, stderr_file, result.stderr_data, err_bytes, limits.stderr_bytes,
         false);
  };

  // Reads every queued packet from the box: a blocked call (init killed the box), the exit
  // report, or a setup error.
  auto read_status = [&] {
    ChildMsg msg{};
    while (ReadPacket(box_socket.get(), &msg)) {
      if (msg.kind == ChildMsg::kBlocked) {
        if (result.syscall.empty()) result.syscall = SyscallName(msg.value);
        kill_for(KillReason::kSecurity);
      } else if (msg.kind == ChildMsg::kExit) {
        got_exit = true;
        exit_msg = msg;
      } else if (msg.kind == ChildMsg::kError) {
        msg.where[sizeof msg.where - 1] = '\0';
        setup_error = absl::StrCat(msg.where, ": ", strerror(msg.err));
      }
    }
  };

  for (;;) {
    pollfd fds[3];
    int nfds = 0;
    auto add = [&](int fd) {
      fds[nfds] = pollfd{fd, POLLIN, 0};
      return nfds++;
    };
    // The box's reports are read once its init is gone: it leaves right after each of them
    // (an exit report, a blocked call, a setup error), and a wake-up per report costs more
    // than it saves.
    int i_pid = add(pidfd.get());
    int i_out = stdout_r.valid() ? add(stdout_r.get()) : -1;
    int i_err = stderr_r.valid() ? add(stderr_r.get()) : -1;
    Clock::time_point now = Clock::now();
    int timeout =
        wall_deadline == Clock::time_point::max()
            ? -1
            : static_cast<int>(std::max<int64_t>(
                  0, std::chrono::duration_cast<std::chrono::milliseconds>(wall_deadline - now)
                             .count() +
                         1));
    if (limits.cpu_time_ms > 0 && cgroups_.has_cpu()) {
      timeout = timeout < 0 ? tick_ms : std::min(timeout, tick_ms);
    }
    if (reason != KillReason::kNone) timeout = -1;  // killed: only its end is left to see
    int ready = poll(fds, nfds, timeout);
    if (ready < 0 && errno != EINTR) {
      kill_box();
      reap();
      return Errno("poll");
    }
    if (i_out >= 0 && fds[i_out].revents) pump_out();
    if (i_err >= 0 && fds[i_err].revents) pump_err();
    if (fds[i_pid].revents) break;
    now = Clock::now();
    if (now >= wall_deadline) kill_for(KillReason::kWall);
    if (limits.cpu_time_ms > 0 && cgroups_.has_cpu() &&
        cgroup.CpuUsageNs() > limits.cpu_time_ms * 1'000'000ull) {
      kill_for(KillReason::kCpu);
    }
  }
  // The init is gone, and every process of the box with it.
  read_status();
  reap();
  // No writer is left but us: take what the pipes still hold (a look first, which usually
  // finds them empty).
  {
    pollfd left[2] = {{stdout_r.get(), POLLIN, 0}, {stderr_r.get(), POLLIN, 0}};
    if (poll(left, 2, 0) > 0) {  // a pipe we do not pump has fd -1, which poll skips
      if (left[0].revents & POLLIN) pump_out();
      if (left[1].revents & POLLIN) pump_err();
    }
  }
  stdout_w.Reset();
  stderr_w.Reset();
  const Clock::time_point end = Clock::now();

  // --- What happened.
  result.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(end - start).count();
  result.cpu_ms = cgroups_.has_cpu() ? cgroup.CpuUsageNs() / 1'000'000 : exit_msg.cpu_us / 1000;
  uint64_t peak = cgroup.PeakMemoryBytes();
  result.memory_kib = peak > 0 ? peak / 1024 : static_cast<uint64_t>(exit_msg.maxrss_kib);
  // The memory limit kills with SIGKILL. Under a run profile the program is the box's only
  // process (threads share its fate): if it ended otherwise, nothing was killed for memory.
  const bool killed =
      !got_exit || (WIFSIGNALED(exit_msg.value) && WTERMSIG(exit_msg.value) == SIGKILL);
  const bool oom = (killed || spec.profile == Profile::kCompile) && cgroup.OomKilled();
  if (absl::Status s = cgroup.Remove(); !s.ok()) return s;
  if (!cgroups_.has_cpu()) result.approximate.push_back("cpu_time");
  if (!cgroups_.has_memory()) result.approximate.push_back("memory");
  if (!cgroups_.has_pids()) result.approximate.push_back("processes");

  if (absl::StartsWith(setup_error, "execve") && reason == KillReason::kNone) {
    // The program could not be started: a result, not a sandbox failure.
    result.status = Status::kNonZeroExit;
    result.exit_code = 127;
    result.message = setup_error;
    return result;
  }
  if (!setup_error.empty() && reason != KillReason::kSecurity) {
    return absl::InternalError(absl::StrCat("sandbox setup failed: ", setup_error));
  }
  if (got_exit) {
    int st = exit_msg.value;
    if (WIFEXITED(st)) result.exit_code = WEXITSTATUS(st);
    if (WIFSIGNALED(st)) result.signal = WTERMSIG(st);
  } else if (reason == KillReason::kNone) {
    return absl::InternalError("the box ended without reporting how the program ended");
  } else {
    result.signal = SIGKILL;
  }
  const bool over_cpu = limits.cpu_time_ms > 0 && result.cpu_ms > limits.cpu_time_ms;
  if (reason == KillReason::kSecurity) {
    result.status = Status::kSecurityViolation;
    if (result.syscall.empty()) result.syscall = "unknown";
    result.message = absl::StrCat("blocked syscall ", result.syscall);
    if (!setup_error.empty()) result.message = setup_error;
  } else if (result.signal == SIGSYS) {
    result.status = Status::kSecurityViolation;
    result.syscall = "non-native ABI";
    result.message = "a 32-bit (int 0x80) or x32 syscall was made";
  } else if (reason == KillReason::kCpu || over_cpu || result.signal == SIGXCPU) {
    result.status = Status::kCpuTimeLimit;
    result.message = absl::StrCat("cpu time limit ", limits.cpu_time_ms, " ms exceeded");
  } else if (reason == KillReason::kWall) {
    result.status = Status::kWallTimeLimit;
    result.message = absl::StrCat("wall time limit ", limits.wall_time_ms, " ms exceeded");
  } else if (oom) {
    result.status = Status::kMemoryLimit;
    result.message = absl::StrCat("memory limit ", limits.memory_bytes / 1024, " KiB exceeded");
  } else if (reason == KillReason::kOutput || result.signal == SIGXFSZ) {
    result.status = Status::kOutputLimit;
    result.message = reason == KillReason::kOutput
                         ? absl::StrCat("output limit ", limits.stdout_bytes, " bytes exceeded")
                         : "file size limit exceeded";
  } else if (result.signal != 0) {
    result.status = Status::kSignaled;
    result.message = absl::StrCat("killed by signal ", result.signal, " (",
                                  sigabbrev_np(result.signal) ? sigabbrev_np(result.signal) : "?",
                                  ")");
  } else if (result.exit_code != 0) {
    result.status = Status::kNonZeroExit;
    result.message = absl::StrCat("exit code ", result.exit_code);
  } else {
    result.status = Status::kOk;
  }
  return result;
}

}  // namespace sandbox
