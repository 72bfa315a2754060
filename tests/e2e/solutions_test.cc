// Validation: judges every file under every challenges/<id>/solutions/ and asserts what its
// header declares:
//   -- expect: WRONG_ANSWER          (or # / // comments; the overall verdict)
//   -- fails-on: null-in-blocklist   (optional: the first test that does not pass)
//   // compile-says: solution.py", line 3   (optional: the compiler's output holds this)
// The language comes from the extension, as the language table names its source file
// (.sql, .py, .c, .cc, .java, .js, .ts, .go, .rs).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "judge/core/grader.h"
#include "tests/core/test_judge.h"
#include "tests/e2e/source_header.h"

namespace judge {
namespace {

using judge_test::HeaderValue;
using judge_test::LanguageOf;

struct Solution {
  std::string challenge;
  std::string file;  // name inside solutions/
};

void PrintTo(const Solution& s, std::ostream* os) { *os << s.challenge << "/" << s.file; }

std::vector<Solution> AllSolutions() {
  std::vector<Solution> out;
  std::string root = CHALLENGES_DIR;
  DIR* d = opendir(root.c_str());
  if (!d) return out;
  std::vector<std::string> ids;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ids.push_back(e->d_name);
  }
  closedir(d);
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    std::string dir = root + "/" + id + "/solutions";
    DIR* s = opendir(dir.c_str());
    if (!s) continue;
    std::vector<std::string> files;
    while (dirent* e = readdir(s)) {
      if (e->d_name[0] != '.') files.push_back(e->d_name);
    }
    closedir(s);
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) out.push_back({id, f});
  }
  return out;
}

class SolutionsTest : public ::testing::TestWithParam<Solution> {
 protected:
  static void SetUpTestSuite() {
    judge_ = judge_test::MakeTestJudge("solutions-test", 64).release();
    ASSERT_NE(judge_, nullptr);
    grader_ = judge_->grader.get();
  }
  static void TearDownTestSuite() { delete judge_; }
  static judge_test::TestJudge* judge_;
  static Grader* grader_;
};
judge_test::TestJudge* SolutionsTest::judge_;
Grader* SolutionsTest::grader_;

TEST_P(SolutionsTest, GetsTheVerdictItsHeaderDeclares) {
  const Solution& sol = GetParam();
  auto challenge = LoadChallenge(std::string(CHALLENGES_DIR) + "/" + sol.challenge);
  ASSERT_TRUE(challenge.ok()) << challenge.status();
  std::string path = std::string(CHALLENGES_DIR) + "/" + sol.challenge + "/solutions/" + sol.file;
  auto source = ReadTextFile(path);
  ASSERT_TRUE(source.ok()) << source.status();
  std::string expect = HeaderValue(*source, "expect");
  std::string fails_on = HeaderValue(*source, "fails-on");
  std::string compile_says = HeaderValue(*source, "compile-says");
  ASSERT_FALSE(expect.empty()) << sol.file << " declares no \"expect:\" in its first lines";
  std::string language = LanguageOf(sol.file);
  ASSERT_FALSE(language.empty()) << "unknown extension: " << sol.file;

  judge::v1::Submission out;
  absl::Status s = grader_->Grade({*challenge, language, *source, false, ""}, nullptr, &out);
  ASSERT_TRUE(s.ok()) << s;
  std::string verdict = judge::v1::Verdict_Name(out.verdict()).substr(sizeof("VERDICT_") - 1);
  std::string first_failure;
  for (const auto& t : out.tests()) {
    if (t.verdict() != judge::v1::VERDICT_ACCEPTED) {
      first_failure = t.name();
      break;
    }
  }
  std::string report;
  for (const auto& t : out.tests()) {
    report += "  " + t.name() + ": " + judge::v1::Verdict_Name(t.verdict()) + " " +
              std::to_string(t.cpu_ms()) + " ms " + t.message() + "\n";
  }
  EXPECT_EQ(verdict, expect) << sol.file << "\n" << out.compile_output() << report;
  if (!fails_on.empty()) {
    EXPECT_EQ(first_failure, fails_on) << sol.file << " must fail on its own trap\n" << report;
  }
  if (!compile_says.empty()) {
    EXPECT_NE(out.compile_output().find(compile_says), std::string::npos)
        << sol.file << ": the compiler's output does not say \"" << compile_says << "\":\n"
        << out.compile_output();
  }
  if (expect == "ACCEPTED") {
    EXPECT_EQ(out.score(), out.max_score());
    // Print the reference's times (they go into the statements' notes).
    for (const auto& t : out.tests()) {
      std::printf("%s %s %s: %u ms cpu, %u ms wall, %lu KiB\n", sol.challenge.c_str(),
                  sol.file.c_str(), t.name().c_str(), t.cpu_ms(), t.wall_ms(),
                  static_cast<unsigned long>(t.memory_kib()));
    }
  }
}

// Interviewers are told what a failed test catches: every hidden test of a built-in challenge
// says it in one sentence, except random tests (they catch nothing in particular); a trap about
// speed explains a TIME_LIMIT_EXCEEDED, not a wrong answer.
TEST(ChallengesTest, EveryHiddenTestSaysWhatItCatches) {
  for (const char* id :
       {"sql-null-trap", "ttl-lru-cache", "slow-query-digest", "ttl-lru-cache-class"}) {
    auto ch = LoadChallenge(std::string(CHALLENGES_DIR) + "/" + id);
    ASSERT_TRUE(ch.ok()) << ch.status();
    for (const LoadedTest& t : (*ch)->tests) {
      if (t.sample) continue;
      if (t.name.rfind("random-", 0) == 0) {
        EXPECT_TRUE(t.trap.empty()) << id << "/" << t.name << ": a random test has no trap";
        continue;
      }
      EXPECT_FALSE(t.trap.empty()) << id << "/" << t.name << " has no trap sentence";
      EXPECT_LE(t.trap.size(), 160u) << id << "/" << t.name << ": one sentence";
      const bool about_speed = t.trap.find("slow") != std::string::npos ||
                               t.trap.find("scan") != std::string::npos ||
                               t.trap.find("linear") != std::string::npos;
      const bool explains_tle =
          std::find(t.trap_verdicts.begin(), t.trap_verdicts.end(),
                    judge::v1::VERDICT_TIME_LIMIT_EXCEEDED) != t.trap_verdicts.end();
      EXPECT_EQ(about_speed, explains_tle) << id << "/" << t.name << ": " << t.trap;
    }
  }
}

// A class-form challenge's stub, as the editor shows it, compiles with the harness in every
// language and gets wrong answers on the samples: never a compilation or runtime error, a crash
// or a timeout (a candidate who runs it first sees the harness work).
TEST(ChallengesTest, EveryStubCompilesAndAnswersWrong) {
  auto judge = judge_test::MakeTestJudge("stubs-test", 16);
  ASSERT_NE(judge, nullptr);
  auto ch = LoadChallenge(std::string(CHALLENGES_DIR) + "/ttl-lru-cache-class");
  ASSERT_TRUE(ch.ok()) << ch.status();
  ASSERT_EQ((*ch)->stubs.size(), static_cast<size_t>((*ch)->manifest.languages_size()));
  for (const auto& [language, stub] : (*ch)->stubs) {
    judge::v1::Submission out;
    GradeRequest request{*ch, language, stub, false, ""};
    request.samples_only = true;
    absl::Status s = judge->grader->Grade(request, nullptr, &out);
    ASSERT_TRUE(s.ok()) << language << ": " << s;
    EXPECT_EQ(out.verdict(), judge::v1::VERDICT_WRONG_ANSWER)
        << language << ": " << judge::v1::Verdict_Name(out.verdict()) << "\n"
        << out.compile_output() << out.message();
  }
}

INSTANTIATE_TEST_SUITE_P(Challenges, SolutionsTest, ::testing::ValuesIn(AllSolutions()),
                         [](const ::testing::TestParamInfo<Solution>& info) {
                           std::string name = info.param.challenge + "__" + info.param.file;
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace judge
