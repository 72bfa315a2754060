// Host-side checks after hostile runs: no process of any box uid, no process in a box cgroup
// (no box cgroup once the sandbox is gone), no work mount.
#pragma once

#include <dirent.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sandbox/sandbox.h"

namespace sandbox_test {

// Pids of host processes whose real uid is in [first, last); with `odd_only`, only those whose
// uid is odd (a box's program and everything it started, never a box's own init).
inline std::vector<int> ProcessesWithUids(uint32_t first, uint32_t last, bool odd_only = false) {
  std::vector<int> found;
  DIR* d = opendir("/proc");
  while (dirent* e = readdir(d)) {
    int pid = atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream status(std::string("/proc/") + e->d_name + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Uid:", 0) == 0) {
        std::istringstream in(line.substr(4));
        uint32_t uid = 0;
        in >> uid;
        if (uid >= first && uid < last && (!odd_only || uid % 2 == 1)) found.push_back(pid);
        break;
      }
    }
  }
  closedir(d);
  return found;
}

// Entries under a directory (none when it does not exist).
inline std::vector<std::string> DirEntries(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    closedir(d);
  }
  return names;
}

// A small file's whole text ("" when absent).
inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Mount points whose path contains `needle`.
inline std::vector<std::string> MountsContaining(const std::string& needle) {
  std::vector<std::string> found;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(needle) != std::string::npos) found.push_back(line);
  }
  return found;
}

}  // namespace sandbox_test
