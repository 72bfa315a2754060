// Shared by the tests that run boxes: a temp dir box uids can reach, and a sandbox whose host
// uid range belongs to this test process alone (ranges derive from the pid, so concurrent test
// processes never share a uid, and host checks never see another test's boxes).
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "sandbox/sandbox.h"

namespace judge_test {

// Boxes (running and pooled) a test sandbox may have at once.
constexpr uint32_t kMaxSlots = 8;

// Host uids [UidBase(), UidBase() + 2 * kMaxSlots) are this process's. Box i's init runs as the
// even uid UidBase() + 2i, its program as the odd one after it.
inline uint32_t UidBase() { return 10'000'000 + static_cast<uint32_t>(getpid()) * 2 * kMaxSlots; }

// A fresh directory, mode 0711 (box uids must traverse it to reach bind mounts).
inline std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr || chmod(tmpl.c_str(), 0711) != 0) return "";
  return tmpl;
}

inline void RemoveTree(const std::string& dir) {
  if (!dir.empty()) (void)!system(("rm -rf '" + dir + "'").c_str());
}

// SANDBOX_TEST_PRESPAWN=N in the environment gives the sandbox a pool of N pre-forked boxes
// (ctest runs the security tests both ways).
inline uint32_t PrespawnFromEnv() {
  const char* v = getenv("SANDBOX_TEST_PRESPAWN");
  return v != nullptr ? static_cast<uint32_t>(atoi(v)) : 0;
}

inline absl::StatusOr<std::unique_ptr<sandbox::Sandbox>> MakeSandbox(const std::string& dir,
                                                                     uint32_t slots,
                                                                     uint32_t prespawn = 0) {
  sandbox::SandboxOptions options;
  options.runtime_dir = dir + "/run";
  options.prespawn = prespawn > 0 ? prespawn : PrespawnFromEnv();
  options.slots = slots;
  if (options.slots + options.prespawn > kMaxSlots) {
    options.slots = kMaxSlots - options.prespawn;
  }
  options.uid_base = UidBase();
  return sandbox::Sandbox::Create(options);
}

}  // namespace judge_test
