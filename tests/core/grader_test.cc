// The grader end to end through the real sandbox, on a small challenge made in a temp dir:
// every verdict, scores by group, what hidden tests reveal, progress events, the compile cache,
// the program checker and custom stdin.
#include "judge/core/grader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tests/core/test_judge.h"

namespace judge {
namespace {

using judge::v1::Verdict;

class GraderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(judge_test::MakeTempDir("grader-challenges"));
    ASSERT_FALSE(root_->empty());
    std::string dir = *root_ + "/sum";
    mkdir(dir.c_str(), 0755);
    mkdir((dir + "/tests").c_str(), 0755);
    auto write = [&](const std::string& rel, const std::string& data) {
      std::ofstream(dir + "/" + rel) << data;
    };
    write("statement.md", "Print a + b.\n");
    write("tests/s.in", "1 2\n");
    write("tests/s.ans", "3\n");
    write("tests/h1.in", "10 20\n");
    write("tests/h1.ans", "30\n");
    write("tests/h2.in", "-5 5\n");
    write("tests/h2.ans", "0\n");
    // A testlib-style checker: accepts any output equal to the answer as integers.
    write("check.cc",
          "#include <fstream>\nint main(int, char** v){std::ifstream o(v[2]), a(v[3]);"
          "long long x, y; if(!(o >> x) || !(a >> y) || x != y){return 1;} return 0;}\n");
    const std::string sum_text =
        "id: \"sum\" title: \"Sum\" languages: \"cpp\" languages: \"python3\" languages: \"c\"\n"
        "languages: \"java\" languages: \"javascript\" languages: \"typescript\"\n"
        "languages: \"go\" languages: \"rust\"\n"
        "limits { cpu_time_ms: 1000 memory_kib: 131072 output_kib: 64 }\n"
        "checker { kind: CHECKER_KIND_EXACT }\n"
        "groups { name: \"samples\" points: 0 tests { name: \"sample\" input: \"tests/s.in\" "
        "answer: \"tests/s.ans\" sample: true } }\n"
        "groups { name: \"main\" points: 60 tests { name: \"h1\" input: \"tests/h1.in\" answer: "
        "\"tests/h1.ans\" trap: \"adds\" } }\n"
        "groups { name: \"negative\" points: 40 tests { name: \"neg\" input: \"tests/h2.in\" "
        "answer: \"tests/h2.ans\" trap: \"slow on negatives\" "
        "trap_verdicts: \"TIME_LIMIT_EXCEEDED\" } }\n";
    write("challenge.textproto", sum_text);
    auto ch = LoadChallenge(dir);
    ASSERT_TRUE(ch.ok()) << ch.status();
    challenge_ = new std::shared_ptr<const LoadedChallenge>(*ch);
    // The same challenge with the program checker.
    std::string dir2 = *root_ + "/sumchk";
    ASSERT_EQ(system(("cp -r " + dir + " " + dir2).c_str()), 0);
    std::ofstream(dir2 + "/challenge.textproto")
        << "id: \"sumchk\" title: \"Sum\" languages: \"cpp\"\n"
           "limits { cpu_time_ms: 1000 memory_kib: 131072 output_kib: 64 }\n"
           "checker { kind: CHECKER_KIND_PROGRAM program: \"check.cc\" }\n"
           "groups { name: \"all\" points: 100 tests { name: \"sample\" input: \"tests/s.in\" "
           "answer: \"tests/s.ans\" sample: true } tests { name: \"h1\" input: \"tests/h1.in\" "
           "answer: \"tests/h1.ans\" } }\n";
    auto ch2 = LoadChallenge(dir2);
    ASSERT_TRUE(ch2.ok()) << ch2.status();
    checked_ = new std::shared_ptr<const LoadedChallenge>(*ch2);
    // The same challenge with time to spare: a program over the memory limit must reach it
    // before any time limit. Touching the 200 MiB the box allows (the limit, /tmp's share and
    // the runtime's slack) takes 0.7 s of CPU on a VM whose page faults are slow, close to
    // the 1 s limit above under load.
    std::string dir3 = *root_ + "/sumroomy";
    ASSERT_EQ(system(("cp -r " + dir + " " + dir3).c_str()), 0);
    std::ofstream(dir3 + "/challenge.textproto")
        << absl::StrReplaceAll(sum_text, {{"cpu_time_ms: 1000", "cpu_time_ms: 5000"},
                                          {"id: \"sum\"", "id: \"sumroomy\""}});
    auto ch3 = LoadChallenge(dir3);
    ASSERT_TRUE(ch3.ok()) << ch3.status();
    ASSERT_EQ((*ch3)->manifest.limits().cpu_time_ms(), 5000u);
    roomy_ = new std::shared_ptr<const LoadedChallenge>(*ch3);

    judge_ = judge_test::MakeTestJudge("grader-test", 4).release();
    ASSERT_NE(judge_, nullptr);
    compiler_ = judge_->compiler.get();
    grader_ = judge_->grader.get();
  }
  static void TearDownTestSuite() {
    delete judge_;
    delete challenge_;
    delete checked_;
    delete roomy_;
    judge_test::RemoveTree(*root_);
    delete root_;
  }

  judge::v1::Submission Grade(const std::string& lang, const std::string& source,
                              std::vector<judge::v1::SubmissionEvent>* events = nullptr,
                              const std::shared_ptr<const LoadedChallenge>* ch = nullptr) {
    GradeRequest req{ch ? *ch : *challenge_, lang, source, false, ""};
    judge::v1::Submission out;
    absl::Status s = grader_->Grade(
        req,
        [&](const judge::v1::SubmissionEvent& e) {
          if (events) events->push_back(e);
        },
        &out);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  // One run on a custom input (RunLive), for verdicts that need no test loop.
  judge::v1::Submission RunOnce(const std::string& lang, const std::string& source,
                                const std::shared_ptr<const LoadedChallenge>* ch = nullptr) {
    GradeRequest req{ch ? *ch : *challenge_, lang, source, true, "1 2\n"};
    judge::v1::Submission out;
    absl::Status s = grader_->Grade(req, nullptr, &out);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  static std::string* root_;
  static std::shared_ptr<const LoadedChallenge>* challenge_;
  static std::shared_ptr<const LoadedChallenge>* checked_;
  static std::shared_ptr<const LoadedChallenge>* roomy_;
  static judge_test::TestJudge* judge_;
  static Compiler* compiler_;
  static Grader* grader_;
};
std::string* GraderTest::root_;
std::shared_ptr<const LoadedChallenge>* GraderTest::challenge_;
std::shared_ptr<const LoadedChallenge>* GraderTest::checked_;
std::shared_ptr<const LoadedChallenge>* GraderTest::roomy_;
judge_test::TestJudge* GraderTest::judge_;
Compiler* GraderTest::compiler_;
Grader* GraderTest::grader_;

constexpr const char* kGoodCpp =
    "#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<\"\\n\";}\n";

TEST_F(GraderTest, AcceptedScoresEveryGroupAndStreamsProgress) {
  std::vector<judge::v1::SubmissionEvent> events;
  judge::v1::Submission s = Grade("cpp", kGoodCpp, &events);
  EXPECT_EQ(s.verdict(), judge::v1::VERDICT_ACCEPTED);
  EXPECT_EQ(s.score(), 100u);
  EXPECT_EQ(s.max_score(), 100u);
  ASSERT_EQ(s.tests_size(), 3);
  EXPECT_EQ(s.tests(0).name(), "sample");
  EXPECT_TRUE(s.tests(0).sample());
  ASSERT_EQ(events.size(), 4u);  // compiling + one per test
  EXPECT_EQ(events[0].state(), judge::v1::SUBMISSION_STATE_COMPILING);
  EXPECT_EQ(events[3].test().index(), 3u);
  EXPECT_EQ(events[3].tests_total(), 3u);
}

TEST_F(GraderTest, WrongAnswerShowsADiffOnSamplesOnly) {
  judge::v1::Submission s = Grade("python3", "a, b = map(int, input().split())\nprint(a * b)\n");
  EXPECT_EQ(s.verdict(), judge::v1::VERDICT_WRONG_ANSWER);
  EXPECT_EQ(s.tests(0).verdict(), judge::v1::VERDICT_WRONG_ANSWER);
  EXPECT_EQ(s.tests(0).message(), "line 1: expected \"3\", got \"2\"");
  EXPECT_EQ(s.tests(1).verdict(), judge::v1::VERDICT_WRONG_ANSWER);
  EXPECT_EQ(s.tests(1).message(), "");  // hidden: nothing of the output or answer
  EXPECT_EQ(s.tests(2).verdict(), judge::v1::VERDICT_WRONG_ANSWER);  // -5 * 5 != 0
  EXPECT_EQ(s.score(), 0u);
  // Interviewers get the beginning of a failed hidden test's input, answer and output.
  EXPECT_EQ(s.tests(1).detail().input(), "10 20\n");
  EXPECT_EQ(s.tests(1).detail().expected(), "30\n");
  EXPECT_EQ(s.tests(1).detail().output(), "200\n");
  EXPECT_FALSE(s.tests(0).has_detail());  // a sample shows its diff in the message instead
  // A trap only beside the verdicts it explains: h1's (a wrong answer) yes, neg's (a timing
  // trap) not beside a wrong answer.
  EXPECT_EQ(s.tests(1).trap(), "adds");
  EXPECT_EQ(s.tests(2).trap(), "");
  judge::v1::Submission slow =
      Grade("python3", "a, b = map(int, input().split())\nwhile a < 0: pass\nprint(a + b)\n");
  EXPECT_EQ(slow.tests(2).verdict(), judge::v1::VERDICT_TIME_LIMIT_EXCEEDED);
  EXPECT_EQ(slow.tests(2).trap(), "slow on negatives");
  judge::v1::Submission crash = Grade("python3", "raise SystemExit(3)\n");
  EXPECT_EQ(crash.tests(1).verdict(), judge::v1::VERDICT_RUNTIME_ERROR);
  EXPECT_EQ(crash.tests(1).trap(), "");  // a crash is not what the trap is about
}

TEST_F(GraderTest, SamplesOnlyRunsTheSamplesAndScoresNothing) {
  GradeRequest req{*challenge_, "cpp", kGoodCpp, false, "", true};
  judge::v1::Submission out;
  std::vector<judge::v1::SubmissionEvent> events;
  ASSERT_TRUE(grader_
                  ->Grade(
                      req, [&](const judge::v1::SubmissionEvent& e) { events.push_back(e); }, &out)
                  .ok());
  EXPECT_EQ(out.verdict(), judge::v1::VERDICT_ACCEPTED);
  ASSERT_EQ(out.tests_size(), 1);
  EXPECT_TRUE(out.tests(0).sample());
  EXPECT_EQ(out.max_score(), 0u);
  EXPECT_EQ(events.back().tests_total(), 1u);
}

TEST_F(GraderTest, AStopEndsTheRunInProgressAsCancelled) {
  std::atomic<bool> stop{false};
  GradeRequest req{*challenge_, "c", "int main(void){for(;;);}\n", false, ""};
  req.stop = &stop;
  judge::v1::Submission out;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(grader_
                  ->Grade(
                      req,
                      [&](const judge::v1::SubmissionEvent& e) {
                        // Stopped as soon as it compiled: the spin must not run its
                        // 1 s limit on every test.
                        if (e.state() == judge::v1::SUBMISSION_STATE_COMPILING) stop = true;
                      },
                      &out)
                  .ok());
  EXPECT_EQ(out.verdict(), judge::v1::VERDICT_CANCELLED);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  // And one stopped while it runs.
  std::atomic<bool> later{false};
  req.stop = &later;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    later = true;
  });
  judge::v1::Submission mid;
  ASSERT_TRUE(grader_->Grade(req, nullptr, &mid).ok());
  stopper.join();
  EXPECT_EQ(mid.verdict(), judge::v1::VERDICT_CANCELLED);
}

TEST_F(GraderTest, ScoreCountsOnlyFullyPassedGroups) {
  // Right except for negative numbers: the "negative" group fails.
  judge::v1::Submission s =
      Grade("python3", "a, b = map(int, input().split())\nprint(a + b if a >= 0 else 1)\n");
  EXPECT_EQ(s.verdict(), judge::v1::VERDICT_WRONG_ANSWER);
  EXPECT_EQ(s.score(), 60u);
}

TEST_F(GraderTest, CompilationErrorCarriesTheCompilerMessageWithoutHostPaths) {
  judge::v1::Submission s = Grade("cpp", "int main() { return x; }\n");
  EXPECT_EQ(s.verdict(), judge::v1::VERDICT_COMPILATION_ERROR);
  EXPECT_NE(s.compile_output().find("main.cc:1:21: error:"), std::string::npos)
      << s.compile_output();
  EXPECT_EQ(s.compile_output().find(*root_), std::string::npos);
  EXPECT_EQ(s.tests_size(), 0);
  judge::v1::Submission p = Grade("python3", "def f(:\n  pass\n");
  EXPECT_EQ(p.verdict(), judge::v1::VERDICT_COMPILATION_ERROR);
  EXPECT_NE(p.compile_output().find("SyntaxError"), std::string::npos) << p.compile_output();
}

TEST_F(GraderTest, SyslogFromCIsNoSecurityViolation) {
  // syslog(3) opens an AF_UNIX socket to /dev/log: it fails (EACCES) and the program goes on.
  judge::v1::Submission s = Grade(
      "c",
      "#include <stdio.h>\n#include <syslog.h>\nint main(void){long long a,b;"
      "openlog(\"sum\", LOG_PID, LOG_USER);syslog(LOG_INFO, \"start\");"
      "if(scanf(\"%lld %lld\",&a,&b)!=2)return 1;printf(\"%lld\\n\",a+b);closelog();return 0;}\n");
  EXPECT_EQ(s.verdict(), judge::v1::VERDICT_ACCEPTED) << s.message();
}

TEST_F(GraderTest, TheStackMayUseTheMemoryLimit) {
  // 80-100 MiB of stack under the 128 MiB memory limit (a fixed 64 MiB stack crashed it),
  // and threads with 2 MiB stacks of their own.
  judge::v1::Submission deep =
      Grade("c",
            "#include <stdio.h>\nstatic long depth(long n){volatile char pad[80];pad[0]=(char)n;"
            "if(n==0)return 0;return depth(n-1)+pad[0]-(char)n+1;}\n"
            "int main(void){long long a,b;if(scanf(\"%lld %lld\",&a,&b)!=2)return 1;"
            "if(depth(800000)!=800000)return 2;printf(\"%lld\\n\",a+b);return 0;}\n");
  EXPECT_EQ(deep.verdict(), judge::v1::VERDICT_ACCEPTED) << deep.message();
  for (const judge::v1::TestResult& t : deep.tests()) {
    EXPECT_GT(t.memory_kib(), 70u << 10) << t.name();  // more than the old 64 MiB stack
    EXPECT_LE(t.memory_kib(), 128u << 10) << t.name();
  }
  judge::v1::Submission threads =
      Grade("c",
            "#include <pthread.h>\n#include <stdio.h>\n#include <string.h>\n"
            "static void* work(void* p){char buf[1<<20];memset(buf,1,sizeof buf);"
            "*(long*)p=buf[100];return NULL;}\n"
            "int main(void){long long a,b;if(scanf(\"%lld %lld\",&a,&b)!=2)return 1;"
            "pthread_t t[8];long r[8];pthread_attr_t at;pthread_attr_init(&at);"
            "pthread_attr_setstacksize(&at,2<<20);for(int i=0;i<8;i++)"
            "if(pthread_create(&t[i],&at,work,&r[i]))return 3;"
            "for(int i=0;i<8;i++){pthread_join(t[i],NULL);a+=r[i]-1;}"
            "printf(\"%lld\\n\",a+b);return 0;}\n");
  EXPECT_EQ(threads.verdict(), judge::v1::VERDICT_ACCEPTED) << threads.message();
}

TEST_F(GraderTest, JavaRunsTheClassWithMainWhateverItsName) {
  const std::string body =
      " { public static void main(String[] args) { java.util.Scanner in = new "
      "java.util.Scanner(System.in); long a = in.nextLong(), b = in.nextLong(); "
      "System.out.println(a + b); } }\n";
  // A public class of any name (javac wants it in a file of that name), a class that is not
  // public, and a helper class declared first.
  for (const std::string& source :
       {"import java.util.*;\n/* public class Decoy {} */\npublic class Solution" + body,
        "class Foo" + body,
        "class Helper { static int twice(int x) { return 2 * x; } }\nfinal class Program" + body,
        "public final class Main" + body}) {
    judge::v1::Submission s = Grade("java", source);
    EXPECT_EQ(s.verdict(), judge::v1::VERDICT_ACCEPTED) << source << "\n" << s.compile_output();
  }
  judge::v1::Submission none = Grade("java", "public class Solution { void run() {} }\n");
  EXPECT_EQ(none.verdict(), judge::v1::VERDICT_COMPILATION_ERROR);
  EXPECT_NE(none.compile_output().find("public static void main"), std::string::npos)
      << none.compile_output();
}

TEST_F(GraderTest, ANulByteIsACompilationErrorAtItsLine) {
  // gcc alone would only warn and drop it: the same error in every language.
  for (const char* lang : {"c", "python3"}) {
    judge::v1::Submission s = Grade(lang, std::string("x = 1\n// y = \"\0\"\n", 17));
    EXPECT_EQ(s.verdict(), judge::v1::VERDICT_COMPILATION_ERROR) << lang;
    EXPECT_NE(s.compile_output().find(":2:9: error: a NUL byte"), std::string::npos)
        << s.compile_output();
  }
}

TEST_F(GraderTest, RuntimeTimeMemoryOutputAndSecurityVerdicts) {
  EXPECT_EQ(Grade("c", "int main(void){int *p = 0; return *p;}\n").verdict(),
            judge::v1::VERDICT_RUNTIME_ERROR);
  EXPECT_EQ(Grade("python3", "import sys\nsys.exit(3)\n").verdict(),
            judge::v1::VERDICT_RUNTIME_ERROR);
  EXPECT_EQ(Grade("c", "int main(void){for(;;);}\n").verdict(),
            judge::v1::VERDICT_TIME_LIMIT_EXCEEDED);
  EXPECT_EQ(Grade("python3", "x = bytearray(1 << 30)\nprint(len(x))\n").verdict(),
            judge::v1::VERDICT_MEMORY_LIMIT_EXCEEDED);
  EXPECT_EQ(Grade("c", "#include <stdio.h>\nint main(void){for(;;) puts(\"spam spam spam\");}\n")
                .verdict(),
            judge::v1::VERDICT_OUTPUT_LIMIT_EXCEEDED);
  judge::v1::Submission s = Grade("python3", "import socket\nsocket.socket()\n");
  EXPECT_EQ(s.verdict(), judge::v1::VERDICT_SECURITY_VIOLATION);
  EXPECT_NE(s.message().find("socket"), std::string::npos) << s.message();
}

TEST_F(GraderTest, PrecedenceRuntimeBeatsWrongAnswer) {
  // Wrong output, then a crash: the run's verdict is the crash.
  judge::v1::Submission s =
      Grade("python3", "print(12345)\nimport sys\nsys.stdout.flush()\nraise SystemExit(1)\n");
  EXPECT_EQ(s.tests(0).verdict(), judge::v1::VERDICT_RUNTIME_ERROR);
  sandbox::RunResult r;
  r.status = sandbox::RunStatus::kSecurityViolation;
  EXPECT_EQ(VerdictFor(r), judge::v1::VERDICT_SECURITY_VIOLATION);
  r.status = sandbox::RunStatus::kWallTimeLimit;
  EXPECT_EQ(VerdictFor(r), judge::v1::VERDICT_TIME_LIMIT_EXCEEDED);
}

TEST_F(GraderTest, IdenticalSourceIsCompiledOnceAndTheCacheIsBounded) {
  const std::string src =
      "#include <cstdio>\nint main(){long long a,b;scanf(\"%lld %lld\",&a,&b);"
      "printf(\"%lld\\n\",a+b);}\n// cache-test\n";
  uint64_t before = compiler_->compilations();
  EXPECT_EQ(Grade("cpp", src).verdict(), judge::v1::VERDICT_ACCEPTED);
  EXPECT_EQ(compiler_->compilations(), before + 1);
  EXPECT_EQ(Grade("cpp", src).verdict(), judge::v1::VERDICT_ACCEPTED);
  EXPECT_EQ(compiler_->compilations(), before + 1);  // the second one skipped the compiler
  // The same text as C is another key.
  Grade("c",
        "#include <stdio.h>\nint main(void){long long a,b;scanf(\"%lld %lld\",&a,&b);"
        "printf(\"%lld\\n\",a+b);}\n");
  EXPECT_EQ(compiler_->compilations(), before + 2);
  for (int i = 0; i < 5; ++i) {
    Grade("python3", "print(sum(map(int, input().split())))  # " + std::to_string(i) + "\n");
  }
  EXPECT_LE(compiler_->size(), 4u);  // capacity
}

TEST_F(GraderTest, ProgramCheckerDecides) {
  judge::v1::Submission ok = Grade("cpp", kGoodCpp, nullptr, checked_);
  EXPECT_EQ(ok.verdict(), judge::v1::VERDICT_ACCEPTED);
  judge::v1::Submission bad =
      Grade("cpp", "#include <iostream>\nint main(){std::cout<<\"0003\\n\";}\n", nullptr, checked_);
  EXPECT_EQ(bad.tests(0).verdict(), judge::v1::VERDICT_ACCEPTED);  // 0003 == 3 as integers
  EXPECT_EQ(bad.tests(1).verdict(), judge::v1::VERDICT_WRONG_ANSWER);
}

TEST_F(GraderTest, CustomStdinReturnsTheProgramsOutput) {
  GradeRequest req{*challenge_, "python3", "print(input()[::-1])\n", true, "hello\n"};
  judge::v1::Submission out;
  ASSERT_TRUE(grader_->Grade(req, nullptr, &out).ok());
  EXPECT_EQ(out.verdict(), judge::v1::VERDICT_ACCEPTED);
  EXPECT_EQ(out.custom_stdout(), "olleh\n");
}

TEST_F(GraderTest, SelfTestPassesOnThisMachine) {
  absl::Status s = grader_->SelfTest();
  EXPECT_TRUE(s.ok()) << s;
}

}  // namespace
}  // namespace judge

namespace judge {
namespace {

// Sum programs in every language, each in the way a candidate would write it.
const std::vector<std::pair<std::string, std::string>>& GoodSums() {
  static const auto* kSums = new std::vector<std::pair<std::string, std::string>>{
      // GNU C17: POSIX names (getline, strdup, pid_t, O_DIRECTORY, NSIG) compile.
      {"c",
       "#include <fcntl.h>\n#include <signal.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
       "#include <string.h>\n#include <unistd.h>\n"
       "int main(void){char*line=NULL;size_t n=0;pid_t p=getpid();(void)p;int d=O_DIRECTORY;"
       "(void)d;int s=NSIG;(void)s;if(getline(&line,&n,stdin)<0)return 1;char*c=strdup(line);"
       "long long a,b;sscanf(c,\"%lld %lld\",&a,&b);printf(\"%lld\\n\",a+b);free(c);free(line);"
       "return 0;}\n"},
      {"java",
       "import java.util.Scanner;\npublic class Main { public static void main(String[] x) {"
       " Scanner in = new Scanner(System.in); long a = in.nextLong(), b = in.nextLong();"
       " System.out.println(a + b); } }\nclass Helper { }\n"},
      {"javascript",
       "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n"
       "console.log(a + b);\n"},
      {"typescript",
       "import * as fs from \"fs\";\nconst [a, b]: number[] = fs.readFileSync(0, \"utf8\")"
       ".trim().split(/\\s+/).map(Number);\nconsole.log(a + b);\n"},
      {"go",
       "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar a, b int64\n"
       "\tfmt.Scan(&a, &b)\n\tfmt.Println(a + b)\n}\n"},
      {"rust",
       "use std::io::Read;\nfn main() { let mut s = String::new(); "
       "std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = "
       "s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!(\"{}\", v[0] + v[1]); "
       "}\n"},
  };
  return *kSums;
}

TEST_F(GraderTest, EveryLanguageIsAcceptedWithFullScore) {
  for (const auto& [lang, source] : GoodSums()) {
    judge::v1::Submission s = Grade(lang, source);
    EXPECT_EQ(s.verdict(), judge::v1::VERDICT_ACCEPTED)
        << lang << "\n"
        << s.compile_output() << (s.tests_size() ? s.tests(0).message() : "");
    EXPECT_EQ(s.score(), 100u) << lang;
    // The Memory figure is the program's own: a small sum stays small where no VM runs it
    // (the judge's own memory, which the box is cloned from, never shows).
    if (lang == "c" || lang == "cpp" || lang == "go" || lang == "rust") {
      for (const judge::v1::TestResult& t : s.tests()) {
        EXPECT_LE(t.memory_kib(), 8u << 10) << lang << " " << t.name();
        EXPECT_GT(t.memory_kib(), 0u) << lang << " " << t.name();
      }
    }
  }
}

// What clients read from the table (ListLanguages): every language says how it is shown and
// guessed, and its starter compiles and runs (printing nothing, so a wrong answer).
TEST_F(GraderTest, EveryLanguageHasWhatClientsNeedAndItsStarterCompiles) {
  // The page's editor modes: the keys of MODES in web/src/editor.js.
  std::set<std::string> modes;
  {
    std::ifstream in(EDITOR_JS);
    ASSERT_TRUE(in) << EDITOR_JS;
    std::string line;
    bool inside = false;
    const std::regex key(R"(^  ([a-z0-9]+): \(\) =>)");
    while (std::getline(in, line)) {
      if (line.rfind("const MODES = {", 0) == 0) inside = true;
      if (inside && line.rfind("};", 0) == 0) break;
      std::smatch m;
      if (inside && std::regex_search(line, m, key)) modes.insert(m[1]);
    }
    ASSERT_GE(modes.size(), 9u) << "no MODES found in " << EDITOR_JS;
  }
  std::set<std::string> extensions;
  for (const Language& l : Languages()) {
    EXPECT_FALSE(l.name.empty()) << l.id;
    EXPECT_FALSE(l.extensions.empty()) << l.id;
    for (const std::string& e : l.extensions) {
      EXPECT_EQ(e[0], '.') << l.id;
      EXPECT_TRUE(extensions.insert(e).second) << e << " names two languages";
    }
    EXPECT_TRUE(modes.count(l.editor_mode)) << l.id << ": " << l.editor_mode;
    EXPECT_FALSE(l.starter.empty()) << l.id;
    EXPECT_GE(l.keywords.size(), 10u) << l.id;
    if (l.id == "sql") continue;  // the sum challenge does not offer it
    judge::v1::Submission s = Grade(l.id, l.starter);
    EXPECT_NE(s.verdict(), judge::v1::VERDICT_COMPILATION_ERROR) << l.id << s.compile_output();
    EXPECT_NE(s.verdict(), judge::v1::VERDICT_RUNTIME_ERROR) << l.id << s.message();
  }
}

TEST_F(GraderTest, EveryLanguageReportsItsCompilationErrors) {
  const std::pair<std::string, std::string> kBroken[] = {
      {"java", "public class Main { public static void main(String[] a) { int x = \"s\"; } }\n"},
      {"javascript", "console.log(1;\n"},
      {"typescript", "const n: number = \"not a number\";\nconsole.log(n);\n"},
      // Standard library only, offline: a third-party import does not build.
      {"go",
       "package main\n\nimport \"github.com/pkg/errors\"\n\nfunc main() { errors.New(\"x\") }\n"},
      {"rust", "fn main() { let x: i32 = \"s\"; }\n"},
  };
  for (const auto& [lang, source] : kBroken) {
    judge::v1::Submission s = Grade(lang, source);
    EXPECT_EQ(s.verdict(), judge::v1::VERDICT_COMPILATION_ERROR) << lang;
    EXPECT_FALSE(s.compile_output().empty()) << lang;
    EXPECT_EQ(s.compile_output().find("/box/"), std::string::npos) << s.compile_output();
  }
  // TypeScript sent as JavaScript: an import made `node --check` skip the rest; the whole
  // program is parsed, as a module, and the error names its line.
  judge::v1::Submission ts =
      Grade("javascript",
            "import * as readline from \"readline\";\nconst n: number = 1;\nconsole.log(n);\n");
  EXPECT_EQ(ts.verdict(), judge::v1::VERDICT_COMPILATION_ERROR);
  EXPECT_NE(ts.compile_output().find("main.js:2"), std::string::npos) << ts.compile_output();
  EXPECT_NE(ts.compile_output().find("SyntaxError"), std::string::npos) << ts.compile_output();
  // ES module syntax that is valid still runs.
  EXPECT_EQ(Grade("javascript",
                  "import { readFileSync } from \"fs\";\nconst [a, b] = readFileSync(0, \"utf8\")"
                  ".trim().split(/\\s+/).map(Number);\nconsole.log(a + b);\n")
                .verdict(),
            judge::v1::VERDICT_ACCEPTED);
}

TEST_F(GraderTest, ARuntimeCrashIsARuntimeErrorWithItsFirstLineOnSamplesOnly) {
  const std::tuple<std::string, std::string, std::string> kCrashes[] = {
      {"java",
       "public class Main { public static void main(String[] a) {"
       " throw new IllegalStateException(\"boom\"); } }\n",
       "Exception in thread \"main\" java.lang.IllegalStateException: boom"},
      {"javascript", "const x = 1;\nthrow new TypeError('boom');\n", "TypeError: boom"},
      {"typescript", "const s: string = \"x\";\nthrow new RangeError(s + \"boom\");\n",
       "RangeError: xboom"},
      {"go", "package main\n\nfunc main() { panic(\"boom\") }\n", "panic: boom"},
      {"rust", "fn main() { panic!(\"boom\"); }\n", "panicked at 'boom'"},
  };
  for (const auto& [lang, source, first_line] : kCrashes) {
    judge::v1::Submission s = Grade(lang, source);
    ASSERT_EQ(s.verdict(), judge::v1::VERDICT_RUNTIME_ERROR) << lang << s.compile_output();
    ASSERT_EQ(s.tests_size(), 3) << lang;
    EXPECT_NE(s.tests(0).message().find(first_line), std::string::npos)
        << lang << ": " << s.tests(0).message();
    EXPECT_EQ(s.tests(0).message().find('\n'), std::string::npos) << s.tests(0).message();
    EXPECT_EQ(s.tests(1).message(), "") << lang;  // hidden
  }
}

TEST_F(GraderTest, ManagedRuntimesOverTheMemoryLimitAreMemoryLimitExceeded) {
  // 128 MiB for the run; each program keeps allocating and touching memory.
  const std::pair<std::string, std::string> kHogs[] = {
      {"java",
       "import java.util.*;\npublic class Main { public static void main(String[] a) {"
       " List<long[]> keep = new ArrayList<>(); for (int i = 0; i < 100000; ++i) {"
       " long[] b = new long[1 << 17]; Arrays.fill(b, i); keep.add(b); }"
       " System.out.println(keep.size()); } }\n"},
      {"javascript",
       "const keep = [];\nfor (let i = 0; i < 100000; i++) keep.push(new Array(1 << 17).fill(i));\n"
       "console.log(keep.length);\n"},
      {"go",
       "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar keep [][]int64\n"
       "\tfor i := 0; i < 100000; i++ {\n\t\tb := make([]int64, 1<<17)\n"
       "\t\tfor j := range b {\n\t\t\tb[j] = int64(i)\n\t\t}\n\t\tkeep = append(keep, b)\n\t}\n"
       "\tfmt.Println(len(keep))\n}\n"},
      {"rust",
       "fn main() { let mut keep: Vec<Vec<i64>> = Vec::new(); for i in 0..100000 {"
       " keep.push(vec![i as i64; 1 << 17]); } println!(\"{}\", keep.len()); }\n"},
  };
  for (const auto& [lang, source] : kHogs) {
    judge::v1::Submission s = RunOnce(lang, source, roomy_);
    EXPECT_EQ(s.verdict(), judge::v1::VERDICT_MEMORY_LIMIT_EXCEEDED)
        << lang << ": " << (s.tests_size() ? s.tests(0).message() : s.compile_output());
  }
}

TEST_F(GraderTest, ManagedRuntimesThatSpinAreTimeLimitExceeded) {
  const std::pair<std::string, std::string> kSpins[] = {
      {"java",
       "public class Main { public static void main(String[] a) { long x = 0;"
       " while (true) { x++; if (x == -1) break; } System.out.println(x); } }\n"},
      {"javascript", "let x = 0;\nfor (;;) { x++; if (x < 0) break; }\nconsole.log(x);\n"},
      {"go",
       "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tx := 0\n\tfor x >= 0 {\n"
       "\t\tx++\n\t}\n\tfmt.Println(x)\n}\n"},
  };
  for (const auto& [lang, source] : kSpins) {
    judge::v1::Submission s = RunOnce(lang, source);
    EXPECT_EQ(s.verdict(), judge::v1::VERDICT_TIME_LIMIT_EXCEEDED)
        << lang << ": " << (s.tests_size() ? s.tests(0).message() : s.compile_output());
  }
}

}  // namespace
}  // namespace judge

namespace judge {
namespace {

// Without cgroups, memory is RLIMIT_AS: the managed runtimes reserve far more address space than
// they touch (heap and class space, code range, arenas) and must still start, and a heap over
// the limit must still be MEMORY_LIMIT_EXCEEDED (the runtime's own heap flag says so).
TEST(NoCgroupsTest, ManagedRuntimesStartAndTheirHeapLimitHolds) {
  std::string dir = judge_test::MakeTempDir("grader-nocgroup");
  ASSERT_FALSE(dir.empty());
  sandbox::SandboxOptions options;
  options.runtime_dir = dir + "/run";
  options.slots = 2;
  options.cgroups = sandbox::CgroupMode::kNone;
  // The upper half of this process's uid range (GraderTest's sandbox uses the lower one).
  options.uid_base = judge_test::UidBase() + judge_test::kMaxSlots;
  auto sb = sandbox::Sandbox::Create(options);
  ASSERT_TRUE(sb.ok()) << sb.status();
  Compiler compiler(sb->get(), dir + "/cache", 16);
  ASSERT_TRUE(compiler.Init().ok());
  Grader grader(sb->get(), &compiler, GraderOptions{SQL_RUNNER});
  auto ch = std::make_shared<LoadedChallenge>();
  ch->manifest.mutable_limits()->set_cpu_time_ms(5000);
  ch->manifest.mutable_limits()->set_memory_kib(256 << 10);
  ch->manifest.mutable_limits()->set_output_kib(64);
  for (const Language& lang : Languages()) {
    if (lang.id != "java" && lang.id != "javascript" && lang.id != "go") continue;
    judge::v1::Submission out;
    ASSERT_TRUE(grader.Grade({ch, lang.id, lang.self_test_source, true, ""}, nullptr, &out).ok());
    EXPECT_EQ(out.verdict(), judge::v1::VERDICT_ACCEPTED)
        << lang.id << ": " << out.message() << " " << out.compile_output().substr(0, 300)
        << out.custom_stderr().substr(0, 300);
    EXPECT_EQ(out.custom_stdout(), "ok\n") << lang.id;
  }
  judge::v1::Submission hog;
  ASSERT_TRUE(grader
                  .Grade({ch, "java",
                          "import java.util.*;\npublic class Main { public static void "
                          "main(String[] a) { List<long[]> keep = new ArrayList<>(); for (int i = "
                          "0; i < 100000; ++i) keep.add(new long[1 << 17]); } }\n",
                          true, ""},
                         nullptr, &hog)
                  .ok());
  EXPECT_EQ(hog.verdict(), judge::v1::VERDICT_MEMORY_LIMIT_EXCEEDED) << hog.custom_stderr();
  sb->reset();
  judge_test::RemoveTree(dir);
}

}  // namespace
}  // namespace judge
