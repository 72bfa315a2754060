// Per-language figures (issue 13), for every language that compiles or runs a program:
//  1. compile alone, of hello world and of the ttl-lru-cache reference: a cache miss, median of
//     3 (each a new source: a comment differs);
//  2. Submit to verdict: the ttl-lru-cache reference in that language graded on all 17 tests,
//     its compilation included (a cache miss), median of 3;
//  3. the runtime's start: the language's hello-world self-test run in the sandbox (wall and
//     CPU, median of 20) against the same command run outside it (fork+exec and wait4).
// Usage: languages_bench [SQL_RUNNER] [CHALLENGES_DIR] [LANGUAGE...]
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "judge/core/grader.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string Comment(const judge::Language& lang, int n) {
  return absl::StrCat(lang.family == judge::SourceFamily::kPython ? "# " : "// ", "bench ", n, "\n");
}

// Runs argv outside any sandbox with stdin from /dev/null and stdout to /dev/null; wall and CPU
// in milliseconds.
bool RunOnHost(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               double* wall_ms, double* cpu_ms) {
  std::vector<char*> a, e;
  for (const std::string& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  for (const std::string& s : env) e.push_back(const_cast<char*>(s.c_str()));
  e.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const Clock::time_point start = Clock::now();
  pid_t pid = 0;
  int rc = posix_spawn(&pid, a[0], &actions, nullptr, a.data(), e.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) return false;
  *wall_ms = Ms(Clock::now() - start);
  *cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
            (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string sql_runner = argc > 1 ? argv[1] : "build/bin/sql-runner";
  const std::string challenges = argc > 2 ? argv[2] : "challenges";
  std::vector<std::string> only(argv + std::min(argc, 3), argv + argc);
  char tmpl[] = "/tmp/languages-bench-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  chmod(tmpl, 0711);
  const std::string root = tmpl;
  sandbox::SandboxOptions options;
  options.runtime_dir = root + "/run";
  options.slots = 2;
  options.prespawn = 1;  // as judged with one worker
  auto sb = sandbox::Sandbox::Create(options);
  if (!sb.ok()) return std::fprintf(stderr, "%s\n", std::string(sb.status().message()).c_str()), 1;
  judge::Compiler compiler(sb->get(), root + "/cache", 256);
  if (!compiler.Init().ok()) return 1;
  judge::Grader grader(sb->get(), &compiler, judge::GraderOptions{sql_runner});
  auto lru = judge::LoadChallenge(challenges + "/ttl-lru-cache");
  if (!lru.ok()) return std::fprintf(stderr, "%s\n", std::string(lru.status().message()).c_str()), 1;
  auto hello_challenge = std::make_shared<judge::LoadedChallenge>();
  hello_challenge->manifest.mutable_limits()->set_cpu_time_ms(5000);
  hello_challenge->manifest.mutable_limits()->set_memory_kib(512 << 10);
  hello_challenge->manifest.mutable_limits()->set_output_kib(64);
  hello_challenge->manifest.mutable_limits()->set_processes(4);

  std::printf("%-11s %18s %20s %26s %26s\n", "language", "compile hello/LRU", "LRU submit->verdict",
              "hello in sandbox wall/cpu", "hello outside wall/cpu");
  int run = 0;
  for (const judge::Language& lang : judge::Languages()) {
    if (lang.input != judge::TestInput::kStdin) continue;  // sql: no program of its own
    if (!only.empty() && std::find(only.begin(), only.end(), lang.id) == only.end()) continue;
    // 1. Compile alone.
    std::vector<double> compile_ms;
    for (int i = 0; i < 3 && !lang.compile_argv.empty(); ++i) {
      const Clock::time_point t0 = Clock::now();
      auto c = compiler.Compile(lang, lang.self_test_source + Comment(lang, ++run));
      compile_ms.push_back(Ms(Clock::now() - t0));
      if (!c.ok() || !(*c)->ok) {
        return std::fprintf(stderr, "%s: compile failed: %s\n", lang.id.c_str(),
                            c.ok() ? (*c)->message.c_str() : std::string(c.status().message()).c_str()), 1;
      }
    }
    auto reference = judge::ReadTextFile(absl::StrCat(challenges, "/ttl-lru-cache/solutions/reference.",
                                                      lang.source_name.substr(lang.source_name.rfind('.') + 1)));
    std::vector<double> compile_ref_ms;
    for (int i = 0; i < 3 && !lang.compile_argv.empty() && reference.ok(); ++i) {
      const Clock::time_point t0 = Clock::now();
      auto c = compiler.Compile(lang, *reference + Comment(lang, ++run));
      compile_ref_ms.push_back(Ms(Clock::now() - t0));
      if (!c.ok() || !(*c)->ok) {
        return std::fprintf(stderr, "%s: compile failed: %s\n", lang.id.c_str(),
                            c.ok() ? (*c)->message.c_str() : std::string(c.status().message()).c_str()), 1;
      }
    }
    // 2. Submit to verdict for the LRU reference, compile included.
    std::vector<double> submit_ms;
    for (int i = 0; i < 3 && reference.ok(); ++i) {
      judge::v1::Submission out;
      const Clock::time_point t0 = Clock::now();
      absl::Status s = grader.Grade({*lru, lang.id, *reference + Comment(lang, ++run), false, ""},
                                    nullptr, &out);
      submit_ms.push_back(Ms(Clock::now() - t0));
      if (!s.ok() || out.verdict() != judge::v1::VERDICT_ACCEPTED) {
        return std::fprintf(stderr, "%s: the LRU reference was not accepted\n", lang.id.c_str()), 1;
      }
    }
    // 3. The runtime's start: the hello-world program in the sandbox and outside it.
    auto hello = compiler.Compile(lang, lang.self_test_source);
    if (!hello.ok() || !(*hello)->ok) return 1;
    std::vector<double> box_wall, box_cpu, host_wall, host_cpu;
    for (int i = 0; i < 21; ++i) {
      judge::v1::Submission out;
      if (!grader.Grade({hello_challenge, lang.id, lang.self_test_source, true, ""}, nullptr, &out)
               .ok() ||
          out.verdict() != judge::v1::VERDICT_ACCEPTED) {
        return std::fprintf(stderr, "%s: hello failed\n", lang.id.c_str()), 1;
      }
      if (i == 0) continue;  // warm-up
      box_wall.push_back(out.tests(0).wall_ms());
      box_cpu.push_back(out.tests(0).cpu_ms());
      judge::RunContext context;
      context.artifact = (*hello)->artifact_path;
      context.cpu_time_ms = 5000;
      context.memory_bytes = 512ull << 20;
      context.stack_bytes = 64ull << 20;
      double wall = 0, cpu = 0;
      if (!RunOnHost(judge::ExpandPlaceholders(lang, lang.run_argv, context),
                     judge::ExpandPlaceholders(lang, lang.run_env, context), &wall, &cpu)) {
        return std::fprintf(stderr, "%s: hello failed outside the sandbox\n", lang.id.c_str()), 1;
      }
      host_wall.push_back(wall);
      host_cpu.push_back(cpu);
    }
    std::printf("%-11s %8.0f / %7.0f %20.0f %15.1f / %6.1f %17.1f / %6.1f\n", lang.id.c_str(),
                Median(compile_ms), Median(compile_ref_ms), Median(submit_ms), Median(box_wall), Median(box_cpu),
                Median(host_wall), Median(host_cpu));
    std::fflush(stdout);
  }
  std::printf("(milliseconds; in the sandbox, wall and cpu as the judge measures them, whole)\n");
  sb->reset();
  (void)!system(("rm -rf " + root).c_str());
  return 0;
}
