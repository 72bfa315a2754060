#include "sandbox/uid_lease.h"

#include <fcntl.h>

#include <cerrno>

#include "absl/strings/str_cat.h"

namespace sandbox {
namespace {

// 0: locked; EAGAIN: held by another process; another errno: the lock itself failed.
int TryLock(int fd, uint32_t base, uint32_t count) {
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = base;
  lock.l_len = count;
  if (fcntl(fd, F_OFD_SETLK, &lock) == 0) return 0;
  return errno == EACCES ? EAGAIN : errno;
}

}  // namespace

absl::StatusOr<UidLease> LeaseUids(uint32_t base, uint32_t count, const std::string& lock_file) {
  if (count == 0) return absl::InvalidArgumentError("an empty uid range");
  UidLease lease;
  lease.lock = UniqueFd(open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lease.lock.valid()) return absl::ErrnoToStatus(errno, "open " + lock_file);
  lease.count = count;
  if (base != 0) {
    if (static_cast<uint64_t>(base) + count > UINT32_MAX) {
      return absl::InvalidArgumentError(
          absl::StrCat("uid base ", base, " leaves no room for ", count, " uids"));
    }
    const int err = TryLock(lease.lock.get(), base, count);
    if (err == EAGAIN) {
      return absl::FailedPreconditionError(absl::StrCat(
          "box uids ", base, "-", base + count - 1, " are in use by another judge on this host (",
          lock_file, "); give this one another --uid-base, or leave it out to get a free range"));
    }
    if (err != 0) return absl::ErrnoToStatus(err, "locking uids in " + lock_file);
    lease.base = base;
    return lease;
  }
  const uint32_t stride = std::max(kUidStride, count);
  for (uint64_t b = kAutoUidBase; b + count <= UINT32_MAX; b += stride) {
    const int err = TryLock(lease.lock.get(), static_cast<uint32_t>(b), count);
    if (err == EAGAIN) continue;
    if (err != 0) return absl::ErrnoToStatus(err, "locking uids in " + lock_file);
    lease.base = static_cast<uint32_t>(b);
    return lease;
  }
  return absl::ResourceExhaustedError("no free range of box uids is left on this host");
}

}  // namespace sandbox
