// The challenge loader rejects bad manifests with the file, the field and the reason.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "judge/core/challenge.h"

namespace judge {
namespace {

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/loader-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/demo";
    mkdir(dir_.c_str(), 0755);
    mkdir((dir_ + "/tests").c_str(), 0755);
    Write("statement.md", "# Demo\n");
    Write("tests/1.in", "1 2\n");
    Write("tests/1.ans", "3\n");
    Write("outside.txt", "x");
  }
  void TearDown() override { (void)!system(("rm -rf " + root_).c_str()); }
  void Write(const std::string& rel, const std::string& data) {
    std::ofstream(dir_ + "/" + rel) << data;
  }
  std::string Manifest(const std::string& override_test = "input: \"tests/1.in\" answer: \"tests/1.ans\"",
                       const std::string& extra = "") {
    return "id: \"demo\" title: \"Demo\" languages: \"cpp\" languages: \"python3\"\n"
           "limits { cpu_time_ms: 1000 memory_kib: 65536 output_kib: 64 }\n"
           "checker { kind: CHECKER_KIND_EXACT }\n" + extra +
           "groups { name: \"all\" points: 100 tests { name: \"t1\" " + override_test + " } }\n";
  }
  absl::Status Load(const std::string& manifest) {
    Write("challenge.textproto", manifest);
    return LoadChallenge(dir_).status();
  }
  std::string root_, dir_;
};

TEST_F(LoaderTest, AcceptsAValidChallenge) {
  Write("challenge.textproto", Manifest());
  auto ch = LoadChallenge(dir_);
  ASSERT_TRUE(ch.ok()) << ch.status();
  EXPECT_EQ((*ch)->tests.size(), 1u);
  EXPECT_EQ((*ch)->max_score, 100u);
  EXPECT_EQ((*ch)->tests[0].group, "all");
  EXPECT_DOUBLE_EQ((*ch)->TimeMultiplier("python3"), 3.0);
}

TEST_F(LoaderTest, RejectsAbsolutePaths) {
  absl::Status s = Load(Manifest("input: \"/etc/passwd\" answer: \"tests/1.ans\""));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("groups[0].tests[0].input: absolute path not allowed"), std::string::npos)
      << s;
  EXPECT_NE(s.message().find("challenge.textproto"), std::string::npos);
}

TEST_F(LoaderTest, RejectsDotDot) {
  absl::Status s = Load(Manifest("input: \"tests/../../x\" answer: \"tests/1.ans\""));
  EXPECT_NE(s.message().find("\"..\" not allowed"), std::string::npos) << s;
}

TEST_F(LoaderTest, RejectsLinksLeavingTheDirectory) {
  ASSERT_EQ(symlink("/etc/hostname", (dir_ + "/tests/link.in").c_str()), 0);
  absl::Status s = Load(Manifest("input: \"tests/link.in\" answer: \"tests/1.ans\""));
  EXPECT_NE(s.message().find("is a link leaving the challenge directory"), std::string::npos) << s;
}

TEST_F(LoaderTest, RejectsMissingFilesUnknownLanguagesAndBadFields) {
  EXPECT_NE(Load(Manifest("input: \"tests/none.in\" answer: \"tests/1.ans\"")).message().find(
                "groups[0].tests[0].input: tests/none.in: No such file"),
            std::string::npos);
  std::string m = Manifest();
  m.replace(m.find("\"python3\""), 9, "\"cobol\"");
  EXPECT_NE(Load(m).message().find("languages[1]: unknown language \"cobol\""), std::string::npos);
  m = Manifest();
  m.replace(m.find("cpu_time_ms: 1000"), 17, "cpu_time_ms: 0");
  EXPECT_NE(Load(m).message().find("limits.cpu_time_ms"), std::string::npos);
  m = Manifest();
  m.replace(m.find("id: \"demo\""), 10, "id: \"other\"");
  EXPECT_NE(Load(m).message().find("differs from the directory"), std::string::npos);
  EXPECT_NE(Load("id: \"demo\" nonsense: 1").message().find("line 1"), std::string::npos);
  m = Manifest();
  m.replace(m.find("CHECKER_KIND_EXACT"), 18, "CHECKER_KIND_SQL_RESULT");
  EXPECT_NE(Load(m).message().find("sql_result needs language sql"), std::string::npos);
}

TEST_F(LoaderTest, RejectsDuplicateTestNames) {
  std::string m = Manifest();
  m.replace(m.find("} }"), 3,
            "} tests { name: \"t1\" input: \"tests/1.in\" answer: \"tests/1.ans\" } }");
  EXPECT_NE(Load(m).message().find("duplicate test t1"), std::string::npos);
}

TEST_F(LoaderTest, LoadChallengesFailsOnOneBadChallenge) {
  Write("challenge.textproto", Manifest("input: \"/abs\" answer: \"tests/1.ans\""));
  auto all = LoadChallenges(root_);
  EXPECT_FALSE(all.ok());
}

}  // namespace
}  // namespace judge

namespace judge {
namespace {

TEST_F(LoaderTest, HiddenTestsAndGroupsGetAliasesForCandidates) {
  Write("challenge.textproto",
        "id: \"demo\" title: \"Demo\" languages: \"cpp\"\n"
        "limits { cpu_time_ms: 1000 memory_kib: 65536 output_kib: 64 }\n"
        "checker { kind: CHECKER_KIND_EXACT }\n"
        "groups { name: \"samples\" tests { name: \"s\" input: \"tests/1.in\" answer: \"tests/1.ans\" "
        "sample: true } }\n"
        "groups { name: \"expiry-trap\" points: 50 tests { name: \"boundary\" input: \"tests/1.in\" "
        "answer: \"tests/1.ans\" } tests { name: \"deadline\" input: \"tests/1.in\" answer: "
        "\"tests/1.ans\" } }\n");
  auto ch = LoadChallenge(dir_);
  ASSERT_TRUE(ch.ok()) << ch.status();
  const auto& names = (*ch)->candidate_names;
  EXPECT_EQ(names.at("boundary"), "hidden-1");
  EXPECT_EQ(names.at("deadline"), "hidden-2");
  EXPECT_EQ(names.at("expiry-trap"), "hidden-group-1");
  EXPECT_EQ(names.count("s"), 0u);
  EXPECT_EQ(names.count("samples"), 0u);

  judge::v1::Submission sub;
  judge::v1::TestResult* t = sub.add_tests();
  t->set_name("deadline");
  t->set_group("expiry-trap");
  t->set_message("expected 1, got 2");
  sub.set_message("test deadline: blocked syscall socket");
  HideTestNames(**ch, &sub);
  EXPECT_EQ(sub.tests(0).name(), "hidden-2");
  EXPECT_EQ(sub.tests(0).group(), "hidden-group-1");
  EXPECT_EQ(sub.tests(0).message(), "");
  EXPECT_EQ(sub.message(), "test hidden-2: blocked syscall socket");
}

TEST_F(LoaderTest, AChallengeMayShowHiddenTestNames) {
  Write("challenge.textproto", Manifest("input: \"tests/1.in\" answer: \"tests/1.ans\"",
                                        "show_hidden_test_names: true\n"));
  auto ch = LoadChallenge(dir_);
  ASSERT_TRUE(ch.ok()) << ch.status();
  EXPECT_TRUE((*ch)->candidate_names.empty());
}

}  // namespace
}  // namespace judge
