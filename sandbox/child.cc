// The child side of a run: the box's init, then the program. Only raw syscalls and
// async-signal-safe libc wrappers here (see child.h). glibc's setuid family is avoided on purpose:
// in a forked copy of a multi-threaded process it would try to signal threads that do not exist.
#include "sandbox/child.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace sandbox::internal {
namespace {

// fds inside init after the shuffle.
constexpr int kStatusFd = 3;
constexpr int kCtlFd = 4;

void CopyLabel(char* dst, size_t size, const char* a, const char* b) {
  size_t i = 0;
  for (; a && *a && i + 1 < size; ++a) dst[i++] = *a;
  if (b && i + 1 < size) dst[i++] = ' ';
  for (; b && *b && i + 1 < size; ++b) dst[i++] = *b;
  dst[i] = '\0';
}

void Send(int fd, const ChildMsg& msg) {
  while (write(fd, &msg, sizeof msg) < 0 && errno == EINTR) {
  }
}

[[noreturn]] void Fail(int fd, const char* what, const char* arg = nullptr) {
  ChildMsg msg{};
  msg.kind = ChildMsg::kError;
  msg.err = errno;
  CopyLabel(msg.where, sizeof msg.where, what, arg);
  Send(fd, msg);
  _exit(127);
}

// The program process: drops every privilege, applies limits and the filter, and execs.
int ProgramMain(void* arg) {
  const ExecPlan& plan = *static_cast<const ExecPlan*>(arg);
  // A new session: no controlling terminal, and signals to our old group cannot reach it.
  if (setsid() < 0) Fail(kStatusFd, "setsid");
  // Capabilities: empty the bounding set while we still may, lock the securebits so that
  // nothing (uid 0, setuid) can bring them back, then switch ids and drop what is left.
  for (int cap = 0; cap <= plan.cap_last; ++cap) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) Fail(kStatusFd, "capbset");
  }
  if (prctl(PR_SET_SECUREBITS,
            SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
            0, 0, 0) < 0) {
    Fail(kStatusFd, "securebits");
  }
  if (syscall(SYS_setgroups, 0, nullptr) < 0) Fail(kStatusFd, "setgroups");
  if (syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) < 0) Fail(kStatusFd, "setresgid");
  if (syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) < 0) Fail(kStatusFd, "setresuid");
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &header, data) < 0) Fail(kStatusFd, "capset");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) Fail(kStatusFd, "ambient");

  for (int i = 0; i < plan.rlimit_count; ++i) {
    if (setrlimit(static_cast<__rlimit_resource>(plan.rlimits[i].resource),
                  &plan.rlimits[i].value) < 0) {
      Fail(kStatusFd, "setrlimit");
    }
  }
  if (chdir(plan.workdir) < 0) Fail(kStatusFd, "chdir", plan.workdir);
  umask(022);
  // No exec can grant privileges from here on (setuid bits, file capabilities).
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) Fail(kStatusFd, "no_new_privs");
  // The filter goes on last. Its listener fd lands in the fd table we share with init, which
  // keeps it after exec; we tell the parent its number, and exec closes it on our side.
  long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                          &plan.filter);
  if (listener < 0) Fail(kStatusFd, "seccomp");
  ChildMsg msg{};
  msg.kind = ChildMsg::kListener;
  msg.value = static_cast<int32_t>(listener);
  Send(kStatusFd, msg);
  for (int i = 0; i < plan.exec_path_count; ++i) {
    execve(plan.exec_paths[i], plan.argv, plan.envp);
    if (errno != ENOENT) break;
  }
  Fail(kStatusFd, "execve", plan.exec_paths[0]);
}

// Reads one plan from the parent: its header (with `nfds` fds attached for the exec plan), then
// its bytes into the arena, where the parent's pointers expect them. A closed socket means the
// parent gave up on this box (or died): leave quietly.
const void* ReceivePlan(const BoxStart& start, PlanHeader::Kind want, int* fds, int nfds) {
  PlanHeader header{};
  iovec iov{&header, sizeof header};
  alignas(cmsghdr) char control[CMSG_SPACE(3 * sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (nfds > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
  }
  ssize_t n;
  while ((n = recvmsg(kCtlFd, &msg, MSG_WAITALL | MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n == 0) _exit(126);
  if (n != static_cast<ssize_t>(sizeof header) || header.kind != want ||
      header.offset > start.arena_size || header.size > start.arena_size - header.offset) {
    errno = EPROTO;
    Fail(kStatusFd, "plan header");
  }
  if (nfds > 0) {
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (c == nullptr || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
        c->cmsg_len != CMSG_LEN(nfds * sizeof(int))) {
      errno = EPROTO;
      Fail(kStatusFd, "plan fds");
    }
    __builtin_memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
  }
  char* at = start.arena + header.offset;
  for (size_t got = 0; got < header.size;) {
    n = read(kCtlFd, at + got, header.size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(126);
    got += static_cast<size_t>(n);
  }
  return at;
}

}  // namespace

int ChildInit(void* arg) {
  const BoxStart& start = *static_cast<const BoxStart*>(arg);
  // If the judge dies, the box dies with it (and, being pid 1, takes every process along).
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Keep the status pipe (3) and the plan socket (4), close everything else: nothing of the
  // parent's (or of other boxes') leaks into the box. The program's stdio arrives with its plan.
  int status = fcntl(start.status_fd, F_DUPFD_CLOEXEC, 64);
  if (status < 0) Fail(start.status_fd, "dup");
  int ctl = fcntl(start.ctl_fd, F_DUPFD_CLOEXEC, 64);
  if (ctl < 0) Fail(status, "dup");
  if (dup3(status, kStatusFd, O_CLOEXEC) < 0 || dup3(ctl, kCtlFd, O_CLOEXEC) < 0) {
    Fail(status, "dup3");
  }
  syscall(SYS_close_range, 0, 2, 0);
  syscall(SYS_close_range, 5, ~0U, 0);

  // The mount plan comes once the uid maps are written.
  const MountPlan& mounts =
      *static_cast<const MountPlan*>(ReceivePlan(start, PlanHeader::kMount, nullptr, 0));
  // Become the namespace's root (mapped to an unprivileged host uid) to build the new root.
  if (syscall(SYS_setresgid, 0, 0, 0) < 0) Fail(kStatusFd, "setresgid 0");
  if (syscall(SYS_setresuid, 0, 0, 0) < 0) Fail(kStatusFd, "setresuid 0");

  // Our mounts stay ours: nothing propagates back to the host.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) Fail(kStatusFd, "private");
  for (int i = 0; i < mounts.op_count; ++i) {
    const MountOp& op = mounts.ops[i];
    switch (op.kind) {
      case MountOp::kMkdir:
        if (mkdir(op.target, 0755) < 0 && errno != EEXIST) Fail(kStatusFd, "mkdir", op.target);
        break;
      case MountOp::kMkfile: {
        int fd = open(op.target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) Fail(kStatusFd, "create", op.target);
        close(fd);
        break;
      }
      case MountOp::kMount:
        if (mount(op.source, op.target, op.fstype, op.flags, op.data) < 0) {
          Fail(kStatusFd, "mount", op.target);
        }
        break;
      case MountOp::kSymlink:
        if (symlink(op.source, op.target) < 0) Fail(kStatusFd, "symlink", op.target);
        break;
    }
  }
  // Switch to the new root and drop the old one entirely: pivot_root(".", ".") stacks the old
  // root on top of the new one, and the detach removes it.
  if (chdir(mounts.root) < 0) Fail(kStatusFd, "chdir", mounts.root);
  if (syscall(SYS_pivot_root, ".", ".") < 0) Fail(kStatusFd, "pivot_root");
  if (umount2(".", MNT_DETACH) < 0) Fail(kStatusFd, "umount old root");
  if (chdir("/") < 0) Fail(kStatusFd, "chdir /");
  // The root itself is read-only: only /tmp and the work dir can be written.
  if (mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
            nullptr) < 0) {
    Fail(kStatusFd, "remount / read-only");
  }
  (void)!sethostname("box", 3);
  // Nobody in the box may read our memory or fds through /proc/1 (we hold the listener).
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  // Default signal dispositions and an empty mask for the program (SIG_IGN survives exec).
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);
  }

  // The exec plan comes when the run starts (we are in the box's cgroup by then), with the
  // program's stdin, stdout and stderr; they go to 0, 1 and 2, shared with the program until
  // its exec.
  int stdio[3];
  const ExecPlan& plan =
      *static_cast<const ExecPlan*>(ReceivePlan(start, PlanHeader::kExec, stdio, 3));
  int high[3];
  for (int i = 0; i < 3; ++i) {
    high[i] = fcntl(stdio[i], F_DUPFD_CLOEXEC, 10);
    if (high[i] < 0) Fail(kStatusFd, "dup");
    close(stdio[i]);
  }
  for (int i = 0; i < 3; ++i) {
    if (dup2(high[i], i) < 0) Fail(kStatusFd, "dup2");
    close(high[i]);
  }

  // vfork-style: we sleep until the program has exec'd; it shares our fd table until then.
  pid_t program = clone(ProgramMain, start.program_stack_top,
                        CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, const_cast<ExecPlan*>(&plan));
  if (program < 0) Fail(kStatusFd, "clone program");
  // Exec unshared the program's fd table; our copies of its stdio go.
  close(0);
  close(1);
  close(2);

  int64_t cpu_us = 0;
  int64_t maxrss = 0;
  for (;;) {
    int status = 0;
    rusage usage{};
    pid_t pid = wait4(-1, &status, __WALL, &usage);
    if (pid < 0) {
      if (errno == EINTR) continue;
      Fail(kStatusFd, "wait4");
    }
    cpu_us += usage.ru_utime.tv_sec * 1000000LL + usage.ru_utime.tv_usec +
              usage.ru_stime.tv_sec * 1000000LL + usage.ru_stime.tv_usec;
    if (usage.ru_maxrss > maxrss) maxrss = usage.ru_maxrss;
    if (pid == program) {
      ChildMsg msg{};
      msg.kind = ChildMsg::kExit;
      msg.value = status;
      msg.cpu_us = cpu_us;
      msg.maxrss_kib = maxrss;
      Send(kStatusFd, msg);
      // Leaving as pid 1 kills whatever the program left behind.
      _exit(0);
    }
  }
}

}  // namespace sandbox::internal
