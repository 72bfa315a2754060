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
// The class form: a harness per offered language, its files and stub inside the challenge, the
// candidate's file a plain name apart from the harness's; each error names the field.
TEST_F(LoaderTest, ClassFormHarnessesAreCheckedAndMakeTheLanguageVariant) {
  mkdir((dir_ + "/harness").c_str(), 0755);
  Write("harness/main.cc", "#include \"solution.cc\"\nint main() {}\n");
  Write("harness/main.py", "import solution\n");
  Write("harness/stub.cc", "class TtlLruCache {};\n");
  Write("harness/stub.py", "class TtlLruCache:\n    pass\n");
  const std::string cpp =
      "harnesses { language: \"cpp\" source_name: \"solution.cc\" files: \"harness/main.cc\" "
      "compile_argv: \"/usr/bin/g++\" compile_argv: \"main.cc\" stub: \"harness/stub.cc\" }\n";
  const std::string py =
      "harnesses { language: \"python3\" source_name: \"solution.py\" files: \"harness/main.py\" "
      "artifact: \"out/\" run_argv: \"/usr/bin/python3\" run_argv: \"{artifact}/main.py\" "
      "stub: \"harness/stub.py\" }\n";
  Write("challenge.textproto", Manifest("input: \"tests/1.in\" answer: \"tests/1.ans\"", cpp + py));
  auto ch = LoadChallenge(dir_);
  ASSERT_TRUE(ch.ok()) << ch.status();
  const Language* l = (*ch)->LanguageFor("cpp");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->source_name, "solution.cc");
  ASSERT_EQ(l->extra_files.size(), 1u);
  EXPECT_EQ(l->extra_files[0].first, "main.cc");
  EXPECT_EQ(l->compile_argv, (std::vector<std::string>{"/usr/bin/g++", "main.cc"}));
  EXPECT_EQ(l->run_argv, FindLanguage("cpp")->run_argv);  // not given: the language's
  EXPECT_EQ((*ch)->LanguageFor("python3")->artifact, "out/");
  EXPECT_EQ((*ch)->LanguageFor("python3")->compile_argv, FindLanguage("python3")->compile_argv);
  EXPECT_EQ((*ch)->stubs.at("python3"), "class TtlLruCache:\n    pass\n");
  EXPECT_EQ((*ch)->LanguageFor("java"), FindLanguage("java"));  // not offered: the table's

  auto error = [&](const std::string& harnesses) {
    absl::Status s = Load(Manifest("input: \"tests/1.in\" answer: \"tests/1.ans\"", harnesses));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << harnesses;
    return std::string(s.message());
  };
  EXPECT_NE(error(cpp).find("harnesses: language python3 has no harness"), std::string::npos);
  EXPECT_NE(error(cpp + py + "harnesses { language: \"java\" source_name: \"A.java\" stub: "
                          "\"harness/stub.py\" }\n")
                .find("harnesses[2].language: \"java\" is not one of the challenge's languages"),
            std::string::npos);
  EXPECT_NE(error(cpp + py + cpp).find("harnesses[2].language: cpp has two harnesses"),
            std::string::npos);
  std::string bad_name = py;
  bad_name.replace(bad_name.find("solution.py"), 11, "../x.py");
  EXPECT_NE(error(cpp + bad_name).find("harnesses[1].source_name: must be a plain file name"),
            std::string::npos);
  std::string clash = py;
  clash.replace(clash.find("solution.py"), 11, "main.py");
  EXPECT_NE(error(cpp + clash).find("a second file named main.py"), std::string::npos);
  std::string no_stub = py;
  no_stub.replace(no_stub.find("stub: \"harness/stub.py\""), 24, "");
  EXPECT_NE(error(cpp + no_stub).find("harnesses[1].stub: is required"), std::string::npos);
  std::string missing = py;
  missing.replace(missing.find("harness/main.py"), 15, "harness/nope.py");
  EXPECT_NE(error(cpp + missing).find("harnesses[1].files[0]: harness/nope.py"), std::string::npos);
}

}  // namespace judge
