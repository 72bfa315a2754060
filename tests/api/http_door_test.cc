// The HTTP door's pieces that need no server: the connection budget both doors share, the
// page's file lookup, and the status mapping.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "judge/api/connection_budget.h"
#include "judge/http/http_routes.h"
#include "judge/http/static_files.h"

namespace judge {
namespace {

TEST(ConnectionBudgetTest, BoundsTotalAndPerPeerAndGivesPlacesBack) {
  ConnectionBudget budget(3, 2);
  auto a1 = budget.Admit("10.0.0.1");
  auto a2 = budget.Admit("10.0.0.1");
  ASSERT_TRUE(a1.ok() && a2.ok());
  auto a3 = budget.Admit("10.0.0.1");
  ASSERT_FALSE(a3.ok());
  EXPECT_EQ(a3.status().message(), "per_peer");
  auto b1 = budget.Admit("10.0.0.2");
  ASSERT_TRUE(b1.ok());
  auto b2 = budget.Admit("10.0.0.2");
  ASSERT_FALSE(b2.ok());
  EXPECT_EQ(b2.status().message(), "total");
  EXPECT_EQ(budget.open(), 3u);
  {
    ConnectionBudget::Ticket moved = *std::move(a1);
    EXPECT_TRUE(moved.held());
    EXPECT_EQ(budget.open(), 3u);  // a move is not a release
  }
  EXPECT_EQ(budget.open(), 2u);
  EXPECT_TRUE(budget.Admit("10.0.0.1").ok());  // the place came back (and goes at once)
  a2->Release();
  EXPECT_EQ(budget.open(), 1u);
  a2->Release();  // twice is once
  EXPECT_EQ(budget.open(), 1u);
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::testing::TempDir() + "/web-" + std::to_string(getpid());
    std::filesystem::create_directories(root_ + "/sub");
    std::ofstream(root_ + "/index.html") << "<html>page</html>";
    std::ofstream(root_ + "/app.js") << "console.log(1)";
    std::ofstream(root_ + "/.secret") << "hidden";
    std::ofstream(root_ + "/sub/index.html") << "sub page";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_;
};

TEST_F(StaticFilesTest, ServesThePageAndRefusesWhatIsNotAPlainName) {
  HttpReply index = ServeStaticFile(root_, "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<html>page</html>");
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(ServeStaticFile(root_, "/app.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(ServeStaticFile(root_, "/sub/").body, "sub page");
  EXPECT_EQ(ServeStaticFile(root_, "/nothing.js").status, 404);
  EXPECT_EQ(ServeStaticFile(root_, "/sub").status, 404);  // a directory is no file
  EXPECT_EQ(ServeStaticFile(root_, "/../etc/passwd").status, 400);
  EXPECT_EQ(ServeStaticFile(root_, "/sub/../index.html").status, 400);
  EXPECT_EQ(ServeStaticFile(root_, "/.secret").status, 400);
  // "/index.html%00.js" decoded: never index.html's bytes.
  HttpReply nul = ServeStaticFile(root_, std::string("/index.html\0.js", 15));
  EXPECT_EQ(nul.status, 400);
  EXPECT_EQ(nul.body.find("page"), std::string::npos);
}

TEST(HttpStatusTest, EachCodeHasItsStatusAndErrorsAreJson) {
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnavailable), 503);
  HttpReply r = ErrorReply(absl::UnauthenticatedError("no \"token\""));
  EXPECT_EQ(r.status, 401);
  // Either key order (a JSON object; protobuf's map order varies between runs).
  EXPECT_NE(r.body.find(R"("code":"UNAUTHENTICATED")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("message":"no \"token\"")"), std::string::npos) << r.body;
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].second, "Bearer");
}

}  // namespace
}  // namespace judge
