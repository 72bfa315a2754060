// Hostile programs in every managed runtime (tests/fixtures/runtimes/): each is compiled and run
// by the real grader, as a candidate's submission would be, and must get the verdict its header
// declares; then the host is checked.
//   // expect: SECURITY_VIOLATION          (alternatives with |)
//   // names: clone|vfork                 (the message names one of these syscalls)
//   // never-prints: LEAK                 (its output must not contain this)
// "{secret}" in a source is replaced by the host path of a file planted next to the judge's data:
// a box must not see it.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "judge/core/grader.h"
#include "tests/core/test_judge.h"
#include "tests/e2e/source_header.h"
#include "tests/sandbox/host_check.h"

namespace judge {
namespace {

using judge_test::HeaderValue;
using judge_test::LanguageOf;

std::vector<std::string> Fixtures() {
  std::vector<std::string> out;
  for (const std::string& f : sandbox_test::DirEntries(RUNTIMES_DIR)) out.push_back(f);
  std::sort(out.begin(), out.end());
  return out;
}

class RuntimeSecurityTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    judge_ = judge_test::MakeTestJudge("runtime-security-test", 64).release();
    ASSERT_NE(judge_, nullptr);
    secret_ = judge_->dir + "/secret-keys";
    std::ofstream(secret_) << "TOPSECRET\n";
    chmod(secret_.c_str(), 0644);  // readable by anyone on the host: only the mounts protect it
  }
  static void TearDownTestSuite() { delete judge_; }

  void TearDown() override {
    const uint32_t first = judge_test::UidBase();
    const uint32_t last = first + 2 * judge_test::kMaxSlots;
    EXPECT_TRUE(sandbox_test::ProcessesWithUids(first, last, /*odd_only=*/true).empty())
        << "a process of the program outlived its run";
    struct stat st {};
    EXPECT_NE(stat("/tmp/libplanted.so", &st), 0) << "a box wrote into the host's /tmp";
    std::ifstream secret(secret_);
    std::string text;
    std::getline(secret, text);
    EXPECT_EQ(text, "TOPSECRET") << "the judge's file was changed";
  }

  static judge_test::TestJudge* judge_;
  static std::string secret_;
};
judge_test::TestJudge* RuntimeSecurityTest::judge_;
std::string RuntimeSecurityTest::secret_;

TEST_P(RuntimeSecurityTest, GetsTheVerdictItsHeaderDeclaresAndTheHostIsUntouched) {
  const std::string file = GetParam();
  absl::StatusOr<std::string> source = ReadTextFile(std::string(RUNTIMES_DIR) + "/" + file);
  ASSERT_TRUE(source.ok()) << source.status();
  const std::string expect = HeaderValue(*source, "expect");
  const std::string names = HeaderValue(*source, "names");
  const std::string never = HeaderValue(*source, "never-prints");
  ASSERT_FALSE(expect.empty()) << file << " declares no \"expect:\"";
  const std::string language = LanguageOf(file);
  ASSERT_FALSE(language.empty()) << "unknown extension: " << file;

  // The limits of the built-in challenges: a few processes of the candidate's own, 256 MiB.
  auto challenge = std::make_shared<LoadedChallenge>();
  challenge->manifest.set_id("hostile");
  judge::v1::Limits* lim = challenge->manifest.mutable_limits();
  lim->set_cpu_time_ms(3000);
  lim->set_wall_time_ms(15000);
  lim->set_memory_kib(256 << 10);
  lim->set_output_kib(64);
  lim->set_processes(4);
  GradeRequest request{challenge, language, absl::StrReplaceAll(*source, {{"{secret}", secret_}}),
                       true, ""};
  judge::v1::Submission out;
  absl::Status s = judge_->grader->Grade(request, nullptr, &out);
  ASSERT_TRUE(s.ok()) << s;
  const std::string verdict = judge::v1::Verdict_Name(out.verdict()).substr(sizeof("VERDICT_") - 1);
  const std::string what = "\n" + file + ": " + verdict + " " + out.message() + "\ncompile: " +
                           out.compile_output() + "\nstdout: " + out.custom_stdout().substr(0, 500) +
                           "\nstderr: " + out.custom_stderr().substr(0, 500);
  std::printf("%s: %s %s\n", file.c_str(), verdict.c_str(), out.message().c_str());
  std::vector<std::string> allowed = absl::StrSplit(expect, '|');
  EXPECT_NE(std::find(allowed.begin(), allowed.end(), verdict), allowed.end()) << what;
  if (!names.empty() && verdict == "SECURITY_VIOLATION") {
    bool named = false;
    for (absl::string_view call : absl::StrSplit(names, '|')) {
      named |= out.message().find(std::string(call)) != std::string::npos;
    }
    EXPECT_TRUE(named) << "the message names none of " << names << what;
  }
  if (!never.empty()) {
    EXPECT_EQ(out.custom_stdout().find(never), std::string::npos) << what;
    EXPECT_EQ(out.custom_stderr().find(never), std::string::npos) << what;
  }
  EXPECT_EQ(out.custom_stdout().find("TOPSECRET"), std::string::npos) << what;
}

INSTANTIATE_TEST_SUITE_P(Runtimes, RuntimeSecurityTest, ::testing::ValuesIn(Fixtures()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace judge
