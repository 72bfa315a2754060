#include "sandbox/stdio.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sandbox::internal {
namespace {

UniqueFd OpenNull(int flags) { return UniqueFd(open("/dev/null", flags | O_CLOEXEC)); }

absl::Status OpenOutput(const Stream& s, Stdio::Output& o, int* child_fd) {
  switch (s.kind) {
    case Stream::Kind::kFd:
      *child_fd = s.fd;
      return absl::OkStatus();
    case Stream::Kind::kNull:
      o.write = OpenNull(O_WRONLY);
      *child_fd = o.write.get();
      return absl::OkStatus();
    case Stream::Kind::kFile:
      // A path is created; an fd (with an empty path) is written through, both capped.
      o.file.Reset(
          s.path.empty() && s.fd >= 0
              ? fcntl(s.fd, F_DUPFD_CLOEXEC, 3)
              : open(s.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
      if (!o.file.valid()) {
        return absl::InvalidArgumentError(
            absl::StrCat("cannot create ", s.path, ": ", strerror(errno)));
      }
      [[fallthrough]];
    case Stream::Kind::kCapture: {
      int p[2];
      if (pipe2(p, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
      o.read.Reset(p[0]);
      o.write.Reset(p[1]);
      fcntl(o.read.get(), F_SETFL, O_NONBLOCK);
      *child_fd = o.write.get();
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Stdio> OpenStdio(const RunSpec& spec) {
  Stdio io;
  switch (spec.stdin_stream.kind) {
    case Stream::Kind::kFile:
      io.stdin_fd.Reset(open(spec.stdin_stream.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
      if (!io.stdin_fd.valid()) {
        return absl::InvalidArgumentError(
            absl::StrCat("cannot open stdin ", spec.stdin_stream.path, ": ", strerror(errno)));
      }
      io.child[0] = io.stdin_fd.get();
      break;
    case Stream::Kind::kFd:
      io.child[0] = spec.stdin_stream.fd;
      break;
    default:
      io.stdin_fd = OpenNull(O_RDONLY);
      io.child[0] = io.stdin_fd.get();
  }
  if (absl::Status s = OpenOutput(spec.stdout_stream, io.out, &io.child[1]); !s.ok()) return s;
  if (absl::Status s = OpenOutput(spec.stderr_stream, io.err, &io.child[2]); !s.ok()) return s;
  return io;
}

}  // namespace sandbox::internal
