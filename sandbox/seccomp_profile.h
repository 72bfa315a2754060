// Builds the seccomp BPF program of a profile in the parent, so the child only loads it.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/spec.h"

namespace sandbox {

// A compiled filter. Syscalls outside the allow-list return SECCOMP_RET_USER_NOTIF: the task
// blocks before the call runs, the box's init reads its number from the listener, kills every
// process of the box and reports the number, which the parent names (the effect of
// kill-process, plus the name). Non-native ABIs (i386 via int 0x80,
// x32) are killed outright by the filter.
struct SeccompProgram {
  std::vector<sock_filter> code;
  sock_fprog fprog() const {
    return sock_fprog{static_cast<unsigned short>(code.size()),
                      const_cast<sock_filter*>(code.data())};
  }
};

// Builds a profile's program with libseccomp. Used at build time by seccomp-gen (below) and by
// the test that checks the prebuilt programs are current.
[[nodiscard]] absl::StatusOr<SeccompProgram> BuildSeccompProgram(Profile profile);

// The programs seccomp-gen wrote at build time (the same rules, compiled once instead of at
// every start: libseccomp takes about a millisecond per process for it).
const SeccompProgram& PrebuiltSeccompProgram(Profile profile);

// The x86-64 name of a syscall number ("socket"), or "syscall <n>".
std::string SyscallName(int nr);

}  // namespace sandbox
