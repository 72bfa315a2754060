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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace sandbox::internal {
namespace {

// fds inside init after the shuffle.
constexpr int kStatusFd = 3;

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
  const ChildPlan& plan = *static_cast<const ChildPlan*>(arg);
  // A new session: no controlling terminal, and signals to our old group cannot reach it.
  if (setsid() < 0) Fail(kStatusFd, "setsid");
  // Capabilities: empty the bounding set while we still may, lock the securebits so that
  // nothing (uid 0, setuid) can bring them back, then switch ids and drop what is left.
  for (int cap = 0; cap <= 63; ++cap) {
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

}  // namespace

int ChildInit(void* arg) {
  const ChildPlan& plan = *static_cast<const ChildPlan*>(arg);
  // If the judge dies, the box dies with it (and, being pid 1, takes every process along).
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Move the fds we need above any others, then put them at 0..3 and close everything else:
  // nothing of the parent's (or of other boxes') leaks into the box.
  int moved[5];
  const int wanted[5] = {plan.stdin_fd, plan.stdout_fd, plan.stderr_fd, plan.status_fd,
                         plan.go_fd};
  for (int i = 0; i < 5; ++i) {
    moved[i] = fcntl(wanted[i], F_DUPFD, 64);
    if (moved[i] < 0) Fail(plan.status_fd, "dup");
  }
  for (int i = 0; i < 5; ++i) {
    if (dup2(moved[i], i) < 0) Fail(moved[3], "dup2");
  }
  syscall(SYS_close_range, 5, ~0U, 0);
  constexpr int kGoFd = 4;
  fcntl(kStatusFd, F_SETFD, FD_CLOEXEC);

  char go = 0;
  ssize_t n;
  while ((n = read(kGoFd, &go, 1)) < 0 && errno == EINTR) {
  }
  if (n != 1) _exit(126);  // the parent gave up on us
  close(kGoFd);
  // Become the namespace's root (mapped to an unprivileged host uid) to build the new root.
  if (syscall(SYS_setresgid, 0, 0, 0) < 0) Fail(kStatusFd, "setresgid 0");
  if (syscall(SYS_setresuid, 0, 0, 0) < 0) Fail(kStatusFd, "setresuid 0");

  // Our mounts stay ours: nothing propagates back to the host.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) Fail(kStatusFd, "private");
  for (int i = 0; i < plan.op_count; ++i) {
    const MountOp& op = plan.ops[i];
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
  if (chdir(plan.root) < 0) Fail(kStatusFd, "chdir", plan.root);
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

  // vfork-style: we sleep until the program has exec'd; it shares our fd table until then.
  pid_t program = clone(ProgramMain, plan.program_stack_top,
                        CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, const_cast<ChildPlan*>(&plan));
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
