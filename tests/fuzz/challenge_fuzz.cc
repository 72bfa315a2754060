// The challenge loader on an arbitrary challenge.textproto, in a directory that holds a
// statement and a few test files (paths that leave it, symlinks, missing files, bad fields):
// an error naming the field, never a crash.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "judge/core/challenge.h"

namespace {
std::string Dir() {
  static std::string dir = [] {
    char tmpl[] = "/tmp/challenge-fuzz-XXXXXX";
    std::string d = mkdtemp(tmpl);
    mkdir((d + "/c").c_str(), 0755);
    mkdir((d + "/c/tests").c_str(), 0755);
    std::ofstream(d + "/c/statement.md") << "# Fuzz\n";
    std::ofstream(d + "/c/tests/1.in") << "1 2\n";
    std::ofstream(d + "/c/tests/1.ans") << "3\n";
    symlink("/etc/passwd", (d + "/c/tests/link.in").c_str());
    return d;
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string dir = Dir() + "/c";
  {
    std::ofstream out(dir + "/challenge.textproto", std::ios::trunc | std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  (void)judge::LoadChallenge(dir);
  return 0;
}
