// What the pool and the plans it sends agree on: the program's id inside a box, and the memory
// each box id owns in the parent (the box's init runs in that memory, see child.h).
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace sandbox::internal {

constexpr uid_t kBoxUid = 1000;  // the program's uid and gid inside the box
// Per box: a clone stack, half for the init, half for the program.
constexpr size_t kStackSize = 256 * 1024;
// Per box: the first half holds the mount plan, the second the exec plan (argv, env and the
// seccomp program); a run whose plan does not fit is refused.
constexpr size_t kArenaSize = 1 << 20;
constexpr size_t kMountPlanOffset = 0;
constexpr size_t kExecPlanOffset = kArenaSize / 2;
constexpr size_t kPlanSpace = kArenaSize / 2;

}  // namespace sandbox::internal
