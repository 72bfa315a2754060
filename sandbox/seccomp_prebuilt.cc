// The seccomp programs compiled at build time (see seccomp_gen.cc).
#include <linux/filter.h>

#include "sandbox/seccomp_profile.h"

namespace sandbox {
namespace {
#include "seccomp_prebuilt.inc"

template <size_t N>
const SeccompProgram* Make(const sock_filter (&code)[N]) {
  auto* p = new SeccompProgram;
  p->code.assign(code, code + N);
  return p;
}
}  // namespace

const SeccompProgram& PrebuiltSeccompProgram(Profile profile) {
  static const SeccompProgram* run = Make(kRunProgram);
  static const SeccompProgram* jvm = Make(kRunJvmProgram);
  static const SeccompProgram* v8 = Make(kRunV8Program);
  static const SeccompProgram* compile = Make(kCompileProgram);
  switch (profile) {
    case Profile::kRunJvm:
      return *jvm;
    case Profile::kRunV8:
      return *v8;
    case Profile::kCompile:
      return *compile;
    case Profile::kRun:
      break;
  }
  return *run;
}

}  // namespace sandbox
