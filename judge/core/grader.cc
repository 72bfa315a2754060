#include "judge/core/grader.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "judge/core/checker.h"

namespace judge {
namespace {

using judge::v1::Verdict;

// sql-runner's exit codes (see judge/sqlrunner/sql_runner.cc).
constexpr int kSqlRuntime = 1, kSqlUsage = 2, kSqlRefused = 3, kSqlTime = 4, kSqlMemory = 5;

std::string Truncate(std::string s, size_t max) {
  if (s.size() > max) {
    s.resize(max);
    s += "\n[truncated]";
  }
  return s;
}

}  // namespace

Verdict VerdictFor(const sandbox::RunResult& run) {
  switch (run.status) {
    case sandbox::Status::kOk: return judge::v1::VERDICT_ACCEPTED;
    case sandbox::Status::kNonZeroExit:
    case sandbox::Status::kSignaled: return judge::v1::VERDICT_RUNTIME_ERROR;
    case sandbox::Status::kCpuTimeLimit:
    case sandbox::Status::kWallTimeLimit: return judge::v1::VERDICT_TIME_LIMIT_EXCEEDED;
    case sandbox::Status::kMemoryLimit: return judge::v1::VERDICT_MEMORY_LIMIT_EXCEEDED;
    case sandbox::Status::kOutputLimit: return judge::v1::VERDICT_OUTPUT_LIMIT_EXCEEDED;
    case sandbox::Status::kSecurityViolation: return judge::v1::VERDICT_SECURITY_VIOLATION;
  }
  return judge::v1::VERDICT_INTERNAL_ERROR;
}

Verdict RunVerdict(const Language& language, const sandbox::RunResult& run) {
  if (language.is_sql && run.status == sandbox::Status::kNonZeroExit) {
    switch (run.exit_code) {
      case kSqlRefused: return judge::v1::VERDICT_COMPILATION_ERROR;
      case kSqlTime: return judge::v1::VERDICT_TIME_LIMIT_EXCEEDED;
      case kSqlMemory: return judge::v1::VERDICT_MEMORY_LIMIT_EXCEEDED;
      case kSqlRuntime: return judge::v1::VERDICT_RUNTIME_ERROR;
      case kSqlUsage: return judge::v1::VERDICT_INTERNAL_ERROR;
      default: break;
    }
  }
  return VerdictFor(run);
}

Grader::Grader(sandbox::Sandbox* sandbox, Compiler* compiler, GraderOptions options)
    : sandbox_(sandbox), compiler_(compiler), options_(std::move(options)) {}

absl::StatusOr<sandbox::RunResult> Grader::RunProgram(const LoadedChallenge& challenge,
                                                      const Language& language,
                                                      const CompileResult& artifact,
                                                      const std::string& stdin_path,
                                                      const std::string& fixture_path,
                                                      uint64_t stdout_cap) {
  const judge::v1::Limits& lim = challenge.manifest.limits();
  const double mult = challenge.TimeMultiplier(language.id);
  sandbox::RunSpec spec;
  sandbox::Sandbox::AddSystemMounts(spec);
  const std::string box_artifact = absl::StrCat(kBoxArtifactDir, "/", language.artifact_name);
  spec.mounts.push_back({artifact.artifact_path, box_artifact, false});
  spec.env = language.run_env;
  spec.limits.cpu_time_ms = static_cast<uint64_t>(lim.cpu_time_ms() * mult);
  spec.limits.wall_time_ms = static_cast<uint64_t>(
      (lim.wall_time_ms() ? lim.wall_time_ms() : lim.cpu_time_ms() * 3 + 1000) * mult);
  spec.limits.memory_bytes = lim.memory_kib() * 1024;
  spec.limits.processes = lim.processes() ? lim.processes() : 64;
  spec.limits.stdout_bytes = stdout_cap;
  spec.limits.stderr_bytes = 64 << 10;
  spec.limits.file_size_bytes = 64ull << 20;
  spec.limits.tmp_bytes = 64ull << 20;
  spec.limits.tmp_inodes = 1024;
  spec.limits.open_files = 64;
  spec.profile = sandbox::Profile::kRun;
  if (language.is_sql) {
    spec.mounts.push_back({options_.sql_runner_path, "/opt/judge/sql-runner", false});
    spec.mounts.push_back({fixture_path, "/opt/judge/fixture.sql", false});
    // The query's own deadline sits just under the cpu limit, so a runaway query is reported
    // by sql-runner itself; the sandbox's limit stays the backstop.
    spec.argv = {"/opt/judge/sql-runner", "--fixture", "/opt/judge/fixture.sql", "--query",
                 box_artifact, "--time-ms",
                 std::to_string(std::max<uint64_t>(spec.limits.cpu_time_ms * 9 / 10, 50)),
                 "--heap-mib", std::to_string(std::max<uint64_t>(lim.memory_kib() / 2048, 8))};
  } else {
    for (const std::string& a : language.run_argv) {
      spec.argv.push_back(absl::StrReplaceAll(a, {{"{artifact}", box_artifact}}));
    }
    if (!stdin_path.empty()) spec.stdin_stream = {sandbox::Stream::Kind::kFile, stdin_path, -1};
  }
  return sandbox_->Run(spec);
}

absl::StatusOr<std::shared_ptr<const CompileResult>> Grader::CompileChecker(
    const LoadedChallenge& challenge) {
  absl::StatusOr<std::string> source = ReadTextFile(challenge.checker_source, 1 << 20);
  if (!source.ok()) return source.status();
  absl::StatusOr<std::shared_ptr<const CompileResult>> checker =
      compiler_->Compile(*FindLanguage("cpp"), *source);
  if (!checker.ok()) return checker.status();
  if (!(*checker)->ok) {
    return absl::InternalError(absl::StrCat("checker of ", challenge.manifest.id(),
                                            " does not compile: ", (*checker)->message));
  }
  return checker;
}

absl::StatusOr<std::pair<bool, std::string>> Grader::RunProgramChecker(
    const CompileResult& checker, const LoadedTest& test, const std::string& output) {
  absl::StatusOr<sandbox::BoxDir> dir = sandbox_->MakeWorkDir(output.size() + (1 << 20), 16);
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
  if (run->status == sandbox::Status::kOk) return std::pair<bool, std::string>{true, message};
  if (run->status == sandbox::Status::kNonZeroExit && run->exit_code == 1) {
    return std::pair<bool, std::string>{false, message};
  }
  return absl::InternalError(absl::StrCat("checker failed on test ", test.name, ": ",
                                          run->message, " ", Excerpt(message, 200)));
}

absl::Status Grader::Grade(const GradeRequest& request, const ProgressCallback& progress,
                           judge::v1::Submission* out) {
  const LoadedChallenge& ch = *request.challenge;
  const Language* language = FindLanguage(request.language);
  if (language == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown language ", request.language));
  }
  out->clear_tests();
  out->set_max_score(ch.max_score);
  out->set_score(0);
  auto emit = [&](judge::v1::SubmissionState state, const judge::v1::TestResult* test,
                  uint32_t total) {
    if (!progress) return;
    judge::v1::SubmissionEvent event;
    event.set_submission_id(out->id());
    event.set_state(state);
    if (test) *event.mutable_test() = *test;
    event.set_tests_total(total);
    progress(event);
  };

  emit(judge::v1::SUBMISSION_STATE_COMPILING, nullptr, 0);
  absl::StatusOr<std::shared_ptr<const CompileResult>> compiled =
      compiler_->Compile(*language, request.source);
  if (!compiled.ok()) return compiled.status();
  out->set_compile_output((*compiled)->message);
  if (!(*compiled)->ok) {
    out->set_verdict(judge::v1::VERDICT_COMPILATION_ERROR);
    return absl::OkStatus();
  }

  if (request.use_custom_stdin) {
    absl::StatusOr<sandbox::BoxDir> dir =
        sandbox_->MakeWorkDir(request.custom_stdin.size() + (1 << 20), 16);
    if (!dir.ok()) return dir.status();
    if (absl::Status s = dir->WriteFile("stdin", request.custom_stdin); !s.ok()) return s;
    std::string path = dir->path() + "/stdin";
    absl::StatusOr<sandbox::RunResult> run =
        RunProgram(ch, *language, **compiled, path, path, options_.custom_output_bytes);
    if (!run.ok()) return run.status();
    Verdict v = RunVerdict(*language, *run);
    if (v == judge::v1::VERDICT_COMPILATION_ERROR) {
      out->set_verdict(v);
      out->set_compile_output(run->stderr_data);
      return absl::OkStatus();
    }
    if (v == judge::v1::VERDICT_INTERNAL_ERROR) {
      return absl::InternalError(
          absl::StrCat("sql-runner failed on custom input: ", Excerpt(run->stderr_data, 200)));
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
    emit(judge::v1::SUBMISSION_STATE_RUNNING, t, 1);
    return absl::OkStatus();
  }

  // A checker program is compiled (or found in the cache) once per grading.
  std::shared_ptr<const CompileResult> checker;
  if (ch.manifest.checker().kind() == judge::v1::CHECKER_KIND_PROGRAM) {
    absl::StatusOr<std::shared_ptr<const CompileResult>> c = CompileChecker(ch);
    if (!c.ok()) return c.status();
    checker = *c;
  }
  const uint32_t total = static_cast<uint32_t>(ch.tests.size());
  const uint64_t stdout_cap = ch.manifest.limits().output_kib() * 1024;
  std::map<std::string, bool> group_ok;
  for (const auto& [name, points] : ch.group_points) group_ok[name] = true;
  Verdict overall = judge::v1::VERDICT_ACCEPTED;
  for (uint32_t i = 0; i < total; ++i) {
    const LoadedTest& test = ch.tests[i];
    absl::StatusOr<sandbox::RunResult> run =
        RunProgram(ch, *language, **compiled, test.input_path, test.fixture_path, stdout_cap);
    if (!run.ok()) return run.status();
    judge::v1::TestResult result;
    result.set_index(i + 1);
    result.set_name(test.name);
    result.set_group(test.group);
    result.set_sample(test.sample);
    result.set_cpu_ms(run->cpu_ms);
    result.set_wall_ms(run->wall_ms);
    result.set_memory_kib(run->memory_kib);
    Verdict v = RunVerdict(*language, *run);
    std::string message;
    if (v == judge::v1::VERDICT_COMPILATION_ERROR) {
      // The query does not prepare: nothing else can run either.
      out->clear_tests();
      out->set_verdict(v);
      out->set_compile_output(Truncate(run->stderr_data, 4096));
      return absl::OkStatus();
    }
    if (v == judge::v1::VERDICT_INTERNAL_ERROR) {
      return absl::InternalError(absl::StrCat("sql-runner failed on test ", test.name, ": ",
                                              Excerpt(run->stderr_data, 200)));
    }
    if (language->is_sql && run->status == sandbox::Status::kNonZeroExit) {
      message = Excerpt(run->stderr_data, options_.sample_message_bytes);
    }
    if (v == judge::v1::VERDICT_ACCEPTED) {
      if (checker) {
        absl::StatusOr<std::pair<bool, std::string>> c =
            RunProgramChecker(*checker, test, run->stdout_data);
        if (!c.ok()) return c.status();
        if (!c->first) v = judge::v1::VERDICT_WRONG_ANSWER;
        message = Excerpt(c->second, options_.sample_message_bytes);
      } else {
        absl::StatusOr<std::string> expected = ReadTextFile(test.answer_path);
        if (!expected.ok()) return expected.status();
        CheckOutcome c = RunBuiltinChecker(ch.manifest.checker(), *expected, run->stdout_data);
        if (!c.accepted) v = judge::v1::VERDICT_WRONG_ANSWER;
        message = c.message;
      }
    } else if (message.empty()) {
      message = run->message;
      if (!run->stderr_data.empty()) {
        absl::StrAppend(&message, ": ", Excerpt(run->stderr_data, options_.sample_message_bytes));
      }
    }
    result.set_verdict(v);
    // Hidden tests: nothing of the input, answer or output leaves the grader.
    if (test.sample) result.set_message(message.substr(0, options_.sample_message_bytes + 64));
    if (v != judge::v1::VERDICT_ACCEPTED) {
      group_ok[test.group] = false;
      if (overall == judge::v1::VERDICT_ACCEPTED) {
        overall = v;
        if (v == judge::v1::VERDICT_SECURITY_VIOLATION) {
          out->set_message(absl::StrCat("test ", test.name, ": ", run->message));
        }
      }
    }
    *out->add_tests() = result;
    emit(judge::v1::SUBMISSION_STATE_RUNNING, &result, total);
    if (v != judge::v1::VERDICT_ACCEPTED && ch.manifest.stop_on_first_failure()) break;
  }
  uint32_t score = 0;
  for (const auto& [name, ok] : group_ok) {
    if (ok && out->tests_size() > 0) score += ch.group_points.at(name);
  }
  // A group whose tests were skipped (stop_on_first_failure) did not pass.
  if (out->tests_size() < static_cast<int>(total)) {
    score = 0;
    for (const auto& [name, ok] : group_ok) {
      bool all_ran = true;
      for (uint32_t i = out->tests_size(); i < total; ++i) all_ran &= ch.tests[i].group != name;
      if (ok && all_ran) score += ch.group_points.at(name);
    }
  }
  out->set_score(score);
  out->set_verdict(overall);
  return absl::OkStatus();
}

absl::Status Grader::SelfTest() {
  std::string broken;
  struct Probe {
    const char* lang;
    const char* source;
  };
  const Probe probes[] = {
      {"c", "#include <stdio.h>\nint main(void){puts(\"ok\");return 0;}\n"},
      {"cpp", "#include <iostream>\nint main(){std::cout<<\"ok\\n\";}\n"},
      {"python3", "print('ok')\n"},
  };
  // A throwaway challenge-shaped context for RunProgram.
  LoadedChallenge ch;
  ch.manifest.mutable_limits()->set_cpu_time_ms(5000);
  ch.manifest.mutable_limits()->set_memory_kib(512 << 10);
  ch.manifest.mutable_limits()->set_output_kib(64);
  for (const Probe& p : probes) {
    const Language* lang = FindLanguage(p.lang);
    absl::StatusOr<std::shared_ptr<const CompileResult>> c = compiler_->Compile(*lang, p.source);
    std::string why;
    if (!c.ok()) {
      why = std::string(c.status().message());
    } else if (!(*c)->ok) {
      why = "compile: " + Excerpt((*c)->message, 200);
    } else {
      absl::StatusOr<sandbox::RunResult> r = RunProgram(ch, *lang, **c, "", "", 1024);
      if (!r.ok()) {
        why = std::string(r.status().message());
      } else if (r->status != sandbox::Status::kOk || r->stdout_data != "ok\n") {
        why = absl::StrCat("run: ", r->message, " ", Excerpt(r->stderr_data, 200));
      }
    }
    if (!why.empty()) absl::StrAppend(&broken, broken.empty() ? "" : "; ", lang->id, " (", lang->display, "): ", why);
  }
  {
    const Language* sql = FindLanguage("sql");
    absl::StatusOr<std::shared_ptr<const CompileResult>> q = compiler_->Compile(*sql, "SELECT x FROM t");
    absl::StatusOr<std::shared_ptr<const CompileResult>> fx =
        compiler_->Compile(*sql, "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1);");
    std::string why;
    if (!q.ok() || !fx.ok()) {
      why = "cannot stage files";
    } else {
      absl::StatusOr<sandbox::RunResult> r = RunProgram(ch, *sql, **q, "", (*fx)->artifact_path, 1024);
      if (!r.ok()) {
        why = std::string(r.status().message());
      } else if (r->status != sandbox::Status::kOk || r->stdout_data != "#cols\tx\nI1\n") {
        why = absl::StrCat(r->message, " ", Excerpt(r->stderr_data + r->stdout_data, 200));
      }
    }
    if (!why.empty()) absl::StrAppend(&broken, broken.empty() ? "" : "; ", "sql (sql-runner): ", why);
  }
  if (!broken.empty()) return absl::FailedPreconditionError("broken toolchains: " + broken);
  return absl::OkStatus();
}

}  // namespace judge
