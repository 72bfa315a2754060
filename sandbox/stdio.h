// A run's standard streams, seen from the parent: what the program gets as fds 0, 1 and 2, and
// our ends of the pipes its output comes through (drained by supervise.h).
#pragma once

#include "absl/status/statusor.h"
#include "sandbox/spec.h"
#include "sandbox/unique_fd.h"

namespace sandbox::internal {

struct Stdio {
  // The program's fds 0, 1, 2 (owned below, or borrowed from the spec's kFd streams).
  int child[3] = {-1, -1, -1};
  UniqueFd stdin_fd;
  // Output: the write end given to the program, our read end, and the file written through.
  struct Output {
    UniqueFd write, read, file;
  };
  Output out, err;
};

// Opens the spec's streams. InvalidArgument naming the path when one cannot be opened.
[[nodiscard]] absl::StatusOr<Stdio> OpenStdio(const RunSpec& spec);

}  // namespace sandbox::internal
