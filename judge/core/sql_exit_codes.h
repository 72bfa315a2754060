// sql-runner's exit codes: the one definition, read by sql-runner itself (judge/sqlrunner) and
// by the language table (language.cc), which maps them to verdicts. Here, beside the result
// format (sql_format.h), at the level both use.
#pragma once

namespace judge::sqlrunner {

enum ExitCode : int {
  kOk = 0,
  kRuntime = 1,  // the query failed while stepping: RUNTIME_ERROR
  kUsage = 2,    // bad usage or a broken fixture: the judge's fault, INTERNAL_ERROR
  kRefused = 3,  // refused or failed to prepare: COMPILATION_ERROR
  kTime = 4,     // its own deadline (just under the cpu limit): TIME_LIMIT_EXCEEDED
  kMemory = 5,   // its own heap limit: MEMORY_LIMIT_EXCEEDED
};

}  // namespace judge::sqlrunner
