// Leftovers of a killed process are named after its pid: `<prefix><pid>-<n>`.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace sandbox {

// True when `name` is `<prefix><pid>-...` and no process `pid` exists any more.
inline bool LeftByDeadProcess(const std::string& name, const std::string& prefix) {
  if (name.compare(0, prefix.size(), prefix) != 0) return false;
  size_t dash = name.find('-', prefix.size());
  if (dash == std::string::npos) return false;
  std::string pid = name.substr(prefix.size(), dash - prefix.size());
  if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit)) return false;
  return access(("/proc/" + pid).c_str(), F_OK) != 0;
}

// True when directory `dir` surely has no subdirectory other than `expected` known ones: its
// link count is 2 + subdirectories on the filesystems the sandbox uses (tmpfs, ext4, kernfs).
// Where the count means nothing (btrfs says 1), false: scan.
inline bool HasNoOtherSubdirs(const std::string& dir, nlink_t expected) {
  struct stat st {};
  return stat(dir.c_str(), &st) == 0 && st.st_nlink >= 2 && st.st_nlink <= 2 + expected;
}

}  // namespace sandbox
