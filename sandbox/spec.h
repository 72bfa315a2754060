// The sandbox's plain-data contract: what to run (RunSpec) and how it ended (RunResult).
// Knows nothing of gRPC, protobuf, RocksDB or challenges.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace sandbox {

// Seccomp allow-lists, each measured with a trace of what it serves (see seccomp_profile.cc).
// kRun: one native process with threads (C, C++, Rust, Go, Python). kRunJvm: kRun, plus the
// JDK's AF_UNIX socketpair (its file channels), and socket() answered EACCES instead of ending
// the run (the JDK probes IPv6 with throwaway sockets whenever NIO loads; glibc asks nscd).
// kRunV8: kRun plus memory protection keys, which V8 probes. kCompile: may also fork and exec
// (a compiler driver running its passes, javac, go build, rustc, tsc). All deny the same
// dangerous set.
enum class Profile { kRun, kRunJvm, kRunV8, kCompile };

struct Mount {
  std::string host;  // host path (file or directory); trusted, chosen by the caller
  std::string box;   // absolute path inside the box
  bool writable = false;
};

struct Symlink {
  std::string target;  // what the link points to (inside the box)
  std::string box;     // absolute path of the link inside the box
};

// A zero means "no limit" unless said otherwise.
struct Limits {
  uint64_t cpu_time_ms = 0;   // summed over all threads and processes
  uint64_t wall_time_ms = 0;  // a sleeping program is stopped too
  uint64_t memory_bytes = 0;  // cgroup memory (swap 0); RLIMIT_AS without cgroups
  // Without a memory cgroup: RLIMIT_AS is memory_bytes plus this, for runtimes that reserve
  // address space they never touch (a JVM's heap and class space, V8's code range, Go's arenas).
  uint64_t address_space_extra_bytes = 0;
  uint32_t processes = 64;              // processes + threads (cgroup pids; RLIMIT_NPROC fallback)
  uint64_t stdout_bytes = 64ull << 20;  // captured stdout; more ends the run (OUTPUT_LIMIT)
  uint64_t stderr_bytes = 64ull << 10;  // captured stderr; more is dropped silently
  uint64_t file_size_bytes = 64ull << 20;  // RLIMIT_FSIZE
  uint32_t open_files = 64;                // RLIMIT_NOFILE
  uint64_t stack_bytes = 64ull << 20;      // RLIMIT_STACK
  uint64_t tmp_bytes = 16ull << 20;        // size of the box's /tmp tmpfs
  uint32_t tmp_inodes = 1024;              // inodes of the box's /tmp tmpfs
};

// The wall-time limit of a run whose limits set none: three times its CPU time and a second.
inline uint64_t DefaultWallTimeMs(uint64_t cpu_time_ms) { return cpu_time_ms * 3 + 1000; }

// Where a standard stream comes from or goes to.
struct Stream {
  enum class Kind { kNull, kFile, kFd, kCapture };
  Kind kind = Kind::kNull;
  // kFile: host path (stdin: read; stdout/stderr: created or truncated, never through a
  // symlink). For stdout/stderr, an empty path with an fd writes through to that fd, capped.
  std::string path;
  int fd = -1;  // kFd: borrowed descriptor given to the box as is (no cap), not closed
};

struct RunSpec {
  std::vector<std::string> argv;  // argv[0]: absolute box path, or a name looked up in /usr/bin
  std::vector<std::string> env;   // "K=V"; nothing else is passed
  std::string workdir = "/box";   // box path; also the mount point of host_workdir
  std::string host_workdir;       // host dir bound read-write at `workdir`; empty: a fresh tmpfs
  Stream stdin_stream;            // default: /dev/null
  Stream stdout_stream{Stream::Kind::kCapture, {}, -1};
  Stream stderr_stream{Stream::Kind::kCapture, {}, -1};
  std::vector<Mount> mounts;
  std::vector<Symlink> symlinks;
  bool mount_proc = true;  // a fresh /proc of the box's pid namespace
  Profile profile = Profile::kRun;
  Limits limits;
  // When set, watched while the program runs: once it turns true the box is killed within
  // kStopCheckMs and the run ends as kStopped (its caller no longer wants it). Borrowed.
  const std::atomic<bool>* stop = nullptr;
};

inline constexpr int kStopCheckMs = 50;

// How a run ended (sandbox::RunStatus, not absl::Status: that one says the sandbox broke).
enum class RunStatus {
  kOk,           // exited with code 0
  kNonZeroExit,  // exited with another code
  kSignaled,     // killed by a signal (not one of ours)
  kCpuTimeLimit,
  kWallTimeLimit,
  kMemoryLimit,
  kOutputLimit,        // stdout cap or RLIMIT_FSIZE
  kSecurityViolation,  // a syscall outside the profile; `syscall` names it
  kStopped,            // RunSpec::stop turned true: killed on its caller's word
};

// Stable names used in sandbox-run's JSON: "OK", "NONZERO_EXIT", ... (classify.cc, beside the
// precedence that decides them).
const char* RunStatusName(RunStatus status);

struct RunResult {
  RunStatus status = RunStatus::kOk;
  int exit_code = 0;
  int signal = 0;
  std::string syscall;  // kSecurityViolation: the blocked syscall's name
  uint64_t cpu_ms = 0;
  uint64_t wall_ms = 0;
  uint64_t memory_kib = 0;  // peak
  std::string message;      // one line for humans
  // Limits that held only approximately (no cgroup): "cpu_time", "memory", "processes".
  std::vector<std::string> approximate;
  std::string stdout_data;  // kCapture only
  std::string stderr_data;  // kCapture only
};

}  // namespace sandbox
