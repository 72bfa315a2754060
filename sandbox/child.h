// The box's side of a run, and the messages between it and the parent.
//
// A box is cloned before it is needed (ahead of time for the pre-forked pool, or at the start of
// Run): it waits in its fresh namespaces for two plans sent over a unix socket. The mount plan
// builds the new root; the exec plan (with the program's stdin, stdout and stderr attached as
// SCM_RIGHTS) starts the program. The parent builds each plan in its own copy of the box's plan
// arena, a region mapped before clone() and so at the same address in the box: the box reads
// the bytes into its copy and every pointer in them is valid as is.
//
// Between clone and exec the box only makes async-signal-safe calls (raw syscalls), never
// allocates, never locks.
#pragma once

#include <linux/filter.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace sandbox::internal {

struct MountOp {
  // kRestrict: make the bind at `target`, and every mount under it, read-only / nosuid / nodev /
  // noexec as `flags` (MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC) say, keeping whatever flags the
  // host locked on it.
  enum Kind { kMkdir, kMkfile, kMount, kSymlink, kRestrict } kind;
  const char* source;  // kMount: source; kSymlink: link target
  const char* target;  // absolute host-side path under the new root (before pivot_root)
  const char* fstype;  // kMount: filesystem type or nullptr
  unsigned long flags;
  const char* data;
  // A bind of a host path: what the parent saw there when it planned the mounts. The box
  // checks that it bound that very object (the path may have changed since: a box built ahead
  // of its run must not bind something else than its key says).
  bool verify = false;
  dev_t expect_dev = 0;
  ino_t expect_ino = 0;
};

struct RlimitOp {
  int resource;
  rlimit value;
};

// Builds the new root: applied by the box's init as soon as it arrives.
struct MountPlan {
  const char* root;  // mount point of the new root (in the box's own mount namespace)
  const MountOp* ops;
  int op_count;
};

// Starts the program: sent when the run begins, after the box joined its cgroup.
struct ExecPlan {
  const RlimitOp* rlimits;
  int rlimit_count;
  const char* const* exec_paths;  // candidates for argv[0], tried in order
  int exec_path_count;
  char* const* argv;
  char* const* envp;
  const char* workdir;  // inside the box
  uid_t uid;            // inside the box
  gid_t gid;
  sock_fprog filter;
};

// Header of each plan message; `size` bytes follow, to be placed at arena + offset. The exec
// plan's header carries the program's stdin, stdout and stderr.
struct PlanHeader {
  enum Kind : uint32_t { kMount = 1, kExec = 2 } kind;
  uint32_t size;
  uint64_t offset;
};

// Fixed before clone(); read-only for the box.
struct BoxStart {
  int socket_fd;  // the box's end of its socket (seqpacket): plans come in, reports go out
  char* arena;    // the plan arena (same address in parent and box)
  size_t arena_size;
  void* program_stack_top;   // stack for the program process (shares init's memory until exec)
  uint64_t ignored_signals;  // bit n-1: signal n is SIG_IGN here (exec keeps that: undo it)
  bool restore_cpus;         // the init may run off the parent's CPU: give the program `cpus`
  cpu_set_t cpus;            // the parent's CPU affinity
};

// Reports from the box to the parent, one packet each.
struct ChildMsg {
  enum Kind : int32_t { kError = 1, kBlocked = 2, kExit = 3 } kind;
  int32_t err;    // kError: errno
  int32_t value;  // kBlocked: the syscall number; kExit: wait status
  int32_t reserved;
  int64_t cpu_us;      // kExit: user + system time of every process init reaped
  int64_t maxrss_kib;  // kExit: largest resident set seen (getrusage's: see peak_kib)
  // kExit: the program's own peak resident set (VmHWM) when it called exit_group, -1 when it
  // did not (killed by a signal, or no /proc). getrusage's maxrss also counts the memory of the
  // process that exec'd it, which is the judge's own (the program is cloned with CLONE_VM).
  int64_t peak_kib;
  char where[64];  // kError: what failed
};

// The box's init (pid 1 of the new pid namespace); `start` is a BoxStart. Never returns.
int ChildInit(void* start);

}  // namespace sandbox::internal
