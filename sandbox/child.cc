// The box's side of a run: its init, then the program.
//
// Both run in the judge's own memory until the program's exec (init is cloned with CLONE_VM, the
// program with CLONE_VM | CLONE_VFORK), on their own stacks but with the cloning thread's TLS.
// So nothing here may touch libc state: every call is a raw syscall that returns -errno instead
// of setting errno, nothing allocates, nothing locks (see child.h).
#include "sandbox/child.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <cerrno>

#if !defined(__x86_64__)
#error "the sandbox supports x86-64 only (its seccomp profiles are for that ABI)"
#endif

namespace sandbox::internal {
namespace {

// Init's one fd once it has closed the rest: its socket to the parent (plans in, reports out).
constexpr int kSocketFd = 3;

// A raw x86-64 syscall: the kernel's return value (>= 0, or -errno); errno is never touched.
long Sys(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) {
  long ret;
  register long r10 asm("r10") = d;
  register long r8 asm("r8") = e;
  register long r9 asm("r9") = f;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return ret;
}
template <typename... Args>
long Call(long nr, Args... args) {
  return Sys(nr, (long)(args)...);  // NOLINT: syscall arguments are registers
}

[[noreturn]] void Exit(int code) {
  for (;;) Sys(SYS_exit_group, code);
}

void CopyLabel(char* dst, size_t size, const char* a, const char* b) {
  size_t i = 0;
  for (; a && *a && i + 1 < size; ++a) dst[i++] = *a;
  if (b && i + 1 < size) dst[i++] = ' ';
  for (; b && *b && i + 1 < size; ++b) dst[i++] = *b;
  dst[i] = '\0';
}

// The VmHWM line of /proc/<pid>/status, in KiB; -1 when unreadable. No libc: raw calls and a
// buffer on our stack.
int64_t PeakRssKib(int pid) {
  char path[32] = "/proc/";
  char digits[12];
  int n = 0;
  for (int v = pid; n == 0 || v > 0; v /= 10) digits[n++] = static_cast<char>('0' + v % 10);
  size_t at = 6;
  while (n > 0) path[at++] = digits[--n];
  for (const char* tail = "/status"; *tail;) path[at++] = *tail++;
  path[at] = '\0';
  long fd = Call(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[2048];
  long got = 0;
  for (long r; got < static_cast<long>(sizeof buf) - 1 &&
               (r = Call(SYS_read, fd, buf + got, sizeof buf - 1 - got)) != 0;) {
    if (r == -EINTR) continue;
    if (r < 0) break;
    got += r;
  }
  Call(SYS_close, fd);
  const char key[] = "\nVmHWM:";
  for (long i = 0; i + static_cast<long>(sizeof key) - 1 < got; ++i) {
    long k = 0;
    while (key[k] != '\0' && buf[i + k] == key[k]) ++k;
    if (key[k] != '\0') continue;
    int64_t kib = 0;
    bool any = false;
    for (long j = i + k; j < got && buf[j] != '\n'; ++j) {
      if (buf[j] >= '0' && buf[j] <= '9') {
        kib = kib * 10 + (buf[j] - '0');
        any = true;
      }
    }
    return any ? kib : -1;
  }
  return -1;
}

void Send(int fd, const ChildMsg& msg) {
  while (Call(SYS_write, fd, &msg, sizeof msg) == -EINTR) {
  }
}

// mount_setattr(2), spelled out here: <linux/mount.h> clashes with glibc's <sys/mount.h>.
struct MountAttr {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};
constexpr int kAtRecursive = 0x8000;

// Adds the restrictions in `flags` to a bind and all mounts below it. Kernels before 5.12 lack
// mount_setattr: there a remount does it for the bind alone, and must repeat the flags the
// host locked on the source (a remount may not clear them), which statfs reports.
long Restrict(const char* target, unsigned long flags) {
  MountAttr attr{};
  attr.attr_set = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);  // same bits
  long r = Call(SYS_mount_setattr, AT_FDCWD, target, kAtRecursive, &attr, sizeof attr);
  if (r != -ENOSYS) return r;
  struct statfs st {};
  r = Call(SYS_statfs, target, &st);
  if (r < 0) return r;
  const unsigned long locked = st.f_flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
                                             MS_NOATIME | MS_NODIRATIME | MS_RELATIME);
  return Call(SYS_mount, nullptr, target, nullptr, MS_BIND | MS_REMOUNT | flags | locked, nullptr);
}

// Reports a failed step (`err` is the negative return of the call) and leaves.
[[noreturn]] void Fail(int fd, long err, const char* what, const char* arg = nullptr) {
  ChildMsg msg{};
  msg.kind = ChildMsg::kError;
  msg.err = static_cast<int32_t>(-err);
  CopyLabel(msg.where, sizeof msg.where, what, arg);
  Send(fd, msg);
  Exit(127);
}

// Runs a call and fails the box when it fails.
#define CHECK_SYS(fd, what, arg, ...)          \
  do {                                         \
    long r_ = Call(__VA_ARGS__);               \
    if (r_ < 0) Fail((fd), r_, (what), (arg)); \
  } while (0)

// What init hands the program, on init's stack (init sleeps until the program's exec).
struct ProgramArgs {
  const ExecPlan* plan;
  int listener;  // set by the program: its filter's listener, in the fd table it shares with init
};

// The program process: drops every privilege, applies limits and the filter, and execs.
int ProgramMain(void* arg) {
  ProgramArgs& args = *static_cast<ProgramArgs*>(arg);
  const ExecPlan& plan = *args.plan;
  // A new session: no controlling terminal, and signals to our old group cannot reach it.
  CHECK_SYS(kSocketFd, "setsid", nullptr, SYS_setsid);
  // Init emptied the bounding set and locked the securebits (see DropBounds); now switch ids
  // and drop every capability left.
  CHECK_SYS(kSocketFd, "setresgid", nullptr, SYS_setresgid, plan.gid, plan.gid, plan.gid);
  CHECK_SYS(kSocketFd, "setresuid", nullptr, SYS_setresuid, plan.uid, plan.uid, plan.uid);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  CHECK_SYS(kSocketFd, "capset", nullptr, SYS_capset, &header, data);
  for (int i = 0; i < plan.rlimit_count; ++i) {
    CHECK_SYS(kSocketFd, "setrlimit", nullptr, SYS_prlimit64, 0, plan.rlimits[i].resource,
              &plan.rlimits[i].value, nullptr);
  }
  CHECK_SYS(kSocketFd, "chdir", plan.workdir, SYS_chdir, plan.workdir);
  // The filter goes on last. Its listener fd lands in the fd table we share with init, which
  // keeps it after exec (close-on-exec closes it on our side) and watches it.
  long listener =
      Call(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &plan.filter);
  if (listener < 0) Fail(kSocketFd, listener, "seccomp");
  args.listener = static_cast<int>(listener);
  long r = -ENOENT;
  for (int i = 0; i < plan.exec_path_count && r == -ENOENT; ++i) {
    r = Call(SYS_execve, plan.exec_paths[i], plan.argv, plan.envp);
  }
  Fail(kSocketFd, r, "execve", plan.exec_paths[0]);
}

// What init takes away from itself, and so from the program it will clone, as soon as it starts
// (it keeps its effective capabilities, which it needs for the mounts): no exec can grant
// privileges again (no_new_privs), the bounding set is empty, and the securebits are locked so
// that uid 0 means nothing and nothing can bring capabilities back. Done first because nothing
// here depends on the parent: when a run waits for us we start on another CPU than the parent
// (see Sandbox::Spawn), so the 40-odd prctl calls overlap with it writing our uid maps. The
// program keeps only what it needs to switch to its uid, and drops that too.
void DropBounds() {
  CHECK_SYS(kSocketFd, "no_new_privs", nullptr, SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  // Every capability this kernel knows: they are numbered from 0 up to the first it refuses.
  for (int cap = 0; cap < 64; ++cap) {
    long r = Call(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0);
    if (r == -EINVAL) break;
    if (r < 0) Fail(kSocketFd, r, "capbset");
  }
  CHECK_SYS(kSocketFd, "securebits", nullptr, SYS_prctl, PR_SET_SECUREBITS,
            SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
            0, 0, 0);
}

// What goes once the root is built: supplementary groups (only possible once the parent has
// written our gid map) and ambient capabilities.
void DropGroups() {
  CHECK_SYS(kSocketFd, "setgroups", nullptr, SYS_setgroups, 0, nullptr);
  CHECK_SYS(kSocketFd, "ambient", nullptr, SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0,
            0, 0);
  Call(SYS_umask, 022);
}

// Waits for one plan from the parent (see child.h); it is in the arena already, which we share.
// Exactly `nfds` fds come with it (the exec plan's stdio). A closed socket means the parent gave
// up on this box (or died): leave quietly.
const void* ReceivePlan(const BoxStart& start, PlanHeader::Kind want, int* fds, int nfds) {
  PlanHeader header{};
  iovec iov{&header, sizeof header};
  alignas(cmsghdr) char control[CMSG_SPACE(3 * sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  long n;
  while ((n = Call(SYS_recvmsg, kSocketFd, &msg, 0)) == -EINTR) {
  }
  if (n == 0) Exit(126);
  if (n != static_cast<long>(sizeof header) || header.kind != want ||
      header.offset > start.arena_size || header.size > start.arena_size - header.offset) {
    Fail(kSocketFd, n < 0 ? n : -EPROTO, "plan header");
  }
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  const bool has_fds = c != nullptr && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS;
  if ((msg.msg_flags & MSG_CTRUNC) != 0 || has_fds != (nfds > 0) ||
      (has_fds && c->cmsg_len != CMSG_LEN(nfds * sizeof(int)))) {
    Fail(kSocketFd, -EPROTO, "plan fds");
  }
  if (nfds > 0) __builtin_memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
  return start.arena + header.offset;
}

// The kernel's struct sigaction for rt_sigaction (SIG_DFL needs no restorer).
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  uint64_t mask;
};

}  // namespace

// The one long function of sandbox/ (about 160 lines), on purpose: it is the box's whole life
// in order (signals, mounts, the program's clone, supervision of the filter's listener, the
// exit report), it runs on a 128 KiB stack in memory it shares with the parent, and it may call
// nothing but raw syscalls (tests/sandbox/child_imports_test.sh checks the object file). Cut
// into helpers it would read no better: each step is short and commented where it stands.
int ChildInit(void* arg) {
  const BoxStart& start = *static_cast<const BoxStart*>(arg);
  // If the judge dies, the box dies with it (and, being pid 1, takes every process along).
  Call(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Keep the socket to the parent, as fd 3, and close everything else: nothing of the parent's
  // (or of other boxes') leaks into the box. The program's stdio arrives with its plan.
  if (start.socket_fd != kSocketFd) {
    long r = Call(SYS_dup3, start.socket_fd, kSocketFd, O_CLOEXEC);
    if (r < 0) Fail(start.socket_fd, r, "dup3");
  }
  Call(SYS_close_range, 0, 2, 0);
  Call(SYS_close_range, kSocketFd + 1, ~0U, 0);
  DropBounds();

  // The mount plan comes once the uid maps are written.
  const MountPlan& mounts =
      *static_cast<const MountPlan*>(ReceivePlan(start, PlanHeader::kMount, nullptr, 0));
  // Become the namespace's root (mapped to an unprivileged host uid) to build the new root.
  CHECK_SYS(kSocketFd, "setresgid 0", nullptr, SYS_setresgid, 0, 0, 0);
  CHECK_SYS(kSocketFd, "setresuid 0", nullptr, SYS_setresuid, 0, 0, 0);

  // Our mounts stay ours: nothing propagates back to the host.
  CHECK_SYS(kSocketFd, "private", nullptr, SYS_mount, nullptr, "/", nullptr, MS_REC | MS_PRIVATE,
            nullptr);
  for (int i = 0; i < mounts.op_count; ++i) {
    const MountOp& op = mounts.ops[i];
    long r;
    switch (op.kind) {
      case MountOp::kMkdir:
        r = Call(SYS_mkdir, op.target, 0755);
        if (r < 0 && r != -EEXIST) Fail(kSocketFd, r, "mkdir", op.target);
        break;
      case MountOp::kMkfile:  // an empty file to bind a file over
        r = Call(SYS_mknodat, AT_FDCWD, op.target, S_IFREG | 0644, 0);
        if (r < 0 && r != -EEXIST) Fail(kSocketFd, r, "create", op.target);
        break;
      case MountOp::kMount:
        CHECK_SYS(kSocketFd, "mount", op.target, SYS_mount, op.source, op.target, op.fstype,
                  op.flags, op.data);
        if (op.verify) {
          struct stat st {};
          CHECK_SYS(kSocketFd, "stat", op.target, SYS_newfstatat, AT_FDCWD, op.target, &st, 0);
          if (st.st_dev != op.expect_dev || st.st_ino != op.expect_ino) {
            Fail(kSocketFd, -ESTALE, "mount source changed", op.source);
          }
        }
        break;
      case MountOp::kSymlink:
        CHECK_SYS(kSocketFd, "symlink", op.target, SYS_symlink, op.source, op.target);
        break;
      case MountOp::kRestrict:
        r = Restrict(op.target, op.flags);
        if (r < 0) Fail(kSocketFd, r, "restrict mount", op.target);
        break;
    }
  }
  // Switch to the new root and drop the old one entirely: pivot_root(".", ".") stacks the old
  // root on top of the new one, and the detach removes it.
  CHECK_SYS(kSocketFd, "chdir", mounts.root, SYS_chdir, mounts.root);
  CHECK_SYS(kSocketFd, "pivot_root", nullptr, SYS_pivot_root, ".", ".");
  CHECK_SYS(kSocketFd, "umount old root", nullptr, SYS_umount2, ".", MNT_DETACH);
  CHECK_SYS(kSocketFd, "chdir /", nullptr, SYS_chdir, "/");
  // The root itself is read-only: only /tmp and the work dir can be written.
  CHECK_SYS(kSocketFd, "remount / read-only", nullptr, SYS_mount, nullptr, "/", nullptr,
            MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr);
  Call(SYS_sethostname, "box", 3);

  // An empty signal mask and default dispositions for the program: exec resets handled
  // signals, but an ignored one would stay ignored.
  uint64_t none = 0;
  Call(SYS_rt_sigprocmask, SIG_SETMASK, &none, nullptr, sizeof none);
  KernelSigaction dfl{};
  dfl.handler = SIG_DFL;
  for (int sig = 1; sig <= 64; ++sig) {
    if ((start.ignored_signals >> (sig - 1)) & 1) {
      Call(SYS_rt_sigaction, sig, &dfl, nullptr, sizeof(uint64_t));
    }
  }
  DropGroups();

  // The exec plan comes when the run starts (we are in the box's cgroup by then), with the
  // program's stdin, stdout and stderr; they go to 0, 1 and 2, shared with the program until
  // its exec.
  int stdio[3];
  const ExecPlan& plan =
      *static_cast<const ExecPlan*>(ReceivePlan(start, PlanHeader::kExec, stdio, 3));
  // 0, 1 and 2 were closed, so the fds usually arrive there, in order; if not, move them.
  if (stdio[0] != 0 || stdio[1] != 1 || stdio[2] != 2) {
    long high[3];
    for (int i = 0; i < 3; ++i) {
      high[i] = Call(SYS_fcntl, stdio[i], F_DUPFD_CLOEXEC, 10);
      if (high[i] < 0) Fail(kSocketFd, high[i], "dup");
      Call(SYS_close, stdio[i]);
    }
    for (int i = 0; i < 3; ++i) {
      CHECK_SYS(kSocketFd, "dup3", nullptr, SYS_dup3, high[i], i, 0);
      Call(SYS_close, high[i]);
    }
  }

  // vfork-style: we sleep until the program has exec'd; it shares our fd table until then.
  // (glibc's clone only touches errno when it fails, and then we leave.)
  // The parent may have moved us off its CPU (see Sandbox::Spawn); the program must not inherit
  // that. This only widens our own mask, which the kernel allows.
  if (start.restore_cpus) Call(SYS_sched_setaffinity, 0, sizeof start.cpus, &start.cpus);
  ProgramArgs args{&plan, -1};
  int program_fd = -1;
  pid_t program =
      clone(ProgramMain, start.program_stack_top,
            CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_PIDFD | SIGCHLD, &args, &program_fd);
  if (program < 0) Fail(kSocketFd, -EAGAIN, "clone program");
  // Exec unshared the program's fd table; our copies of its stdio go.
  Call(SYS_close_range, 0, 2, 0);

  // Wait for the program to end, or for it to make a call outside its profile: the filter
  // parked that call before it ran. Every process of the box dies before the parent hears of
  // it (closing the listener would let the call fail with ENOSYS and the program go on).
  // Processes the program orphaned are reaped whenever we wake.
  int64_t cpu_us = 0;
  int64_t maxrss = 0;
  int64_t peak = -1;
  for (;;) {
    pollfd fds[2] = {{program_fd, POLLIN, 0}, {args.listener, POLLIN, 0}};
    long ready = Call(SYS_poll, fds, args.listener >= 0 ? 2 : 1, -1);
    if (ready == -EINTR) continue;
    if (ready < 0) Fail(kSocketFd, ready, "poll");
    if (args.listener >= 0 && (fds[1].revents & POLLIN) != 0) {
      seccomp_notif notif;
      __builtin_memset(&notif, 0, sizeof notif);
      const bool received = Call(SYS_ioctl, args.listener, SECCOMP_IOCTL_NOTIF_RECV, &notif) == 0;
      if (received && notif.data.nr == __NR_exit_group) {
        // A run profile parks exit_group here so that the program's own peak can be read
        // while its memory is still there; then the call goes on as it was made.
        const int64_t kib = PeakRssKib(static_cast<int>(notif.pid));
        if (kib > peak) peak = kib;
        seccomp_notif_resp resp;
        __builtin_memset(&resp, 0, sizeof resp);
        resp.id = notif.id;
        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        Call(SYS_ioctl, args.listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
      } else if (received) {
        Call(SYS_kill, -1, SIGKILL);
        ChildMsg msg{};
        msg.kind = ChildMsg::kBlocked;
        msg.value = notif.data.nr;
        Send(kSocketFd, msg);
        Exit(0);
      }
    }
    if (args.listener >= 0 && (fds[1].revents & (POLLHUP | POLLERR)) != 0) {
      args.listener = -1;  // no process left under the filter (it closes when we leave)
    }
    for (;;) {
      int wstatus = 0;
      rusage usage{};
      long pid = Call(SYS_wait4, -1, &wstatus, __WALL | WNOHANG, &usage);
      if (pid == -EINTR) continue;
      if (pid == 0 || pid == -ECHILD) break;
      if (pid < 0) Fail(kSocketFd, pid, "wait4");
      cpu_us += usage.ru_utime.tv_sec * 1000000LL + usage.ru_utime.tv_usec +
                usage.ru_stime.tv_sec * 1000000LL + usage.ru_stime.tv_usec;
      if (usage.ru_maxrss > maxrss) maxrss = usage.ru_maxrss;
      if (pid == program) {
        ChildMsg msg{};
        msg.kind = ChildMsg::kExit;
        msg.value = wstatus;
        msg.cpu_us = cpu_us;
        msg.maxrss_kib = maxrss;
        msg.peak_kib = peak;
        Send(kSocketFd, msg);
        // Leaving as pid 1 kills whatever the program left behind.
        Exit(0);
      }
    }
  }
}

}  // namespace sandbox::internal
