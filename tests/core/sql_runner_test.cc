// sql-runner's refusals and limits, run as a plain process (the sandbox adds its own limits).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace {

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

class SqlRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sqlrunner-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/fixture.sql")
        << "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v REAL);\n"
           "INSERT INTO t VALUES (1, 'Ann', 2.5), (2, NULL, NULL), (3, 'tab\there', 1);\n";
  }
  void TearDown() override { (void)!system(("rm -rf " + dir_).c_str()); }

  Outcome Run(const std::string& query, const std::string& time_ms = "2000") {
    std::ofstream(dir_ + "/q.sql") << query;
    std::string cmd = std::string(SQL_RUNNER) + " --fixture " + dir_ + "/fixture.sql --query " +
                      dir_ + "/q.sql --time-ms " + time_ms + " --heap-mib 64 > " + dir_ +
                      "/out 2> " + dir_ + "/err";
    int status = system(cmd.c_str());
    Outcome o;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream out(dir_ + "/out"), err(dir_ + "/err");
    o.out.assign(std::istreambuf_iterator<char>(out), {});
    o.err.assign(std::istreambuf_iterator<char>(err), {});
    return o;
  }
  std::string dir_;
};

TEST_F(SqlRunnerTest, PrintsTypedCanonicalRows) {
  Outcome o = Run("SELECT id, name, v, v IS NULL AS missing FROM t ORDER BY id;");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out,
            "#cols\tid\tname\tv\tmissing\n"
            "I1\tTAnn\tR2.5\tI0\n"
            "I2\tN\tN\tI1\n"
            "I3\tTtab\\there\tR1\tI0\n");
}

TEST_F(SqlRunnerTest, RefusesWrites) {
  for (const char* q : {"INSERT INTO t VALUES (9, 'x', 1)", "UPDATE t SET v = 0",
                        "DELETE FROM t", "DROP TABLE t", "CREATE TABLE u(x)"}) {
    Outcome o = Run(q);
    EXPECT_EQ(o.exit_code, 3) << q;
    EXPECT_NE(o.err.find("only a read-only SELECT is allowed"), std::string::npos) << q << o.err;
  }
}

TEST_F(SqlRunnerTest, RefusesAttachPragmaAndVacuumInto) {
  Outcome o = Run("ATTACH DATABASE '/tmp/x.db' AS x");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(o.err.find("ATTACH"), std::string::npos) << o.err;
  o = Run("PRAGMA table_info(t)");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(o.err.find("PRAGMA is not allowed"), std::string::npos) << o.err;
  o = Run("VACUUM INTO '/tmp/copy.db'");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(o.err.find("only a read-only SELECT is allowed"), std::string::npos) << o.err;
}

TEST_F(SqlRunnerTest, RefusesTwoStatementsButAllowsTrailingSemicolonsAndComments) {
  Outcome o = Run("SELECT 1; SELECT 2;");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(o.err.find("exactly one statement"), std::string::npos) << o.err;
  o = Run("SELECT 1 AS x; -- done\n;/* end */\n");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "#cols\tx\nI1\n");
}

TEST_F(SqlRunnerTest, RefusesLoadExtensionAndUnlistedFunctions) {
  Outcome o = Run("SELECT load_extension('/tmp/evil.so')");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(o.err.find("load_extension"), std::string::npos) << o.err;
  o = Run("SELECT random()");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(o.err.find("function random() is not allowed"), std::string::npos) << o.err;
}

TEST_F(SqlRunnerTest, MysqlOnlySyntaxIsAPrepareErrorWithSqlitesMessage) {
  Outcome o = Run("SELECT IF(v IS NULL, 0, v) FROM t");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(o.err.find("no such function: IF"), std::string::npos) << o.err;
}

TEST_F(SqlRunnerTest, EndlessRecursiveCteIsStoppedByTheTimeLimit) {
  Outcome o = Run(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
      "300");
  EXPECT_EQ(o.exit_code, 4);
  EXPECT_NE(o.err.find("time limit"), std::string::npos) << o.err;
}

TEST_F(SqlRunnerTest, HugeCrossJoinIsStoppedByTheTimeLimit) {
  Outcome o = Run(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 100000) "
      "SELECT count(*) FROM n a, n b, n c",
      "300");
  EXPECT_EQ(o.exit_code, 4) << o.err;
}

TEST_F(SqlRunnerTest, StatementWithoutColumnsAndEmptyQueryAreRefused) {
  Outcome o = Run("");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(o.err.find("empty"), std::string::npos) << o.err;
  o = Run("-- nothing\n");
  EXPECT_EQ(o.exit_code, 3);
}

TEST_F(SqlRunnerTest, BadUsageExitsTwo) {
  int status = system((std::string(SQL_RUNNER) + " --query /nonexistent 2>/dev/null").c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
