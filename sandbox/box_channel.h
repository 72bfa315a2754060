// The parent's side of talking to a box (the init's side is child.cc): plans are written into
// the box's arena, which the init shares with us, and announced on the box's socket with the fds
// they need; the init's reports (a blocked call, the program's exit, a setup error) come back on
// the same socket.
#pragma once

#include <cstddef>
#include <cstring>

#include "absl/status/status.h"
#include "sandbox/child.h"
#include "sandbox/mount_plan.h"

namespace sandbox::internal {

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

// Tells the box its plan is ready at arena + offset, with up to 3 fds attached.
[[nodiscard]] absl::Status SendPlan(int socket, PlanHeader::Kind kind, size_t size, size_t offset,
                                    const int* fds, int nfds);

// Writes `mounts` into a box's mount-plan space (kPlanSpace bytes at `arena`) and sends it.
[[nodiscard]] absl::Status SendMountPlan(int socket, char* arena, const MountTemplate& mounts);

// One queued report from the box, without waiting; false when there is none.
bool ReadReport(int socket, ChildMsg* msg);

}  // namespace sandbox::internal
