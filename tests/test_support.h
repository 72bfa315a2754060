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

constexpr uint32_t kMaxSlots = 8;

// Host uids [UidBase(), UidBase() + 2 * kMaxSlots) are this process's.
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

inline absl::StatusOr<std::unique_ptr<sandbox::Sandbox>> MakeSandbox(const std::string& dir,
                                                                     uint32_t slots) {
  sandbox::SandboxOptions options;
  options.runtime_dir = dir + "/run";
  options.slots = slots < kMaxSlots ? slots : kMaxSlots;
  options.uid_base = UidBase();
  return sandbox::Sandbox::Create(options);
}

}  // namespace judge_test
