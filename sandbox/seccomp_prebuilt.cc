// The seccomp programs compiled at build time (see seccomp_gen.cc).
#include <linux/filter.h>

#include "sandbox/seccomp_profile.h"

namespace sandbox {
namespace {
#include "seccomp_prebuilt.inc"

SeccompProgram Make(const sock_filter* code, size_t n) {
  SeccompProgram p;
  p.code.assign(code, code + n);
  return p;
}
}  // namespace

const SeccompProgram& PrebuiltSeccompProgram(Profile profile) {
  static const SeccompProgram* run =
      new SeccompProgram(Make(kRunProgram, sizeof kRunProgram / sizeof kRunProgram[0]));
  static const SeccompProgram* compile = new SeccompProgram(
      Make(kCompileProgram, sizeof kCompileProgram / sizeof kCompileProgram[0]));
  return profile == Profile::kCompile ? *compile : *run;
}

}  // namespace sandbox
