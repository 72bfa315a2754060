#include "judge/core/grader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "judge/core/checker.h"
#include "judge/core/multi_file.h"
#include "judge/core/scoring.h"

namespace judge {
namespace {

using judge::v1::Verdict;

std::string Truncate(std::string s, size_t max) {
  if (s.size() > max) {
    s.resize(max);
    s += "\n[truncated]";
  }
  return s;
}

// Where a directory or file artifact, a fixture and the shipped tools appear in a run box.
std::string BoxArtifactPath(const CompileResult& artifact) {
  return absl::StrCat(kBoxArtifactDir, "/",
                      artifact.artifact_path.substr(artifact.artifact_path.rfind('/') + 1));
}
constexpr const char* kBoxFixture = "/opt/judge-input/fixture";

}  // namespace

Verdict VerdictFor(const sandbox::RunResult& run) {
  switch (run.status) {
    case sandbox::RunStatus::kOk:
      return judge::v1::VERDICT_ACCEPTED;
    case sandbox::RunStatus::kNonZeroExit:
    case sandbox::RunStatus::kSignaled:
      return judge::v1::VERDICT_RUNTIME_ERROR;
    case sandbox::RunStatus::kCpuTimeLimit:
    case sandbox::RunStatus::kWallTimeLimit:
      return judge::v1::VERDICT_TIME_LIMIT_EXCEEDED;
    case sandbox::RunStatus::kMemoryLimit:
      return judge::v1::VERDICT_MEMORY_LIMIT_EXCEEDED;
    case sandbox::RunStatus::kOutputLimit:
      return judge::v1::VERDICT_OUTPUT_LIMIT_EXCEEDED;
    case sandbox::RunStatus::kSecurityViolation:
      return judge::v1::VERDICT_SECURITY_VIOLATION;
    case sandbox::RunStatus::kStopped:
      return judge::v1::VERDICT_CANCELLED;
  }
  return judge::v1::VERDICT_INTERNAL_ERROR;
}

Verdict RunVerdict(const Language& language, const sandbox::RunResult& run) {
  if (run.status == sandbox::RunStatus::kNonZeroExit ||
      run.status == sandbox::RunStatus::kSignaled) {
    const int exit_code = run.status == sandbox::RunStatus::kNonZeroExit ? run.exit_code : -1;
    Verdict v = LanguageVerdict(language, exit_code, run.stderr_data);
    if (v != judge::v1::VERDICT_UNSPECIFIED) return v;
  }
  return VerdictFor(run);
}

Grader::Grader(sandbox::Sandbox* sandbox, Compiler* compiler, GraderOptions options)
    : sandbox_(sandbox), compiler_(compiler), options_(std::move(options)) {
  tools_["sql-runner"] = options_.sql_runner_path;
}

absl::StatusOr<sandbox::RunResult> Grader::RunProgram(
    const LoadedChallenge::RunLimits& limits, const Language& language,
    const CompileResult& artifact, const std::string& stdin_path, const std::string& fixture_path,
    uint64_t stdout_cap, const std::atomic<bool>* stop) {
  absl::StatusOr<sandbox::RunSpec> spec =
      ProgramSpec(limits, language, artifact, stdin_path, fixture_path, stdout_cap);
  if (!spec.ok()) return spec.status();
  spec->stop = stop;
  return sandbox_->Run(*spec);
}

absl::StatusOr<sandbox::RunSpec> Grader::ProgramSpec(const LoadedChallenge::RunLimits& limits,
                                                     const Language& language,
                                                     const CompileResult& artifact,
                                                     const std::string& stdin_path,
                                                     const std::string& fixture_path,
                                                     uint64_t stdout_cap) {
  sandbox::RunSpec spec;
  sandbox::Sandbox::AddSystemMounts(spec);
  for (const std::string& path : language.host_paths) spec.mounts.push_back({path, path, false});
  RunContext context;
  context.artifact = BoxArtifactPath(artifact);
  context.entry = artifact.entry;
  spec.mounts.push_back({artifact.artifact_path, context.artifact, false});
  for (const std::string& tool : language.tools) {
    auto it = tools_.find(tool);
    if (it == tools_.end() || it->second.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("language ", language.id, " needs the tool ", tool, ", which is not set"));
    }
    spec.mounts.push_back({it->second, absl::StrCat(kBoxToolDir, "/", tool), false});
  }
  if (language.input == TestInput::kFixture) {
    if (fixture_path.empty())
      return absl::InternalError("a fixture language run without a fixture");
    spec.mounts.push_back({fixture_path, kBoxFixture, false});
    context.fixture = kBoxFixture;
  } else if (!stdin_path.empty()) {
    spec.stdin_stream = {sandbox::Stream::Kind::kFile, stdin_path, -1};
  }
  spec.limits.cpu_time_ms = limits.cpu_time_ms;
  spec.limits.wall_time_ms = limits.wall_time_ms;
  spec.limits.memory_bytes = limits.memory_kib * 1024;
  // The stack may use all of the memory limit, as ICPC judges set it: deep recursion is the
  // program's own business, and the memory limit still bounds it.
  if (spec.limits.memory_bytes > 0) spec.limits.stack_bytes = spec.limits.memory_bytes;
  spec.limits.address_space_extra_bytes = static_cast<uint64_t>(language.address_space_extra_mib)
                                          << 20;
  // The runtime's own threads come on top: a candidate gets the same threads in every language.
  spec.limits.processes = limits.processes + language.runtime_threads;
  spec.limits.stdout_bytes = stdout_cap;
  spec.limits.stderr_bytes = 64 << 10;
  spec.limits.file_size_bytes = 64ull << 20;
  spec.limits.tmp_bytes = 64ull << 20;
  spec.limits.tmp_inodes = 1024;
  spec.limits.open_files = 64;
  spec.profile = language.run_profile;
  context.cpu_time_ms = spec.limits.cpu_time_ms;
  context.memory_bytes = spec.limits.memory_bytes;
  context.stack_bytes = spec.limits.stack_bytes;
  spec.argv = ExpandPlaceholders(language, language.run_argv, context);
  spec.env = ExpandPlaceholders(language, language.run_env, context);
  return spec;
}

absl::StatusOr<std::shared_ptr<const CompileResult>> Grader::CompileChecker(
    const LoadedChallenge& challenge) {
  absl::StatusOr<std::string> source = ReadTextFile(challenge.checker_source, 1 << 20);
  if (!source.ok()) return source.status();
  const Language& language =
      challenge.validator_language ? *challenge.validator_language : *FindLanguage("cpp");
  absl::StatusOr<std::shared_ptr<const CompileResult>> checker =
      compiler_->Compile(language, *source);
  if (!checker.ok()) return checker.status();
  if (!(*checker)->ok) {
    return absl::InternalError(absl::StrCat(
        challenge.validator_language ? "output validator" : "checker", " of ",
        challenge.manifest.id(), " does not compile: ", Excerpt((*checker)->message, 400)));
  }
  return checker;
}

namespace {

// score.txt's one number, if it holds one.
std::optional<double> ValidatorScore(const std::string& text) {
  std::string t(absl::StripAsciiWhitespace(text));
  if (t.empty() || t.size() > 64) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// The validator's bounds (the problem package format's defaults, within the judge's own).
LoadedChallenge::RunLimits ValidatorLimits() {
  LoadedChallenge::RunLimits limits;
  limits.cpu_time_ms = 30000;
  limits.wall_time_ms = 60000;
  limits.memory_kib = 1 << 20;
  limits.processes = 1;
  return limits;
}

}  // namespace

absl::StatusOr<sandbox::RunSpec> Grader::ValidatorSpec(const LoadedChallenge& ch,
                                                       const CompileResult& validator,
                                                       const LoadedTest& test,
                                                       const sandbox::BoxDir& feedback,
                                                       const std::string& stdin_path,
                                                       const LoadedChallenge::RunLimits& limits) {
  absl::StatusOr<sandbox::RunSpec> spec =
      ProgramSpec(limits, *ch.validator_language, validator, stdin_path, "", 64 << 10);
  if (!spec.ok()) return spec.status();
  spec->mounts.push_back({test.input_path, "/opt/check/input", false});
  spec->mounts.push_back({test.answer_path, "/opt/check/answer", false});
  // The feedback directory is the box's own work dir (judgemessage.txt, teammessage.txt, ...).
  spec->host_workdir = feedback.path();
  for (const char* arg : {"/opt/check/input", "/opt/check/answer", "/box/"}) {
    spec->argv.push_back(arg);
  }
  spec->argv.insert(spec->argv.end(), test.validator_flags.begin(), test.validator_flags.end());
  return spec;
}

void Grader::Decide(const sandbox::BoxDir& feedback, const sandbox::RunResult& run,
                    Interaction* out) {
  auto read = [&](const char* name) {
    absl::StatusOr<std::string> text = feedback.ReadFile(name, 64 << 10);
    return text.ok() ? *std::move(text) : std::string();
  };
  // What the team may see; what the judges see goes apart (never to a candidate).
  out->message = read("teammessage.txt");
  out->judge_message = read("judgemessage.txt");
  out->score = ValidatorScore(read("score.txt"));
  out->decided = run.status == sandbox::RunStatus::kNonZeroExit &&
                 (run.exit_code == 42 || run.exit_code == 43);
  out->accepted = out->decided && run.exit_code == 42;
  if (out->decided) return;
  out->failure = run.status == sandbox::RunStatus::kOk
                     ? "exit 0 (a validator exits 42 to accept, 43 to reject)"
                     : run.message;
  if (!run.stderr_data.empty()) absl::StrAppend(&out->failure, ": ", Excerpt(run.stderr_data, 200));
}

absl::StatusOr<Grader::Interaction> Grader::RunInteractive(
    const LoadedChallenge& ch, const Language& language, const CompileResult& program,
    const CompileResult& validator, const LoadedTest& test,
    const LoadedChallenge::RunLimits& limits, const std::atomic<bool>* stop) {
  int a[2], b[2];
  if (pipe2(a, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  sandbox::UniqueFd to_program_r(a[0]), to_program_w(a[1]);
  if (pipe2(b, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  sandbox::UniqueFd to_validator_r(b[0]), to_validator_w(b[1]);
  absl::StatusOr<sandbox::RunSpec> pspec = ProgramSpec(limits, language, program, "", "", 0);
  if (!pspec.ok()) return pspec.status();
  pspec->stdin_stream = {sandbox::Stream::Kind::kFd, "", to_program_r.get()};
  pspec->stdout_stream = {sandbox::Stream::Kind::kFd, "", to_validator_w.get()};
  pspec->stop = stop;
  absl::StatusOr<sandbox::BoxDir> dir = sandbox_->MakeBoxDir(4 << 20, 64);
  if (!dir.ok()) return dir.status();
  LoadedChallenge::RunLimits vlimits = ValidatorLimits();
  // The validator waits on the program: it may take the program's wall time and its own.
  vlimits.wall_time_ms += limits.wall_time_ms;
  absl::StatusOr<sandbox::RunSpec> vspec = ValidatorSpec(ch, validator, test, *dir, "", vlimits);
  if (!vspec.ok()) return vspec.status();
  vspec->stdin_stream = {sandbox::Stream::Kind::kFd, "", to_validator_r.get()};
  vspec->stdout_stream = {sandbox::Stream::Kind::kFd, "", to_program_w.get()};
  // Each side's ends close as soon as its run is over, so that the other reads EOF (or is
  // stopped writing) instead of waiting for its own limit.
  absl::StatusOr<sandbox::RunResult> vrun;
  std::atomic<int> first{0};  // 1: the program's run ended first; 2: the validator's
  std::thread validator_thread([&] {
    vrun = sandbox_->Run(*vspec);
    int none = 0;
    first.compare_exchange_strong(none, 2);
    to_validator_r.Reset();
    to_program_w.Reset();
  });
  absl::StatusOr<sandbox::RunResult> prun = sandbox_->Run(*pspec);
  int none = 0;
  first.compare_exchange_strong(none, 1);
  to_program_r.Reset();
  to_validator_w.Reset();
  validator_thread.join();
  if (!prun.ok()) return prun.status();
  if (!vrun.ok()) return vrun.status();
  Interaction out;
  out.program = *std::move(prun);
  out.program_first = first.load() == 1;
  Decide(*dir, *vrun, &out);
  return out;
}

absl::StatusOr<Grader::Interaction> Grader::RunPasses(
    const LoadedChallenge& ch, const Language& language, const CompileResult& program,
    const CompileResult& validator, const LoadedTest& test,
    const LoadedChallenge::RunLimits& limits, const std::atomic<bool>* stop) {
  // The validator's feedback directory lives as long as the test: it may keep state there.
  absl::StatusOr<sandbox::BoxDir> dir = sandbox_->MakeBoxDir(
      std::max<uint64_t>(64ull << 20, 2 * limits.output_kib * 1024 + (4 << 20)), 256);
  if (!dir.ok()) return dir.status();
  Interaction out;
  std::string input = test.input_path;
  uint64_t cpu_ms = 0, wall_ms = 0;
  const uint32_t passes = ch.manifest.passes();
  for (uint32_t pass = 1;; ++pass) {
    absl::StatusOr<sandbox::RunResult> run =
        RunProgram(limits, language, program, input, "", limits.output_kib * 1024, stop);
    if (!run.ok()) return run.status();
    cpu_ms += run->cpu_ms;
    wall_ms += run->wall_ms;
    run->cpu_ms = cpu_ms;
    run->wall_ms = wall_ms;
    out.program = *run;
    if (run->status != sandbox::RunStatus::kOk) {
      out.program_first = true;  // the validator never saw this pass
      return out;
    }
    const std::string output_name = absl::StrCat("pass", pass, ".out");
    if (absl::Status s = dir->WriteFile(output_name, run->stdout_data); !s.ok()) return s;
    absl::StatusOr<sandbox::RunSpec> vspec = ValidatorSpec(
        ch, validator, test, *dir, dir->path() + "/" + output_name, ValidatorLimits());
    if (!vspec.ok()) return vspec.status();
    // What an earlier pass's validator said is gone before this one speaks (a validator may run
    // as another uid each pass: it could not write over them; files of its own it keeps).
    for (const char* name : {"nextpass.in", "judgemessage.txt", "teammessage.txt", "score.txt"}) {
      ::unlink((dir->path() + "/" + name).c_str());
    }
    absl::StatusOr<sandbox::RunResult> vrun = sandbox_->Run(*vspec);
    if (!vrun.ok()) return vrun.status();
    Decide(*dir, *vrun, &out);
    if (!out.accepted) return out;
    absl::StatusOr<std::string> next = dir->ReadFile("nextpass.in", 64ull << 20);
    if (!next.ok()) return out;  // accepted, no further pass
    if (pass >= passes) {
      out.decided = false;
      out.failure = absl::StrCat("wrote nextpass.in after pass ", pass, " of at most ", passes,
                                 " (limits.validation_passes)");
      return out;
    }
    const std::string next_name = absl::StrCat("pass", pass + 1, ".in");
    if (absl::Status s = dir->WriteFile(next_name, *next); !s.ok()) return s;
    input = dir->path() + "/" + next_name;
  }
}

absl::Status Grader::CheckChecker(const LoadedChallenge& challenge) {
  const judge::v1::CheckerKind kind = challenge.manifest.checker().kind();
  if (kind != judge::v1::CHECKER_KIND_PROGRAM && kind != judge::v1::CHECKER_KIND_OUTPUT_VALIDATOR) {
    return absl::OkStatus();
  }
  absl::StatusOr<std::shared_ptr<const CompileResult>> c = CompileChecker(challenge);
  if (c.ok()) return absl::OkStatus();
  if (absl::IsInternal(c.status())) return absl::InvalidArgumentError(c.status().message());
  return c.status();
}

absl::StatusOr<std::pair<bool, std::string>> Grader::RunOutputValidator(
    const LoadedChallenge& challenge, const CompileResult& validator, const LoadedTest& test,
    const std::string& output, std::optional<double>* score, std::string* judge_message) {
  absl::StatusOr<sandbox::BoxDir> dir = sandbox_->MakeBoxDir(output.size() + (4 << 20), 64);
  if (!dir.ok()) return dir.status();
  if (absl::Status s = dir->WriteFile("team_output", output); !s.ok()) return s;
  absl::StatusOr<sandbox::RunSpec> spec = ValidatorSpec(
      challenge, validator, test, *dir, dir->path() + "/team_output", ValidatorLimits());
  if (!spec.ok()) return spec.status();
  absl::StatusOr<sandbox::RunResult> run = sandbox_->Run(*spec);
  if (!run.ok()) return run.status();
  Interaction decision;
  Decide(*dir, *run, &decision);
  if (judge_message != nullptr) *judge_message = decision.judge_message;
  if (score != nullptr) *score = decision.score;
  if (!decision.decided) {
    return absl::InternalError(absl::StrCat("the output validator of ", challenge.manifest.id(),
                                            " failed on test ", test.name, ": ", decision.failure));
  }
  return std::pair<bool, std::string>{decision.accepted, decision.message};
}

absl::StatusOr<std::pair<bool, std::string>> Grader::RunProgramChecker(const CompileResult& checker,
                                                                       const LoadedTest& test,
                                                                       const std::string& output) {
  absl::StatusOr<sandbox::BoxDir> dir = sandbox_->MakeBoxDir(output.size() + (1 << 20), 16);
  if (!dir.ok()) return dir.status();
  if (absl::Status s = dir->WriteFile("output", output); !s.ok()) return s;
  sandbox::RunSpec spec;
  sandbox::Sandbox::AddSystemMounts(spec);
  spec.mounts.push_back({checker.artifact_path, "/opt/check/checker", false});
  spec.mounts.push_back({test.input_path, "/opt/check/input", false});
  spec.mounts.push_back({test.answer_path, "/opt/check/answer", false});
  spec.host_workdir = dir->path();
  spec.argv = {"/opt/check/checker", "/opt/check/input", "/box/output", "/opt/check/answer"};
  spec.limits.cpu_time_ms = 10000;
  spec.limits.wall_time_ms = 20000;
  spec.limits.memory_bytes = 1ull << 30;
  spec.limits.stdout_bytes = 4096;
  spec.limits.stderr_bytes = 4096;
  absl::StatusOr<sandbox::RunResult> run = sandbox_->Run(spec);
  if (!run.ok()) return run.status();
  std::string message = run->stderr_data.empty() ? run->stdout_data : run->stderr_data;
  if (run->status == sandbox::RunStatus::kOk) return std::pair<bool, std::string>{true, message};
  if (run->status == sandbox::RunStatus::kNonZeroExit && run->exit_code == 1) {
    return std::pair<bool, std::string>{false, message};
  }
  return absl::InternalError(absl::StrCat("checker failed on test ", test.name, ": ", run->message,
                                          " ", Excerpt(message, 200)));
}

absl::StatusOr<std::shared_ptr<const CompileResult>> Grader::CompileStep(
    const GradeRequest& request, const Language& language, judge::v1::Submission* out) {
  // Some compilers only warn of a NUL and drop it (gcc), others refuse it: one rule for all, in
  // the form a compiler reports an error.
  if (const size_t nul = request.source.find('\0'); nul != std::string::npos) {
    const size_t line_start = request.source.rfind('\n', nul);
    const size_t line = 1 + std::count(request.source.begin(), request.source.begin() + nul, '\n');
    const size_t column = nul - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
    out->set_compile_output(
        absl::StrCat(language.source_name, ":", line, ":", column,
                     ": error: a NUL byte (\\0) is not allowed in source code\n"));
    out->set_verdict(judge::v1::VERDICT_COMPILATION_ERROR);
    return std::shared_ptr<const CompileResult>();
  }
  absl::StatusOr<std::shared_ptr<const CompileResult>> compiled =
      compiler_->Compile(language, request.source);
  if (!compiled.ok()) return compiled.status();
  out->set_compile_output((*compiled)->message);
  if (!(*compiled)->ok) {
    out->set_verdict(judge::v1::VERDICT_COMPILATION_ERROR);
    return std::shared_ptr<const CompileResult>();
  }
  return compiled;
}

// The first lines of a text for an interviewer's look at a failed hidden test: at most 20
// lines and about 1 KiB, "…" where it was cut.
static std::string FileHead(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}

// A prefix of at most `max_bytes` that ends on a UTF-8 boundary, "…" appended when cut.
static std::string Cut(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "…";
}

// Where two outputs first differ, by line (trailing blanks ignored, as the checkers do).
static size_t FirstDifferingLine(std::string_view a, std::string_view b) {
  auto trimmed = [](std::string_view line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    return line;
  };
  size_t line = 0;
  while (!a.empty() || !b.empty()) {
    const size_t ea = std::min(a.find('\n'), a.size()), eb = std::min(b.find('\n'), b.size());
    if (trimmed(a.substr(0, ea)) != trimmed(b.substr(0, eb))) return line;
    a.remove_prefix(std::min(ea + 1, a.size()));
    b.remove_prefix(std::min(eb + 1, b.size()));
    ++line;
  }
  return line;
}

// The text from line `from` on ("…" standing for the lines before it).
static std::string FromLine(const std::string& text, size_t from) {
  size_t at = 0;
  for (size_t i = 0; i < from && at < text.size(); ++i) {
    const size_t nl = text.find('\n', at);
    at = nl == std::string::npos ? text.size() : nl + 1;
  }
  return at == 0 ? text : "…\n" + text.substr(at);
}

static std::string Head(const std::string& text) {
  constexpr size_t kBytes = 1024, kLines = 20;
  size_t end = 0, lines = 0;
  while (end < text.size() && end < kBytes && lines < kLines) {
    if (text[end++] == '\n') ++lines;
  }
  // Never cut inside a UTF-8 sequence.
  while (end < text.size() && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return end >= text.size() ? text : text.substr(0, end) + "…";
}

absl::Status Grader::RunCustomInput(const GradeRequest& request, const Language& language,
                                    const CompileResult& program, const TestCallback& emit_test,
                                    judge::v1::Submission* out) {
  const LoadedChallenge& ch = *request.challenge;
  absl::StatusOr<sandbox::BoxDir> dir =
      sandbox_->MakeBoxDir(request.custom_stdin.size() + (1 << 20), 16);
  if (!dir.ok()) return dir.status();
  if (absl::Status s = dir->WriteFile("stdin", request.custom_stdin); !s.ok()) return s;
  // For a fixture language the custom input is the fixture.
  std::string path = dir->path() + "/stdin";
  absl::StatusOr<sandbox::RunResult> run =
      RunProgram(ch.LimitsFor(language.id), language, program, path, path,
                 options_.custom_output_bytes, request.stop);
  if (!run.ok()) return run.status();
  Verdict v = RunVerdict(language, *run);
  if (v == judge::v1::VERDICT_COMPILATION_ERROR) {
    out->set_verdict(v);
    out->set_compile_output(run->stderr_data);
    return absl::OkStatus();
  }
  if (v == judge::v1::VERDICT_INTERNAL_ERROR) {
    // On the interviewer's own input (for sql: their own fixture) the runner's refusal is about
    // that input, not a failure of the judge: report it, do not retry it.
    v = judge::v1::VERDICT_RUNTIME_ERROR;
    run->message = absl::StrCat("the custom input was refused: ", Excerpt(run->stderr_data, 200));
  }
  out->set_verdict(v);
  out->set_custom_stdout(run->stdout_data);
  out->set_custom_stderr(run->stderr_data);
  out->set_message(run->message);
  judge::v1::TestResult* t = out->add_tests();
  t->set_index(1);
  t->set_name("custom");
  t->set_sample(true);
  t->set_verdict(v);
  t->set_cpu_ms(run->cpu_ms);
  t->set_wall_ms(run->wall_ms);
  t->set_memory_kib(run->memory_kib);
  emit_test(*t);
  return absl::OkStatus();
}

absl::StatusOr<judge::v1::TestResult> Grader::RunOneTest(
    const LoadedChallenge& ch, const Language& language, const CompileResult& program,
    const CompileResult* checker, uint32_t index, std::string* compile_output,
    std::string* security_message, const std::atomic<bool>* stop) {
  const LoadedTest& test = ch.tests[index];
  const LoadedChallenge::RunLimits limits = ch.LimitsFor(language.id);
  absl::StatusOr<sandbox::RunResult> run;
  std::optional<Interaction> interaction;
  if (ch.manifest.interactive() || ch.manifest.passes() > 1) {
    absl::StatusOr<Interaction> i =
        ch.manifest.interactive()
            ? RunInteractive(ch, language, program, *checker, test, limits, stop)
            : RunPasses(ch, language, program, *checker, test, limits, stop);
    if (!i.ok()) return i.status();
    run = i->program;
    interaction = *std::move(i);
  } else {
    run = RunProgram(limits, language, program, test.input_path, test.fixture_path,
                     limits.output_kib * 1024, stop);
  }
  if (!run.ok()) return run.status();
  judge::v1::TestResult result;
  result.set_index(index + 1);
  result.set_name(test.name);
  result.set_group(test.group);
  result.set_sample(test.sample);
  result.set_cpu_ms(run->cpu_ms);
  result.set_wall_ms(run->wall_ms);
  result.set_memory_kib(run->memory_kib);
  Verdict v = RunVerdict(language, *run);
  if (v == judge::v1::VERDICT_CANCELLED) {
    result.set_verdict(v);
    return result;
  }
  if (v == judge::v1::VERDICT_COMPILATION_ERROR) {
    // The program refused to start on its input (a query that does not prepare): nothing
    // else can run either.
    *compile_output = Truncate(run->stderr_data, 4096);
    result.set_verdict(v);
    return result;
  }
  if (v == judge::v1::VERDICT_INTERNAL_ERROR) {
    return absl::InternalError(absl::StrCat(language.id, " failed on test ", test.name, ": ",
                                            Excerpt(run->stderr_data, 200)));
  }
  std::string message, expected_text;
  std::optional<double> validator_score;
  std::string judge_message;  // the validator's words for the judges
  if (interaction) {
    validator_score = interaction->score;
    judge_message = interaction->judge_message;
    // Whoever ended first decides: a program that failed (time, memory, a crash) before the
    // validator spoke keeps its verdict; a validator that rejected first makes it
    // WRONG_ANSWER. A hostile program is SECURITY_VIOLATION whatever happened; a validator that
    // neither accepted nor rejected a program that did nothing wrong is the author's error.
    const bool hostile = v == judge::v1::VERDICT_SECURITY_VIOLATION;
    const bool program_failed_first =
        interaction->program_first && v != judge::v1::VERDICT_ACCEPTED;
    if (!hostile && !program_failed_first) {
      if (!interaction->decided && v == judge::v1::VERDICT_ACCEPTED) {
        return absl::InternalError(absl::StrCat("the validator of ", ch.manifest.id(),
                                                " failed on test ", test.name, ": ",
                                                interaction->failure));
      }
      if (interaction->decided && !interaction->accepted) v = judge::v1::VERDICT_WRONG_ANSWER;
    }
  }
  if (interaction && (v == judge::v1::VERDICT_ACCEPTED || v == judge::v1::VERDICT_WRONG_ANSWER)) {
    // The validator's words; otherwise (time, a crash) how the program ended, as below.
    message = Excerpt(interaction->message, options_.sample_message_bytes);
  } else if (v == judge::v1::VERDICT_ACCEPTED) {
    if (checker) {
      absl::StatusOr<std::pair<bool, std::string>> c =
          ch.validator_language ? RunOutputValidator(ch, *checker, test, run->stdout_data,
                                                     &validator_score, &judge_message)
                                : RunProgramChecker(*checker, test, run->stdout_data);
      if (!c.ok()) return c.status();
      if (!c->first) v = judge::v1::VERDICT_WRONG_ANSWER;
      message = Excerpt(c->second, options_.sample_message_bytes);
    } else {
      absl::StatusOr<std::string> expected = ReadTextFile(test.answer_path);
      if (!expected.ok()) return expected.status();
      CheckOutcome c = RunBuiltinChecker(test.checker, *expected, run->stdout_data);
      if (!c.accepted) v = judge::v1::VERDICT_WRONG_ANSWER;
      message = c.message;
      if (!c.accepted) expected_text = *std::move(expected);
    }
  } else if (run->status == sandbox::RunStatus::kNonZeroExit &&
             LanguageVerdict(language, run->exit_code, "") != judge::v1::VERDICT_UNSPECIFIED) {
    // A runner's own exit code: its one-line message says it all.
    message = ErrorLine(run->stderr_data, options_.sample_message_bytes);
  } else {
    message = run->message;
    if (!run->stderr_data.empty()) {
      absl::StrAppend(&message, ": ", ErrorLine(run->stderr_data, options_.sample_message_bytes));
    }
  }
  result.set_verdict(v);
  if (!judge_message.empty()) {
    // For interviewer, platform and admin callers only (a candidate's view drops the detail).
    result.mutable_detail()->set_validator_message(Excerpt(judge_message, 1024));
  }
  if (ch.manifest.scoring()) {
    // Its points: the validator's score.txt where it wrote one, else the folder's
    // accept_score or reject_score.
    result.set_points(v == judge::v1::VERDICT_ACCEPTED ? validator_score.value_or(test.accept_score)
                                                       : test.reject_score);
  }
  // The trap only where it explains the failure (a timing trap beside TIME_LIMIT_EXCEEDED, a
  // semantic one beside WRONG_ANSWER); callers strip it, and the detail, for candidates.
  if (std::find(test.trap_verdicts.begin(), test.trap_verdicts.end(), v) !=
      test.trap_verdicts.end()) {
    result.set_trap(test.trap);
  }
  if (!test.sample && v != judge::v1::VERDICT_ACCEPTED) {
    judge::v1::TestDetail* d = result.mutable_detail();
    d->set_input(Head(FileHead(test.input_path)));
    if (expected_text.empty()) expected_text = FileHead(test.answer_path);
    // A wrong answer's heads start a little before the first line that differs, when that line
    // is past what a head shows.
    const size_t differs = v == judge::v1::VERDICT_WRONG_ANSWER
                               ? FirstDifferingLine(expected_text, run->stdout_data)
                               : 0;
    const size_t from = differs >= 15 ? differs - 2 : 0;
    d->set_expected(Head(FromLine(expected_text, from)));
    d->set_output(Head(FromLine(run->stdout_data, from)));
  }
  // Hidden tests: nothing of the input, answer, output or error leaves the grader.
  if (test.sample) result.set_message(Cut(message, options_.sample_message_bytes + 64));
  if (v == judge::v1::VERDICT_SECURITY_VIOLATION) {
    *security_message = absl::StrCat("test ", test.name, ": ", run->message);
  }
  return result;
}

absl::Status Grader::RunTests(const GradeRequest& request, const Language& language,
                              const CompileResult& program, const TestCallback& emit_test,
                              judge::v1::Submission* out) {
  const LoadedChallenge& ch = *request.challenge;
  const std::atomic<bool>* cancel = request.cancel;
  // A checker program is compiled (or found in the cache) once per grading.
  std::shared_ptr<const CompileResult> checker;
  if (ch.manifest.checker().kind() == judge::v1::CHECKER_KIND_PROGRAM ||
      ch.manifest.checker().kind() == judge::v1::CHECKER_KIND_OUTPUT_VALIDATOR) {
    absl::StatusOr<std::shared_ptr<const CompileResult>> c = CompileChecker(ch);
    if (!c.ok()) return c.status();
    checker = *c;
  }
  const uint32_t total = static_cast<uint32_t>(ch.tests.size());
  Verdict overall = judge::v1::VERDICT_ACCEPTED;
  for (uint32_t i = 0; i < total; ++i) {
    if (cancel != nullptr && cancel->load()) {
      return absl::CancelledError("grading stopped: the judge is shutting down");
    }
    if (request.samples_only && !ch.tests[i].sample) continue;
    if (request.stop != nullptr && request.stop->load()) {
      out->set_verdict(judge::v1::VERDICT_CANCELLED);
      return absl::OkStatus();
    }
    std::string compile_output, security_message;
    absl::StatusOr<judge::v1::TestResult> result = RunOneTest(
        ch, language, program, checker.get(), i, &compile_output, &security_message, request.stop);
    if (!result.ok()) return result.status();
    const Verdict v = result->verdict();
    if (v == judge::v1::VERDICT_CANCELLED) {
      out->set_verdict(v);
      return absl::OkStatus();
    }
    if (v == judge::v1::VERDICT_COMPILATION_ERROR) {
      out->clear_tests();
      out->set_verdict(v);
      out->set_compile_output(compile_output);
      return absl::OkStatus();
    }
    if (v != judge::v1::VERDICT_ACCEPTED && overall == judge::v1::VERDICT_ACCEPTED) {
      overall = v;
      if (!security_message.empty()) out->set_message(security_message);
    }
    *out->add_tests() = *result;
    emit_test(*result);
    if (v != judge::v1::VERDICT_ACCEPTED && ch.manifest.stop_on_first_failure()) break;
  }
  out->set_verdict(overall);
  out->set_score(request.samples_only ? 0 : Score(ch, *out));
  // A scoring problem: its folders decide the verdict and the points.
  if (ch.manifest.scoring() && !request.samples_only) ScoreByGrading(ch, out);
  return absl::OkStatus();
}

void FitGrowth(Growth* g) {
  // The largest sizes say how a program grows; at small ones its constant costs (reading,
  // parsing, the runtime's start) hide it. Fit the last kFitPoints usable sizes.
  constexpr size_t kFitPoints = 6;
  std::vector<double> xs, ys;
  for (const GrowthPoint& p : g->points) {
    if (p.over_limit || p.cpu_ms < g->baseline_ms + 10) continue;
    xs.push_back(std::log(static_cast<double>(p.n)));
    ys.push_back(std::log(static_cast<double>(p.cpu_ms - g->baseline_ms)));
  }
  if (xs.size() > kFitPoints) {
    xs.erase(xs.begin(), xs.end() - kFitPoints);
    ys.erase(ys.begin(), ys.end() - kFitPoints);
  }
  const size_t m = xs.size();
  if (m < 3) {
    g->fitted = false;
    g->note =
        absl::StrCat("only ", m, " size(s) took 10 ms or more within the cap: too few to fit");
    return;
  }
  double mx = 0, my = 0;
  for (size_t i = 0; i < m; ++i) mx += xs[i] / m, my += ys[i] / m;
  double sxx = 0, sxy = 0;
  for (size_t i = 0; i < m; ++i)
    sxx += (xs[i] - mx) * (xs[i] - mx), sxy += (xs[i] - mx) * (ys[i] - my);
  const double b = sxy / sxx, a = my - b * mx;
  double sse = 0;
  for (size_t i = 0; i < m; ++i) sse += (ys[i] - a - b * xs[i]) * (ys[i] - a - b * xs[i]);
  // Student's t at 97.5% for m - 2 degrees of freedom.
  static const double kT[] = {12.706, 4.303, 3.182, 2.776, 2.571,
                              2.447,  2.365, 2.306, 2.262, 2.228};
  const double t = m - 2 <= 10 ? kT[m - 3] : 2.0;
  const double se = m > 2 ? std::sqrt(sse / (m - 2) / sxx) : 0;
  g->fitted = true;
  g->exponent = b;
  g->low = b - t * se;
  g->high = b + t * se;
}

absl::StatusOr<Growth> Grader::MeasureGrowth(const LoadedChallenge& ch,
                                             const std::string& language_id,
                                             const std::string& source, uint32_t cap_ms) {
  if (ch.scaling.empty()) return absl::NotFoundError("the challenge has no scaling series");
  const Language* language = ch.LanguageFor(language_id);
  if (language == nullptr) return absl::InvalidArgumentError("unknown language " + language_id);
  absl::StatusOr<std::shared_ptr<const CompileResult>> program =
      compiler_->Compile(*language, source);
  if (!program.ok()) return program.status();
  Growth g;
  if (!(*program)->ok) {
    g.note = "it does not compile";
    return g;
  }
  // The series runs under its own cap, not the tests' limits (a slow program only needs to
  // show its slope), with the challenge's memory.
  LoadedChallenge::RunLimits series = ch.LimitsFor(language_id);
  series.cpu_time_ms = cap_ms;
  series.wall_time_ms = DefaultWallTimeMs(cap_ms);
  series.output_kib = std::max<uint64_t>(series.output_kib, 64 << 10);
  absl::StatusOr<sandbox::RunResult> empty =
      RunProgram(series, *language, **program, "", "", 1 << 20);
  if (!empty.ok()) return empty.status();
  g.baseline_ms = static_cast<uint32_t>(empty->cpu_ms);
  // Each size runs twice and keeps the smaller CPU time (once when the first run is over the
  // cap): a one-off spike (another process's load on a shared core, a cold cache) would bend
  // the fit, and the least a program took is closest to what it needs.
  for (const LoadedChallenge::ScalePoint& p : ch.scaling) {
    GrowthPoint point{p.n, 0, false};
    for (int attempt = 0; attempt < 2; ++attempt) {
      absl::StatusOr<sandbox::RunResult> run =
          RunProgram(series, *language, **program, p.input_path, "", 256ull << 20);
      if (!run.ok()) return run.status();
      const uint32_t cpu = static_cast<uint32_t>(run->cpu_ms);
      const bool over = run->status != sandbox::RunStatus::kOk;
      if (attempt == 0 || cpu < point.cpu_ms) {
        point.cpu_ms = cpu;
        point.over_limit = over;
      }
      if (over) break;
    }
    g.points.push_back(point);
    if (point.over_limit) break;
  }
  FitGrowth(&g);
  if (!g.points.empty() && g.points.back().over_limit) {
    absl::StrAppend(&g.note, g.note.empty() ? "" : "; ", "over ", cap_ms,
                    " ms of CPU (or failed) at n = ", g.points.back().n);
  }
  return g;
}

uint32_t Score(const LoadedChallenge& ch, const judge::v1::Submission& graded) {
  // A group scores when every one of its tests ran and passed; tests skipped after a failure
  // (stop_on_first_failure) did not pass.
  std::map<std::string, uint32_t> passed;
  for (const judge::v1::TestResult& t : graded.tests()) {
    if (t.verdict() == judge::v1::VERDICT_ACCEPTED) ++passed[t.group()];
  }
  std::map<std::string, uint32_t> size;
  for (const LoadedTest& t : ch.tests) ++size[t.group];
  uint32_t score = 0;
  for (const auto& [name, points] : ch.group_points) {
    if (size[name] > 0 && passed[name] == size[name]) score += points;
  }
  return score;
}

absl::Status Grader::Grade(const GradeRequest& request, const ProgressCallback& progress,
                           judge::v1::Submission* out) {
  const LoadedChallenge& ch = *request.challenge;
  const Language* language = ch.LanguageFor(request.language);
  if (language == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown language ", request.language));
  }
  // Several files: the others compiled beside the entry. A name or language that cannot be is
  // the submission's own failure (a compile error), not the judge's.
  std::optional<Language> several;
  if (!request.files.empty()) {
    absl::StatusOr<Language> with =
        ch.harness_languages.count(request.language)
            ? absl::InvalidArgumentError("a class-form challenge takes one file")
            : WithFiles(*language, request.files);
    if (!with.ok()) {
      out->clear_tests();
      out->set_verdict(judge::v1::VERDICT_COMPILATION_ERROR);
      out->set_compile_output(std::string(with.status().message()));
      return absl::OkStatus();
    }
    several = *std::move(with);
    language = &*several;
  }
  out->clear_tests();
  out->set_max_score(request.samples_only || request.use_custom_stdin ? 0 : ch.max_score);
  out->set_score(0);
  uint32_t total = request.use_custom_stdin ? 1 : static_cast<uint32_t>(ch.tests.size());
  if (request.samples_only && !request.use_custom_stdin) {
    total = static_cast<uint32_t>(std::count_if(ch.tests.begin(), ch.tests.end(),
                                                [](const LoadedTest& t) { return t.sample; }));
  }
  auto emit = [&](judge::v1::SubmissionState state, const judge::v1::TestResult* test) {
    if (!progress) return;
    judge::v1::SubmissionEvent event;
    event.set_submission_id(out->id());
    event.set_state(state);
    if (test) *event.mutable_test() = *test;
    event.set_tests_total(test ? total : 0);
    progress(event);
  };
  auto emit_test = [&](const judge::v1::TestResult& t) {
    emit(judge::v1::SUBMISSION_STATE_RUNNING, &t);
  };

  emit(judge::v1::SUBMISSION_STATE_COMPILING, nullptr);
  absl::StatusOr<std::shared_ptr<const CompileResult>> program =
      CompileStep(request, *language, out);
  if (!program.ok()) return program.status();
  if (*program == nullptr) return absl::OkStatus();  // COMPILATION_ERROR
  if (request.stop != nullptr && request.stop->load()) {
    out->set_verdict(judge::v1::VERDICT_CANCELLED);
    return absl::OkStatus();
  }
  if (request.use_custom_stdin) {
    return RunCustomInput(request, *language, **program, emit_test, out);
  }
  return RunTests(request, *language, **program, emit_test, out);
}

std::string Grader::SelfTestOne(const Language& lang) {
  LoadedChallenge::RunLimits limits;
  limits.cpu_time_ms = 5000;
  limits.wall_time_ms = DefaultWallTimeMs(5000);
  limits.memory_kib = 512 << 10;
  limits.output_kib = 64;
  absl::StatusOr<std::shared_ptr<const CompileResult>> c =
      compiler_->Compile(lang, lang.self_test_source);
  if (!c.ok()) return std::string(c.status().message());
  if (!(*c)->ok) return "compile: " + Excerpt((*c)->message, 200);
  // A fixture is staged through the compiler's cache as a source of the same language.
  std::shared_ptr<const CompileResult> fixture;
  if (lang.input == TestInput::kFixture) {
    Language plain = lang;
    plain.compile_argv.clear();
    absl::StatusOr<std::shared_ptr<const CompileResult>> f =
        compiler_->Compile(plain, lang.self_test_fixture);
    if (!f.ok()) return "cannot stage the fixture: " + std::string(f.status().message());
    fixture = *f;
  }
  absl::StatusOr<sandbox::RunResult> r =
      RunProgram(limits, lang, **c, "", fixture ? fixture->artifact_path : "", 1024);
  if (!r.ok()) return std::string(r.status().message());
  if (r->status != sandbox::RunStatus::kOk || r->stdout_data != lang.self_test_output) {
    return absl::StrCat("run: ", r->message, " ", Excerpt(r->stderr_data + r->stdout_data, 200));
  }
  return "";
}

absl::Status Grader::SelfTest() {
  // One thread per language: the JVM, tsc and rustc each take about a second to compile.
  std::vector<std::string> why(Languages().size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < Languages().size(); ++i) {
    threads.emplace_back([this, i, &why] { why[i] = SelfTestOne(Languages()[i]); });
  }
  for (std::thread& t : threads) t.join();
  std::string broken;
  for (size_t i = 0; i < why.size(); ++i) {
    if (why[i].empty()) continue;
    absl::StrAppend(&broken, broken.empty() ? "" : "; ", Languages()[i].id, " (",
                    Languages()[i].display, "): ", why[i]);
  }
  if (!broken.empty()) return absl::FailedPreconditionError("broken toolchains: " + broken);
  return absl::OkStatus();
}

}  // namespace judge
