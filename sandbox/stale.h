// Leftovers of a killed process are named after its pid: `<prefix><pid>-<n>`.
#pragma once

#include <dirent.h>
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

// Calls `fn(name)` for each entry of `dir` but . and .. (none when it cannot be opened).
template <typename Fn>
void ForEachEntry(const std::string& dir, Fn fn) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") fn(name);
  }
  closedir(d);
}

// Calls `fn(path)` for each `<prefix><pid>-...` entry of `dir` whose process is gone. No
// subdirectory but the `known` ones is the usual case, and costs one stat.
template <typename Fn>
void ForEachLeftByDeadProcess(const std::string& dir, const std::string& prefix, nlink_t known,
                              Fn fn) {
  if (HasNoOtherSubdirs(dir, known)) return;
  ForEachEntry(dir, [&](const std::string& name) {
    if (LeftByDeadProcess(name, prefix)) fn(dir + "/" + name);
  });
}

}  // namespace sandbox
