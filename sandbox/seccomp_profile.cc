#include "sandbox/seccomp_profile.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "sandbox/unique_fd.h"

namespace sandbox {
namespace {

struct CtxDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

// Plain file, memory, time and process-self syscalls that any normal C, C++ or Python program
// makes. Everything here acts only on the caller or on fds it already holds.
constexpr const char* kRunAllowed[] = {
    // I/O on fds the program holds; files only exist in the box's own mount namespace.
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "preadv",
    "pwritev",
    "preadv2",
    "pwritev2",
    "lseek",
    "close",
    "close_range",
    "dup",
    "dup2",
    "dup3",
    "fcntl",
    "flock",
    "fsync",
    "fdatasync",
    "ftruncate",
    "fallocate",
    "fadvise64",
    "sendfile",
    "copy_file_range",
    "splice",
    "tee",
    "pipe",
    "pipe2",
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "eventfd2",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_gettime",
    // Paths: the root is read-only except /tmp and the work dir, both size-limited tmpfs.
    "open",
    "openat",
    "creat",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "statfs",
    "fstatfs",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getdents",
    "getdents64",
    "getcwd",
    "chdir",
    "fchdir",
    "mkdir",
    "mkdirat",
    "rmdir",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "chmod",
    "fchmod",
    "fchmodat",
    "truncate",
    "utime",
    "utimes",
    "utimensat",
    "futimesat",
    "umask",
    "getxattr",
    "lgetxattr",
    "fgetxattr",
    "listxattr",
    "llistxattr",
    "flistxattr",
    // Memory of the caller; the cgroup bounds the total.
    "brk",
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "mincore",
    "msync",
    "mlock",
    "munlock",
    "membarrier",
    // Signals to the caller's own box (its pid namespace holds nothing else).
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigpending",
    "rt_sigtimedwait",
    "rt_sigsuspend",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "sigaltstack",
    "kill",
    "tkill",
    "tgkill",
    "pause",
    "alarm",
    "getitimer",
    "setitimer",
    // POSIX timers of the caller's own process: a signal or a thread of its own when one
    // fires (Ruby's thread scheduler arms SIGVTALRM with timer_create at start).
    "timer_create",
    "timer_settime",
    "timer_gettime",
    "timer_getoverrun",
    "timer_delete",
    // Threads and their synchronisation (clone itself is checked below).
    "futex",
    "futex_waitv",
    "set_robust_list",
    "get_robust_list",
    "set_tid_address",
    "rseq",
    "arch_prctl",
    "sched_yield",
    "sched_getaffinity",
    "sched_setaffinity",
    "sched_getparam",
    "sched_getscheduler",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "getpriority",
    // Identity and limits of the caller: reading is harmless, raising a hard limit is refused by
    // the kernel without capabilities.
    "getpid",
    "getppid",
    "gettid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getgroups",
    "getpgrp",
    "getpgid",
    "getsid",
    "setsid",
    "setpgid",
    "getrlimit",
    "setrlimit",
    "prlimit64",
    "getrusage",
    "times",
    "uname",
    "sysinfo",
    "capget",
    // Time and randomness. restart_syscall is how the kernel resumes a sleep that a stop
    // interrupted (seen at random as a violation in go build).
    "clock_gettime",
    "clock_getres",
    "clock_nanosleep",
    "nanosleep",
    "gettimeofday",
    "time",
    "getrandom",
    "restart_syscall",
    // Ending and waiting (wait4 reaps the caller's own children only).
    "exit",
    // exit_group is not here: run profiles park it for the box's init, which reads the
    // program's own peak memory before the call goes on (child.cc); compile allows it.
    "wait4",
    "waitid",
    // The exec of the program itself; no_new_privs is set, so no setuid gain.
    "execve",
};

// What a compiler driver needs on top: start its passes and wait for them.
constexpr const char* kCompileExtra[] = {"fork", "vfork", "execveat", "exit_group"};

// V8 (node, and tsc running on it) probes memory protection keys for its code space at start
// (strace of `node main.js` and of tsc: pkey_alloc). A key only restricts the caller's own
// pages; with a key granted, V8 goes on to pkey_mprotect and frees it at exit.
constexpr const char* kV8Extra[] = {"pkey_alloc", "pkey_free", "pkey_mprotect"};

// Calls answered with an error instead of ending the run. Under the JVM profile and the compile
// profile, socket(): the JDK's network library probes IPv6 and SO_REUSEPORT with throwaway
// sockets as soon as any NIO class loads (Files.readAllBytes, javac reading its sources), and
// glibc's user look-up (the JVM's user.name) first asks nscd over an AF_UNIX socket. Both carry
// on when the call fails; a program's own connection fails the same way (SocketException:
// Permission denied) and nothing is ever created. Every other run profile answers an AF_UNIX
// socket() the same way: syslog(3), getpwnam's nscd look-up and other libc calls that log or ask
// a local daemon go on without it (the box has no socket to reach anyway). Any other family
// ends the run there.
constexpr int kSocketErrno = EACCES;

// ioctls that stdio and Python's isatty checks make; TIOCSTI and friends stay out.
constexpr unsigned long kAllowedIoctls[] = {TCGETS,  TIOCGWINSZ, FIONREAD,
                                            FIONBIO, FIOCLEX,    FIONCLEX};

// prctl options a runtime uses on itself.
// PR_SET_THP_DISABLE: Ruby turns transparent huge pages off for its own heap at start.
constexpr int kAllowedPrctl[] = {PR_SET_NAME,    PR_GET_NAME,     PR_GET_DUMPABLE,   PR_SET_VMA,
                                 PR_GET_SECCOMP, PR_CAPBSET_READ, PR_SET_THP_DISABLE};

// Namespace flags that clone must never carry: no new namespaces from inside the box.
constexpr uint64_t kCloneNewFlags = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
                                    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME;

absl::Status Add(scmp_filter_ctx ctx, uint32_t action, const char* name, unsigned count = 0,
                 const scmp_arg_cmp* args = nullptr) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return absl::InternalError(absl::StrCat("unknown syscall ", name));
  int rc = seccomp_rule_add_array(ctx, action, nr, count, args);
  if (rc < 0) {
    return absl::ErrnoToStatus(-rc, absl::StrCat("seccomp_rule_add ", name));
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// What every profile allows: the run list, the listed ioctls and prctls; clone3 answers ENOSYS.
absl::Status AddCommonRules(scmp_filter_ctx ctx) {
  for (const char* name : kRunAllowed) {
    if (absl::Status s = Add(ctx, SCMP_ACT_ALLOW, name); !s.ok()) return s;
  }
  // ioctl request and prctl option are 32-bit; compare only the low 32 bits so that garbage in
  // the upper half can neither sneak past nor be used to reach another request.
  for (unsigned long req : kAllowedIoctls) {
    scmp_arg_cmp cmp = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, req & 0xFFFFFFFFu);
    if (absl::Status s = Add(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &cmp); !s.ok()) return s;
  }
  for (int option : kAllowedPrctl) {
    scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, static_cast<uint32_t>(option));
    if (absl::Status s = Add(ctx, SCMP_ACT_ALLOW, "prctl", 1, &cmp); !s.ok()) return s;
  }
  // Scheduling policy: a thread may (re)set the normal policy on itself or another of its
  // threads (Mono sets SCHED_OTHER on its finalizer and GC threads); any other policy (the
  // real-time ones, SCHED_BATCH, SCHED_IDLE) is answered EPERM, as to a user without
  // CAP_SYS_NICE.
  scmp_arg_cmp other = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, SCHED_NORMAL);
  if (absl::Status s = Add(ctx, SCMP_ACT_ALLOW, "sched_setscheduler", 1, &other); !s.ok()) return s;
  scmp_arg_cmp not_other = SCMP_A1(SCMP_CMP_NE, SCHED_NORMAL);
  if (absl::Status s = Add(ctx, SCMP_ACT_ERRNO(EPERM), "sched_setscheduler", 1, &not_other);
      !s.ok()) {
    return s;
  }
  // clone3 passes its flags in memory, which seccomp cannot read: answer ENOSYS so that libc
  // falls back to clone, whose flags we can check.
  return Add(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3");
}

// What one profile adds: V8's memory keys, the JDK's socketpair and socket(), and clone for
// threads only (run profiles) or for processes too (compile), never a namespace.
absl::Status AddProfileRules(scmp_filter_ctx ctx, Profile profile) {
  if (profile == Profile::kRunV8 || profile == Profile::kCompile) {
    for (const char* name : kV8Extra) {
      if (absl::Status s = Add(ctx, SCMP_ACT_ALLOW, name); !s.ok()) return s;
    }
  }
  if (profile == Profile::kRunJvm || profile == Profile::kCompile) {
    // The JDK's file channels (java.nio.file.Files, javac reading its sources) set up a
    // connected AF_UNIX socketpair for closing descriptors safely: a pipe by another name, it
    // reaches nothing outside the process.
    scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, AF_UNIX);
    if (absl::Status s = Add(ctx, SCMP_ACT_ALLOW, "socketpair", 1, &cmp); !s.ok()) return s;
    if (absl::Status s = Add(ctx, SCMP_ACT_ERRNO(kSocketErrno), "socket"); !s.ok()) return s;
  } else {
    scmp_arg_cmp unix_family = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, AF_UNIX);
    if (absl::Status s = Add(ctx, SCMP_ACT_ERRNO(kSocketErrno), "socket", 1, &unix_family);
        !s.ok()) {
      return s;
    }
  }
  if (profile != Profile::kCompile) {
    // Threads only: CLONE_THREAD set and no namespace flag.
    scmp_arg_cmp cmp =
        SCMP_A0(SCMP_CMP_MASKED_EQ, (kCloneNewFlags | CLONE_THREAD) & 0xFFFFFFFFu, CLONE_THREAD);
    return Add(ctx, SCMP_ACT_ALLOW, "clone", 1, &cmp);
  }
  // Processes too, but still never a namespace.
  scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, kCloneNewFlags & 0xFFFFFFFFu, 0);
  if (absl::Status s = Add(ctx, SCMP_ACT_ALLOW, "clone", 1, &cmp); !s.ok()) return s;
  for (const char* name : kCompileExtra) {
    if (absl::Status s = Add(ctx, SCMP_ACT_ALLOW, name); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// libseccomp 2.5 exports only to an fd: the program is read back from a memfd.
absl::StatusOr<SeccompProgram> Export(scmp_filter_ctx ctx) {
  UniqueFd mem(memfd_create("seccomp-bpf", MFD_CLOEXEC));
  if (!mem.valid()) return absl::ErrnoToStatus(errno, "memfd_create");
  int rc = seccomp_export_bpf(ctx, mem.get());
  if (rc < 0) return absl::ErrnoToStatus(-rc, "seccomp_export_bpf");
  off_t size = lseek(mem.get(), 0, SEEK_END);
  if (size <= 0 || size % sizeof(sock_filter) != 0) {
    return absl::InternalError("seccomp_export_bpf produced no program");
  }
  SeccompProgram program;
  program.code.resize(size / sizeof(sock_filter));
  if (pread(mem.get(), program.code.data(), size, 0) != size) {
    return absl::InternalError("reading the seccomp program back failed");
  }
  return program;
}

}  // namespace

absl::StatusOr<SeccompProgram> BuildSeccompProgram(Profile profile) {
  // Default: notify the parent, which names the call and kills the box (see header).
  Ctx ctx(seccomp_init(SCMP_ACT_NOTIFY));
  if (!ctx) return absl::InternalError("seccomp_init failed");
  // i386 (int 0x80) and x32 numbers are a way around a native allow-list: kill at once.
  if (seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0) {
    return absl::InternalError("seccomp: cannot set the bad-arch action");
  }
  // A binary tree over syscall numbers instead of a linear list: fewer instructions per call for
  // the program, and the kernel's per-filter cache is quicker to build when the box starts.
  if (seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0) {
    return absl::InternalError("seccomp: cannot ask for a binary-tree filter");
  }
  if (absl::Status s = AddCommonRules(ctx.get()); !s.ok()) return s;
  if (absl::Status s = AddProfileRules(ctx.get(), profile); !s.ok()) return s;
  return Export(ctx.get());
}

std::string SyscallName(int nr) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
  if (name == nullptr) return absl::StrCat("syscall ", nr);
  std::string result(name);
  free(name);
  return result;
}

}  // namespace sandbox
