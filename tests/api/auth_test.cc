// The keys file and bearer tokens: what each line grants, and what a bad line says.
#include "judge/api/auth.h"

#include <fstream>

#include "gtest/gtest.h"
#include "judge/core/sha256.h"
#include "tests/test_support.h"

namespace judge {
namespace {

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = judge_test::MakeTempDir("auth-test"); }
  void TearDown() override { judge_test::RemoveTree(dir_); }
  std::string Write(const std::string& text) {
    std::string path = dir_ + "/keys";
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(KeyStoreTest, EachLineGrantsItsRole) {
  const std::string path = Write(
      "# a comment line\n"
      "\n" +
      Sha256Hex("cand-token") + " candidate alice   # trailing comment\n" + Sha256Hex("int-token") +
      " interviewer\n" + Sha256Hex("plat-token") + " platform rate=5\n" + Sha256Hex("admin-token") +
      " admin\n");
  absl::StatusOr<KeyStore> keys = KeyStore::Load(path);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->size(), 4u);

  std::optional<Principal> cand = keys->Authenticate("Bearer cand-token");
  ASSERT_TRUE(cand.has_value());
  EXPECT_EQ(cand->role, Role::kCandidate);
  EXPECT_EQ(cand->candidate_id, "alice");
  EXPECT_EQ(cand->key_id, Sha256Hex("cand-token").substr(0, 12));
  EXPECT_EQ(cand->rate_per_second, 0);  // the role's default

  std::optional<Principal> plat = keys->Authenticate("Bearer plat-token");
  ASSERT_TRUE(plat.has_value());
  EXPECT_EQ(plat->role, Role::kPlatform);
  EXPECT_EQ(plat->rate_per_second, 5);
  EXPECT_EQ(keys->Authenticate("Bearer int-token")->role, Role::kInterviewer);
  EXPECT_EQ(keys->Authenticate("Bearer admin-token")->role, Role::kAdmin);
}

TEST_F(KeyStoreTest, OnlyAWellFormedBearerOfAKnownTokenGetsIn) {
  absl::StatusOr<KeyStore> keys = KeyStore::Load(Write(Sha256Hex("secret") + " admin\n"));
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(keys->Authenticate("Bearer secret").has_value());
  EXPECT_TRUE(keys->Authenticate("Bearer secret \n").has_value());  // whitespace is trimmed
  EXPECT_FALSE(keys->Authenticate("Bearer other").has_value());
  EXPECT_FALSE(keys->Authenticate("secret").has_value());
  EXPECT_FALSE(keys->Authenticate("Basic secret").has_value());
  EXPECT_FALSE(keys->Authenticate("bearer secret").has_value());
  EXPECT_FALSE(keys->Authenticate("Bearer ").has_value());
  EXPECT_FALSE(keys->Authenticate("").has_value());
  // The file holds the token's hash, never the token: the hash itself is no token.
  EXPECT_FALSE(keys->Authenticate("Bearer " + Sha256Hex("secret")).has_value());
}

TEST_F(KeyStoreTest, ABadLineIsNamedWithItsReason) {
  struct Case {
    std::string text;
    std::string words;
  } cases[] = {
      {"abc admin\n", "64 lower-case hex"},
      {Sha256Hex("x") + "\n", "missing role"},
      {Sha256Hex("x") + " candidate\n", "needs a candidate id"},
      {Sha256Hex("x") + " root\n", "unknown role \"root\""},
      {Sha256Hex("x") + " admin rate=fast\n", "rate=N"},
      {Sha256Hex("x") + " admin rate=0\n", "rate=N"},
      {Sha256Hex("x") + " admin\n" + Sha256Hex("x") + " platform\n", "duplicate key"},
  };
  for (const Case& c : cases) {
    const std::string path = Write("# header\n" + c.text);
    absl::StatusOr<KeyStore> keys = KeyStore::Load(path);
    ASSERT_FALSE(keys.ok()) << c.text;
    EXPECT_EQ(keys.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(keys.status().message().find(path + ":"), std::string::npos) << keys.status();
    EXPECT_NE(keys.status().message().find(c.words), std::string::npos) << keys.status();
  }
  EXPECT_EQ(KeyStore::Load(dir_ + "/missing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace judge
