// Turns (challenge, language, source) into a graded submission, using the sandbox for every
// compile and every run. No gRPC, no storage: the service wraps it.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "judge/core/challenge.h"
#include "judge/core/compiler.h"
#include "judge/v1/judge.pb.h"
#include "sandbox/sandbox.h"

namespace judge {

struct GraderOptions {
  std::string sql_runner_path;        // host path of the sql-runner binary (tool "sql-runner")
  size_t sample_message_bytes = 300;  // cap on the diff shown for sample tests
  uint64_t custom_output_bytes = 64 << 10;  // RunLive with custom stdin: output kept
};

struct GradeRequest {
  std::shared_ptr<const LoadedChallenge> challenge;
  std::string language;
  std::string source;
  // RunLive: run once on this input (for sql: this fixture) instead of the tests.
  bool use_custom_stdin = false;
  std::string custom_stdin;
  // Only the sample tests (a candidate's practice run); no score.
  bool samples_only = false;
  // Checked between tests: when it turns true, grading stops with CANCELLED (the judge is
  // shutting down; the submission stays pending and is judged again at the next start).
  const std::atomic<bool>* cancel = nullptr;
  // Checked between tests and while a test runs: when it turns true, the run in progress is
  // stopped within a few tens of milliseconds and grading ends with VERDICT_CANCELLED (a live
  // run's client has gone).
  const std::atomic<bool>* stop = nullptr;
  // A submission of several files: the others, beside `source` (the entry). Last, so that the
  // fields before it keep their places in brace initializers.
  google::protobuf::RepeatedPtrField<judge::v1::SourceFile> files;
};

// Called on the grading thread: COMPILING once, then RUNNING after each test (with the test's
// result and the total). Hidden tests' results carry no data beyond name, verdict, time, memory.
using ProgressCallback = std::function<void(const judge::v1::SubmissionEvent&)>;

// Maps a run's sandbox status to a verdict (precedence is already applied by the sandbox).
judge::v1::Verdict VerdictFor(const sandbox::RunResult& run);
// The verdict of one run of `language`: for a non-zero exit or a signal, the language's own
// table first (sql-runner's exit codes, a runtime's out-of-memory report), then VerdictFor.
judge::v1::Verdict RunVerdict(const Language& language, const sandbox::RunResult& run);

// How a program's CPU time grows over a challenge's scaling series.
struct GrowthPoint {
  uint64_t n = 0;
  uint32_t cpu_ms = 0;
  bool over_limit = false;  // stopped here: over the series' per-run cap, or failed
};
struct Growth {
  std::vector<GrowthPoint> points;
  uint32_t baseline_ms = 0;  // the runtime's start: a run on empty input, subtracted
  bool fitted = false;
  double exponent = 0, low = 0, high = 0;  // CPU ~ n^exponent; 95% confidence band
  std::string note;
};
// Least squares of log(cpu - baseline) on log(n) over the points that took at least 10 ms of
// their own and stayed under the cap; at least 3 points, else not fitted (the note says why).
void FitGrowth(Growth* growth);

// Points of a graded submission: a group's points count when every test of it ran and passed.
uint32_t Score(const LoadedChallenge& challenge, const judge::v1::Submission& graded);

class Grader {
 public:
  Grader(sandbox::Sandbox* sandbox, Compiler* compiler, GraderOptions options);
  Compiler* compiler() const { return compiler_; }

  // Fills out's verdict, score, max_score, compile_output, tests, custom output and message.
  // A non-OK status means the judge broke (the caller records INTERNAL_ERROR); every failure of
  // the submission itself is a verdict.
  [[nodiscard]] absl::Status Grade(const GradeRequest& request, const ProgressCallback& progress,
                                   judge::v1::Submission* out);

  // Runs `source` on the challenge's scaling series, smallest first, until a run takes more than
  // `cap_ms` of CPU or fails, and fits its growth. NotFound when the challenge has no series.
  [[nodiscard]] absl::StatusOr<Growth> MeasureGrowth(const LoadedChallenge& challenge,
                                                     const std::string& language,
                                                     const std::string& source,
                                                     uint32_t cap_ms = 1500);

  // Compiles the challenge's checker program or output validator, if it has one: an import
  // refuses a package whose validator does not compile (InvalidArgument with the compiler's
  // words).
  [[nodiscard]] absl::Status CheckChecker(const LoadedChallenge& challenge);

  // Compiles and runs a tiny program in every language; the error names each broken toolchain.
  [[nodiscard]] absl::Status SelfTest();

 private:
  using TestCallback = std::function<void(const judge::v1::TestResult&)>;
  // The grading steps, in order. Each writes what it decides into `out`.
  // Compiles the source; nullptr (with COMPILATION_ERROR in `out`) when it does not compile.
  absl::StatusOr<std::shared_ptr<const CompileResult>> CompileStep(const GradeRequest& request,
                                                                   const Language& language,
                                                                   judge::v1::Submission* out);
  // RunLive on the interviewer's own input: one run, its output kept.
  absl::Status RunCustomInput(const GradeRequest& request, const Language& language,
                              const CompileResult& program, const TestCallback& emit_test,
                              judge::v1::Submission* out);
  // Every test in order (or up to the first failure); the overall verdict is the first failing
  // test's.
  absl::Status RunTests(const GradeRequest& request, const Language& language,
                        const CompileResult& program, const TestCallback& emit_test,
                        judge::v1::Submission* out);
  // One test's result. A COMPILATION_ERROR result (a query that does not prepare) ends the
  // grading; INTERNAL_ERROR never comes back as a result (it is a non-OK status).
  absl::StatusOr<judge::v1::TestResult> RunOneTest(
      const LoadedChallenge& challenge, const Language& language, const CompileResult& program,
      const CompileResult* checker, uint32_t index, std::string* compile_output,
      std::string* security_message, const std::atomic<bool>* stop);

  // One run with `limits` (LoadedChallenge::LimitsFor: the limits shown are those enforced).
  absl::StatusOr<sandbox::RunResult> RunProgram(
      const LoadedChallenge::RunLimits& limits, const Language& language,
      const CompileResult& artifact, const std::string& stdin_path, const std::string& fixture_path,
      uint64_t stdout_cap, const std::atomic<bool>* stop = nullptr);
  // The spec RunProgram runs (an output validator's run adds to it).
  absl::StatusOr<sandbox::RunSpec> ProgramSpec(const LoadedChallenge::RunLimits& limits,
                                               const Language& language,
                                               const CompileResult& artifact,
                                               const std::string& stdin_path,
                                               const std::string& fixture_path,
                                               uint64_t stdout_cap);
  // Compiles the challenge's checker program or output validator (cached by source).
  absl::StatusOr<std::shared_ptr<const CompileResult>> CompileChecker(
      const LoadedChallenge& challenge);
  // An interactive test: the program and the validator, each in its own box, run at once with
  // each one's stdout on the other's stdin. The program's run, and the validator's decision:
  // `decided` when it exited 42 or 43 (else `failure` says how it ended).
  struct Interaction {
    sandbox::RunResult program;
    bool decided = false, accepted = false;
    // The program's run ended before the validator's (each side sees the other's end only
    // once that side's run is over and its pipe ends are closed, so the order is exact).
    bool program_first = false;
    std::string message;        // the validator's feedback for the team (teammessage.txt)
    std::string judge_message;  // and for the judges (judgemessage.txt)
    std::string failure;
    std::optional<double> score;  // score.txt
  };
  // A validator's run on `test` (its feedback folder `feedback`, bound as its work dir), stdin
  // from `stdin_path` ("" for none: the caller sets it).
  absl::StatusOr<sandbox::RunSpec> ValidatorSpec(const LoadedChallenge& challenge,
                                                 const CompileResult& validator,
                                                 const LoadedTest& test,
                                                 const sandbox::BoxDir& feedback,
                                                 const std::string& stdin_path,
                                                 const LoadedChallenge::RunLimits& limits);
  // What a validator's run decided (42, 43, or how it failed) and its feedback files.
  static void Decide(const sandbox::BoxDir& feedback, const sandbox::RunResult& run,
                     Interaction* out);
  absl::StatusOr<Interaction> RunInteractive(const LoadedChallenge& challenge,
                                             const Language& language, const CompileResult& program,
                                             const CompileResult& validator, const LoadedTest& test,
                                             const LoadedChallenge::RunLimits& limits,
                                             const std::atomic<bool>* stop);
  // A multi-pass test: the program, then the validator on its output, again on the validator's
  // nextpass.in while it writes one (at most the challenge's passes). The last run of the
  // program (its CPU summed over the passes), and the validator's decision as for an
  // interactive test (`program_first` when the program failed and the validator never ran).
  absl::StatusOr<Interaction> RunPasses(const LoadedChallenge& challenge, const Language& language,
                                        const CompileResult& program,
                                        const CompileResult& validator, const LoadedTest& test,
                                        const LoadedChallenge::RunLimits& limits,
                                        const std::atomic<bool>* stop);
  // Runs the output validator (problem package interface) on a test and the program's output:
  // accepted or not with the team's (else the judges') feedback message; any exit but 42 or 43
  // is the judge's error, naming the validator.
  // `score`: what the validator wrote to score.txt, when it did (a scoring problem's points).
  absl::StatusOr<std::pair<bool, std::string>> RunOutputValidator(
      const LoadedChallenge& challenge, const CompileResult& validator, const LoadedTest& test,
      const std::string& output, std::optional<double>* score = nullptr,
      std::string* judge_message = nullptr);
  // Runs the compiled checker on one test's input, the output and the answer, in the sandbox.
  absl::StatusOr<std::pair<bool, std::string>> RunProgramChecker(const CompileResult& checker,
                                                                 const LoadedTest& test,
                                                                 const std::string& output);
  // Compiles and runs one language's self-test program; the reason it failed, or "".
  std::string SelfTestOne(const Language& language);

  sandbox::Sandbox* sandbox_;
  Compiler* compiler_;
  GraderOptions options_;
  std::map<std::string, std::string> tools_;  // name -> host path, for Language::tools
};

}  // namespace judge
