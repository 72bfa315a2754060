// Turns (challenge, language, source) into a graded submission, using the sandbox for every
// compile and every run. No gRPC, no storage: the service wraps it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "judge/core/challenge.h"
#include "judge/core/compiler.h"
#include "judge/v1/judge.pb.h"
#include "sandbox/sandbox.h"

namespace judge {

struct GraderOptions {
  std::string sql_runner_path;          // host path of the sql-runner binary
  size_t sample_message_bytes = 300;    // cap on the diff shown for sample tests
  uint64_t custom_output_bytes = 64 << 10;  // RunLive with custom stdin: output kept
};

struct GradeRequest {
  std::shared_ptr<const LoadedChallenge> challenge;
  std::string language;
  std::string source;
  // RunLive: run once on this input (for sql: this fixture) instead of the tests.
  bool use_custom_stdin = false;
  std::string custom_stdin;
};

// Called on the grading thread: COMPILING once, then RUNNING after each test (with the test's
// result and the total). Hidden tests' results carry no data beyond name, verdict, time, memory.
using ProgressCallback = std::function<void(const judge::v1::SubmissionEvent&)>;

// Maps a run's sandbox status to a verdict (precedence is already applied by the sandbox).
judge::v1::Verdict VerdictFor(const sandbox::RunResult& run);
// The verdict of one run of `language`: VerdictFor, plus sql-runner's own exit codes (refused
// query: COMPILATION_ERROR, its deadline, heap limit, step error; INTERNAL_ERROR when it could
// not run at all).
judge::v1::Verdict RunVerdict(const Language& language, const sandbox::RunResult& run);

class Grader {
 public:
  Grader(sandbox::Sandbox* sandbox, Compiler* compiler, GraderOptions options);

  // Fills out's verdict, score, max_score, compile_output, tests, custom output and message.
  // A non-OK status means the judge broke (the caller records INTERNAL_ERROR); every failure of
  // the submission itself is a verdict.
  [[nodiscard]] absl::Status Grade(const GradeRequest& request, const ProgressCallback& progress,
                                   judge::v1::Submission* out);

  // Compiles and runs a tiny program in every language; the error names each broken toolchain.
  [[nodiscard]] absl::Status SelfTest();

 private:
  struct TestRun;
  absl::StatusOr<sandbox::RunResult> RunProgram(const LoadedChallenge& challenge,
                                                const Language& language,
                                                const CompileResult& artifact,
                                                const std::string& stdin_path,
                                                const std::string& fixture_path,
                                                uint64_t stdout_cap);
  absl::StatusOr<std::shared_ptr<const CompileResult>> CompileChecker(
      const LoadedChallenge& challenge);
  // Runs the compiled checker on one test's input, the output and the answer, in the sandbox.
  absl::StatusOr<std::pair<bool, std::string>> RunProgramChecker(const CompileResult& checker,
                                                                 const LoadedTest& test,
                                                                 const std::string& output);

  sandbox::Sandbox* sandbox_;
  Compiler* compiler_;
  GraderOptions options_;
};

}  // namespace judge
