// Host uid ranges for boxes, one per sandbox on the host: several judges on one machine (nodes
// of a cluster, a test judge beside a real one) must never run boxes under the same uids, or
// RLIMIT_NPROC and anything else keyed by uid would be shared between them. A range is held as
// an open-file-description lock on its bytes of one file under /run, released by the kernel
// when the process ends however it ends.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "sandbox/unique_fd.h"

namespace sandbox {

inline constexpr const char* kUidLockFile = "/run/judge-sandbox-uids.lock";
// Ranges chosen for a sandbox that names none start here, one every kUidStride uids.
inline constexpr uint32_t kAutoUidBase = 2'000'000;
inline constexpr uint32_t kUidStride = 65'536;

struct UidLease {
  uint32_t base = 0;   // first uid
  uint32_t count = 0;  // uids [base, base + count) are this sandbox's
  UniqueFd lock;       // holds them
};

// `base` 0: the first free range from kAutoUidBase on. Otherwise exactly [base, base + count),
// or FAILED_PRECONDITION naming the range when another process holds any of it.
[[nodiscard]] absl::StatusOr<UidLease> LeaseUids(uint32_t base, uint32_t count,
                                                 const std::string& lock_file = kUidLockFile);

}  // namespace sandbox
