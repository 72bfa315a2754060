// Judge-core figures:
//  1. Grading a C++ submission with 20 small tests: the judge's overhead per test beyond the
//     programs' own runs (wall time the sandbox measured), median of several gradings.
//  2. A resubmission of identical source skips the compiler: its judging time next to the first.
//  3. (by hand) sql-runner on the 20,000-customer fixture: build/bin/sql-runner --timing ...
//     see bench/README.md.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "judge/core/grader.h"

namespace {

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const char* sql_runner = argc > 1 ? argv[1] : "build/bin/sql-runner";
  char tmpl[] = "/tmp/grader-bench-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  chmod(tmpl, 0711);
  std::string root = tmpl, dir = root + "/sum";
  mkdir(dir.c_str(), 0755);
  mkdir((dir + "/tests").c_str(), 0755);
  std::ofstream(dir + "/statement.md") << "sum\n";
  std::string manifest =
      "id: \"sum\" title: \"Sum\" languages: \"cpp\"\n"
      "limits { cpu_time_ms: 1000 memory_kib: 262144 output_kib: 64 }\n"
      "checker { kind: CHECKER_KIND_EXACT }\ngroups { name: \"all\" points: 100\n";
  for (int i = 0; i < 20; ++i) {
    std::ofstream(dir + "/tests/" + std::to_string(i) + ".in") << i << " " << 2 * i << "\n";
    std::ofstream(dir + "/tests/" + std::to_string(i) + ".ans") << 3 * i << "\n";
    manifest += "tests { name: \"t" + std::to_string(i) + "\" input: \"tests/" + std::to_string(i) +
                ".in\" answer: \"tests/" + std::to_string(i) + ".ans\" }\n";
  }
  manifest += "}\n";
  std::ofstream(dir + "/challenge.textproto") << manifest;
  auto ch = judge::LoadChallenge(dir);
  if (!ch.ok()) return std::fprintf(stderr, "%s\n", std::string(ch.status().message()).c_str()), 1;
  sandbox::SandboxOptions options;
  options.runtime_dir = root + "/run";
  options.slots = 2;
  options.prespawn = 1;  // as judged with one worker
  auto sb = sandbox::Sandbox::Create(options);
  if (!sb.ok()) return std::fprintf(stderr, "%s\n", std::string(sb.status().message()).c_str()), 1;
  judge::Compiler compiler(sb->get(), root + "/cache", 64);
  if (!compiler.Init().ok()) return 1;
  judge::Grader grader(sb->get(), &compiler, judge::GraderOptions{sql_runner});
  const std::string source =
      "#include <cstdio>\nint main(){long long a,b;if(scanf(\"%lld %lld\",&a,&b)!=2)return 1;"
      "printf(\"%lld\\n\",a+b);}\n";

  auto grade = [&](const std::string& src, double* tests_wall_ms) {
    judge::v1::Submission out;
    auto t0 = std::chrono::steady_clock::now();
    absl::Status s = grader.Grade({*ch, "cpp", src, false, ""}, nullptr, &out);
    double total = Ms(std::chrono::steady_clock::now() - t0);
    if (!s.ok() || out.verdict() != judge::v1::VERDICT_ACCEPTED) {
      std::fprintf(stderr, "grading failed\n");
      std::exit(1);
    }
    double wall = 0;
    for (const auto& t : out.tests()) wall += t.wall_ms();
    if (tests_wall_ms) *tests_wall_ms = wall;
    return total;
  };

  // 2. First grading (compiles) and an identical resubmission (cache hit).
  double first = grade(source, nullptr);
  double again = grade(source, nullptr);
  std::printf("first submission (compile + 20 tests): %.0f ms; identical resubmission: %.0f ms "
              "(compiler runs: %llu)\n",
              first, again, static_cast<unsigned long long>(compiler.compilations()));

  // 1. Overhead per test: whole grading minus the runs' own wall time, per test.
  std::vector<double> per_test, per_run;
  for (int rep = 0; rep < 15; ++rep) {
    double wall = 0;
    double total = grade(source, &wall);
    per_test.push_back((total - wall) / 20);
    per_run.push_back(total / 20);
  }
  std::printf("grading 20 tests (cached binary), median of 15: %.2f ms per test in all, of which "
              "%.2f ms per test outside the runs' measured wall time\n",
              Median(per_run), Median(per_test));
  std::string cmd = "rm -rf " + root;
  (void)!system(cmd.c_str());
  return 0;
}
