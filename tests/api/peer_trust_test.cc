// How cluster nodes vouch for callers to each other: an owner accepts a forwarded call only from
// a node (the cluster's secret, or a verified client certificate), only if it is meant for this
// node and still valid, and then with exactly the authority its own keys file gives the key.
#include "judge/api/peer_trust.h"

#include <fstream>

#include "gtest/gtest.h"
#include "judge/core/sha256.h"
#include "tests/test_support.h"

namespace judge {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";

class PeerTrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = judge_test::MakeTempDir("peer-trust-test");
    std::ofstream(dir_ + "/keys") << Sha256Hex("cand-token") << " candidate alice\n"
                                  << Sha256Hex("int-token") << " interviewer\n";
    keys_ = *KeyStore::Load(dir_ + "/keys");
    alice_ = *keys_.Authenticate("Bearer cand-token");
  }
  void TearDown() override { judge_test::RemoveTree(dir_); }

  static PeerTrust Node(const std::string& id, const std::string& address,
                        const std::string& secret = kSecret, bool mtls = false) {
    return PeerTrust(PeerTrustOptions{id, address, secret, mtls});
  }

  std::string dir_;
  KeyStore keys_;
  Principal alice_;
  const system_clock::time_point now_ = system_clock::now();
};

TEST_F(PeerTrustTest, TheOwnerSeesTheCallerItsOwnKeysFileKnowsAndNeverTheToken) {
  const PeerTrust a = Node("node-a", "10.0.0.1:50051");
  const PeerTrust b = Node("node-b", "10.0.0.2:50051");
  auto [assertion, mac] = a.Vouch(alice_, "10.0.0.2:50051", now_);
  EXPECT_EQ(assertion.find("cand-token"), std::string::npos);
  absl::StatusOr<Principal> who = b.Accept(keys_, assertion, mac, false, now_);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->role, Role::kCandidate);  // a candidate stays a candidate, bound to alice
  EXPECT_EQ(who->candidate_id, "alice");
  EXPECT_EQ(who->key_id, alice_.key_id);
}

TEST_F(PeerTrustTest, WithoutTheClustersSecretNothingIsBelieved) {
  const PeerTrust b = Node("node-b", "10.0.0.2:50051");
  auto [assertion, mac] = Node("rogue", "10.9.9.9:1", "another secret, 32 characters..")
                              .Vouch(alice_, "10.0.0.2:50051", now_);
  absl::StatusOr<Principal> who = b.Accept(keys_, assertion, mac, false, now_);
  EXPECT_TRUE(absl::IsUnauthenticated(who.status()));
  EXPECT_NE(who.status().message().find("not signed with this cluster's secret"), std::string::npos)
      << who.status();
  EXPECT_TRUE(absl::IsUnauthenticated(b.Accept(keys_, assertion, "", false, now_).status()));

  // A signed assertion edited to claim another key (the interviewer's) no longer verifies.
  auto [good, good_mac] = Node("node-a", "10.0.0.1:50051").Vouch(alice_, "10.0.0.2:50051", now_);
  std::string forged = good;
  forged.replace(forged.find(alice_.key_hash), alice_.key_hash.size(), Sha256Hex("int-token"));
  EXPECT_TRUE(absl::IsUnauthenticated(b.Accept(keys_, forged, good_mac, false, now_).status()));
}

TEST_F(PeerTrustTest, AnAssertionIsForOneNodeAndAMinute) {
  const PeerTrust a = Node("node-a", "10.0.0.1:50051");
  const PeerTrust c = Node("node-c", "10.0.0.3:50051");
  auto [assertion, mac] = a.Vouch(alice_, "10.0.0.2:50051", now_);
  absl::StatusOr<Principal> elsewhere = c.Accept(keys_, assertion, mac, false, now_);
  EXPECT_TRUE(absl::IsUnauthenticated(elsewhere.status()));
  EXPECT_NE(elsewhere.status().message().find("meant for the node at 10.0.0.2:50051"),
            std::string::npos)
      << elsewhere.status();
  const PeerTrust b = Node("node-b", "10.0.0.2:50051");
  EXPECT_TRUE(b.Accept(keys_, assertion, mac, false, now_ + seconds(59)).ok());
  EXPECT_TRUE(
      absl::IsUnauthenticated(b.Accept(keys_, assertion, mac, false, now_ + seconds(61)).status()));
  // Nor one from too far in the future (a clock far ahead, or a forged expiry).
  EXPECT_TRUE(absl::IsUnauthenticated(
      b.Accept(keys_, assertion, mac, false, now_ - seconds(120)).status()));
}

TEST_F(PeerTrustTest, AKeyTheOwnerDoesNotHoldIsRefused) {
  Principal gone = alice_;
  gone.key_hash = Sha256Hex("revoked-token");
  auto [assertion, mac] = Node("node-a", "10.0.0.1:50051").Vouch(gone, "10.0.0.2:50051", now_);
  absl::StatusOr<Principal> who =
      Node("node-b", "10.0.0.2:50051").Accept(keys_, assertion, mac, false, now_);
  EXPECT_TRUE(absl::IsUnauthenticated(who.status()));
  EXPECT_NE(who.status().message().find("keys file does not hold"), std::string::npos)
      << who.status();
}

TEST_F(PeerTrustTest, MutualTlsAcceptsOnlyConnectionsWithAVerifiedClientCertificate) {
  const PeerTrust a = Node("node-a", "10.0.0.1:50051", "", /*mtls=*/true);
  const PeerTrust b = Node("node-b", "10.0.0.2:50051", "", /*mtls=*/true);
  auto [assertion, mac] = a.Vouch(alice_, "10.0.0.2:50051", now_);
  EXPECT_TRUE(mac.empty());
  EXPECT_TRUE(b.Accept(keys_, assertion, mac, /*client_certificate_verified=*/true, now_).ok());
  absl::StatusOr<Principal> plain = b.Accept(keys_, assertion, mac, false, now_);
  EXPECT_TRUE(absl::IsUnauthenticated(plain.status()));
  EXPECT_NE(plain.status().message().find("without a client certificate"), std::string::npos)
      << plain.status();
}

TEST_F(PeerTrustTest, MalformedAssertionsAreRefused) {
  const PeerTrust b = Node("node-b", "10.0.0.2:50051");
  for (const std::string bad : {"", "v1", "v2 a 10.0.0.2:50051 k 1", "v1 a 10.0.0.2:50051 k x",
                                "v1 a 10.0.0.2:50051 k 1 extra"}) {
    absl::StatusOr<Principal> who = b.Accept(keys_, bad, HmacSha256Hex(kSecret, bad), false, now_);
    EXPECT_TRUE(absl::IsUnauthenticated(who.status())) << bad;
  }
}

}  // namespace
}  // namespace judge
