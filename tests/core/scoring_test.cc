// A scoring problem's folders aggregate their tests and subfolders as their grading nodes say:
// each grader flag, range, on_reject, and the most points there are.
#include "judge/core/scoring.h"

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace judge {
namespace {

using judge::v1::Verdict;
constexpr Verdict kAC = judge::v1::VERDICT_ACCEPTED;
constexpr Verdict kWA = judge::v1::VERDICT_WRONG_ANSWER;
constexpr Verdict kTLE = judge::v1::VERDICT_TIME_LIMIT_EXCEEDED;
constexpr Verdict kRTE = judge::v1::VERDICT_RUNTIME_ERROR;

// data/sample/1, data/secret/a/{1,2}, data/secret/b/1.
class ScoringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ch_.manifest.set_scoring(true);
    for (const char* name : {"sample/1", "secret/a/1", "secret/a/2", "secret/b/1"}) {
      LoadedTest t;
      t.name = name;
      ch_.tests.push_back(t);
    }
  }
  judge::v1::GradingNode* Node(const std::string& path, std::vector<std::string> flags = {}) {
    judge::v1::GradingNode* n = ch_.manifest.add_grading();
    n->set_path(path);
    n->set_accept_score(1);
    for (const std::string& f : flags) n->add_flags(f);
    return n;
  }
  // Each test's verdict and points (accept_score on AC, else 0); tests left out did not run.
  judge::v1::Submission Score(const std::map<std::string, std::pair<Verdict, double>>& results) {
    judge::v1::Submission s;
    for (const LoadedTest& t : ch_.tests) {
      auto it = results.find(t.name);
      if (it == results.end()) continue;
      judge::v1::TestResult* r = s.add_tests();
      r->set_name(t.name);
      r->set_verdict(it->second.first);
      r->set_points(it->second.second);
    }
    ScoreByGrading(ch_, &s);
    return s;
  }
  LoadedChallenge ch_;
};

const std::map<std::string, std::pair<Verdict, double>> kAllPass = {{"sample/1", {kAC, 1}},
                                                                    {"secret/a/1", {kAC, 1}},
                                                                    {"secret/a/2", {kAC, 1}},
                                                                    {"secret/b/1", {kAC, 1}}};

TEST_F(ScoringTest, DefaultsSumAndFirstErrorAndBreakOnReject) {
  judge::v1::Submission all = Score(kAllPass);
  EXPECT_EQ(all.verdict(), kAC);
  EXPECT_EQ(all.points(), 4);
  EXPECT_EQ(all.max_points(), 4);
  EXPECT_EQ(all.score(), 4u);
  EXPECT_EQ(all.max_score(), 4u);
  // secret/a/1 rejected: a stops there, secret stops after a, data keeps the sample's point.
  auto results = kAllPass;
  results["secret/a/1"] = {kWA, 0};
  judge::v1::Submission s = Score(results);
  EXPECT_EQ(s.verdict(), kWA);
  EXPECT_EQ(s.points(), 1);
}

TEST_F(ScoringTest, ContinueOnRejectCountsTheRest) {
  Node("")->set_continue_on_reject(true);
  Node("secret")->set_continue_on_reject(true);
  Node("secret/a")->set_continue_on_reject(true);
  auto results = kAllPass;
  results["secret/a/1"] = {kWA, 0};
  judge::v1::Submission s = Score(results);
  EXPECT_EQ(s.verdict(), kWA);
  EXPECT_EQ(s.points(), 3);
}

TEST_F(ScoringTest, EachScoreMode) {
  // secret's children: folder a (sum of a validator's 0.5 and 0.5: 1) and folder b (4.5).
  for (const auto& [flag, want] : std::vector<std::pair<std::string, double>>{
           {"sum", 5.5}, {"avg", 2.75}, {"min", 1}, {"max", 4.5}}) {
    ch_.manifest.clear_grading();
    Node("", {"ignore_sample"});
    Node("secret", {flag})->set_continue_on_reject(true);
    Node("secret/a", {"sum"});
    judge::v1::Submission s = Score({{"sample/1", {kAC, 100}},
                                     {"secret/a/1", {kAC, 0.5}},
                                     {"secret/a/2", {kAC, 0.5}},
                                     {"secret/b/1", {kAC, 4.5}}});
    EXPECT_DOUBLE_EQ(s.points(), want) << flag;
    EXPECT_EQ(s.verdict(), kAC) << flag;
  }
}

TEST_F(ScoringTest, EachVerdictMode) {
  // secret's children: a (WA, then AC) and b (TLE); the judge's order puts TLE above WA.
  const std::map<std::string, std::pair<Verdict, double>> results = {{"sample/1", {kAC, 1}},
                                                                     {"secret/a/1", {kWA, 0}},
                                                                     {"secret/a/2", {kAC, 1}},
                                                                     {"secret/b/1", {kTLE, 0}}};
  for (const auto& [flag, want] :
       std::vector<std::pair<std::string, Verdict>>{{"first_error", kWA},
                                                    {"worst_error", kTLE},
                                                    {"always_accept", kAC},
                                                    {"accept_if_any_accepted", kAC}}) {
    ch_.manifest.clear_grading();
    Node("", {flag, "ignore_sample"})->set_continue_on_reject(true);
    Node("secret", {flag})->set_continue_on_reject(true);
    Node("secret/a", {flag})->set_continue_on_reject(true);
    EXPECT_EQ(Score(results).verdict(), want) << flag;
  }
  // accept_if_any_accepted needs one accepted child: none is WRONG_ANSWER (first error).
  ch_.manifest.clear_grading();
  Node("", {"accept_if_any_accepted", "ignore_sample"})->set_continue_on_reject(true);
  Node("secret", {"accept_if_any_accepted"})->set_continue_on_reject(true);
  Node("secret/a", {"accept_if_any_accepted"})->set_continue_on_reject(true);
  EXPECT_EQ(Score({{"sample/1", {kAC, 1}},
                   {"secret/a/1", {kRTE, 0}},
                   {"secret/a/2", {kWA, 0}},
                   {"secret/b/1", {kTLE, 0}}})
                .verdict(),
            kRTE);
}

TEST_F(ScoringTest, IgnoreSampleAndRange) {
  Node("", {"ignore_sample"});
  judge::v1::GradingNode* secret = Node("secret");
  secret->set_has_range(true);
  secret->set_range_low(0);
  secret->set_range_high(2);
  judge::v1::Submission s = Score(kAllPass);
  EXPECT_EQ(s.points(), 2);  // 3 clamped to 2; the sample's point ignored
  EXPECT_EQ(s.max_points(), 2);
}

TEST_F(ScoringTest, TestsThatDidNotRunCountForNothing) {
  judge::v1::Submission s = Score({{"sample/1", {kAC, 1}}, {"secret/a/1", {kAC, 1}}});
  EXPECT_EQ(s.points(), 2);
  EXPECT_EQ(s.max_points(), 4);
  EXPECT_EQ(s.verdict(), kAC);
}

TEST_F(ScoringTest, FolderOfATest) {
  EXPECT_EQ(GradingFolder("secret/a/1"), "secret/a");
  EXPECT_EQ(GradingFolder("lonely"), "");
  judge::v1::GradingNode d = GradingNodeFor(ch_.manifest, "nowhere");
  EXPECT_EQ(d.accept_score(), 1);
  EXPECT_EQ(d.reject_score(), 0);
  EXPECT_FALSE(d.continue_on_reject());
}

}  // namespace
}  // namespace judge
