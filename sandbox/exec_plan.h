// What the box's init does to start the program (child.cc applies it): rlimits, the program's
// path, argv, env, work dir, ids and the seccomp filter, written into the box's arena.
#pragma once

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/cgroup.h"
#include "sandbox/child.h"
#include "sandbox/seccomp_profile.h"
#include "sandbox/spec.h"

namespace sandbox::internal {

// The program's rlimits. Where a cgroup controller is missing, an rlimit stands in (the result
// says so): RLIMIT_AS for memory; RLIMIT_CPU is a per-process backstop either way.
std::vector<RlimitOp> PlanRlimits(const Limits& limits, const CgroupLayout& cgroups);

// Writes the exec plan for `spec` into a box's exec-plan space (kPlanSpace bytes at `at`);
// returns the bytes used. InvalidArgument when argv and env do not fit.
[[nodiscard]] absl::StatusOr<size_t> WriteExecPlan(char* at, const RunSpec& spec,
                                                   const std::vector<RlimitOp>& rlimits,
                                                   const SeccompProgram& filter);

}  // namespace sandbox::internal
