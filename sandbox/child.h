// What the parent prepares for the box's init and the program, and the messages they send
// back. Everything the child touches is laid out here before clone(): between clone and exec the
// child only makes async-signal-safe calls (raw syscalls), never allocates, never locks.
#pragma once

#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>

namespace sandbox::internal {

struct MountOp {
  enum Kind { kMkdir, kMkfile, kMount, kSymlink } kind;
  const char* source;  // kMount: source; kSymlink: link target
  const char* target;  // absolute host-side path under the new root (before pivot_root)
  const char* fstype;  // kMount: filesystem type or nullptr
  unsigned long flags;
  const char* data;
};

struct RlimitOp {
  int resource;
  rlimit value;
};

// Prepared by the parent; read-only for the child.
struct ChildPlan {
  const char* root;  // mount point of the new root
  const MountOp* ops;
  int op_count;
  const RlimitOp* rlimits;
  int rlimit_count;
  const char* const* exec_paths;  // candidates for argv[0], tried in order
  int exec_path_count;
  char* const* argv;
  char* const* envp;
  const char* workdir;  // inside the box
  int stdin_fd, stdout_fd, stderr_fd;
  int status_fd;  // write end of the message pipe (packet mode)
  int go_fd;      // read end: one byte when uid maps and cgroups are ready
  uid_t uid;      // inside the box
  gid_t gid;
  sock_fprog filter;
  void* program_stack_top;  // stack for the program process (shares init's memory until exec)
};

// Messages on the status pipe, one packet each.
struct ChildMsg {
  enum Kind : int32_t { kError = 1, kListener = 2, kExit = 3 } kind;
  int32_t err;         // kError: errno
  int32_t value;       // kListener: fd number in init's table; kExit: wait status
  int32_t reserved;
  int64_t cpu_us;      // kExit: user + system time of every process init reaped
  int64_t maxrss_kib;  // kExit: largest resident set seen
  char where[64];      // kError: what failed
};

// The box's init (pid 1 of the new pid namespace). Never returns.
int ChildInit(void* plan);

}  // namespace sandbox::internal
