// The RocksDB store: what it keeps across a reopen, idempotent creation, the pending set that a
// restart judges again, listings with their pages, and similarity pairs.
#include "judge/store/store.h"

#include <set>

#include "gtest/gtest.h"
#include "tests/test_support.h"

namespace judge {
namespace {

using judge::v1::Submission;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = judge_test::MakeTempDir("store-test");
    Reopen();
  }
  void TearDown() override {
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
    }
    store_.reset();
    judge_test::RemoveTree(dir_);
  }
  void Reopen() {
    if (store_) {
      ASSERT_TRUE(store_->Close().ok());
    }
    store_.reset();
    absl::StatusOr<std::unique_ptr<Store>> s = Store::Open(dir_ + "/db");
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  Submission New(const std::string& candidate, const std::string& challenge = "sql-null-trap") {
    Submission s;
    s.set_id(store_->NewId());
    s.set_candidate_id(candidate);
    s.set_challenge_id(challenge);
    s.set_language("sql");
    s.set_source("SELECT 1;");
    s.set_mode(judge::v1::SUBMISSION_MODE_TAKE_HOME);
    s.set_state(judge::v1::SUBMISSION_STATE_QUEUED);
    return s;
  }
  Submission Created(const std::string& candidate, const std::string& challenge = "sql-null-trap",
                     const std::string& request_key = "") {
    absl::StatusOr<Store::Created> c = store_->Create(New(candidate, challenge), request_key);
    EXPECT_TRUE(c.ok()) << c.status();
    EXPECT_TRUE(c->is_new);
    return c->submission;
  }
  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, IdsAreUniqueAndSortByTime) {
  std::string last;
  for (int i = 0; i < 2000; ++i) {
    std::string id = store_->NewId();
    EXPECT_GT(id, last);
    last = id;
  }
}

TEST_F(StoreTest, ASubmissionOutlivesAReopenAndItsVerdictToo) {
  Submission s = Created("alice");
  Submission finished = s;
  finished.set_state(judge::v1::SUBMISSION_STATE_FINISHED);
  finished.set_verdict(judge::v1::VERDICT_WRONG_ANSWER);
  finished.set_score(40);
  finished.add_tests()->set_index(1);
  Reopen();
  absl::StatusOr<Submission> got = store_->Get(s.id());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->source(), "SELECT 1;");
  EXPECT_EQ(got->state(), judge::v1::SUBMISSION_STATE_QUEUED);
  ASSERT_TRUE(store_->Finish(finished).ok());
  Reopen();
  got = store_->Get(s.id());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->verdict(), judge::v1::VERDICT_WRONG_ANSWER);
  EXPECT_EQ(got->score(), 40u);
  EXPECT_EQ(got->tests_size(), 1);
  EXPECT_EQ(store_->Get("0000unknown").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(StoreTest, TheSameRequestKeyReturnsTheFirstSubmissionAndWritesNothing) {
  const std::string key1("key\0req-1", 9), key2("key\0req-2", 9);  // caller \0 request id
  Submission first = Created("alice", "sql-null-trap", key1);
  absl::StatusOr<Store::Created> again = store_->Create(New("alice"), key1);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->is_new);
  EXPECT_EQ(again->submission.id(), first.id());
  absl::StatusOr<Submission> found = store_->FindRequest(key1);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id(), first.id());
  EXPECT_EQ(store_->FindRequest(key2).status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<Store::Page> all = store_->List("", "", 100, "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->submissions.size(), 1u);
}

TEST_F(StoreTest, PendingIsWhatARestartJudgesAgain) {
  Submission a = Created("a"), b = Created("b"), c = Created("c");
  Submission done = b;
  done.set_state(judge::v1::SUBMISSION_STATE_FINISHED);
  ASSERT_TRUE(store_->Finish(done).ok());
  Submission broke = c;
  broke.set_state(judge::v1::SUBMISSION_STATE_FINISHED);
  broke.set_verdict(judge::v1::VERDICT_INTERNAL_ERROR);
  ASSERT_TRUE(store_->Finish(broke, Store::Verdict::kJudgeAgain).ok());
  Reopen();
  absl::StatusOr<std::vector<Submission>> pending = store_->Pending();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);  // oldest first: a, then c (shown as INTERNAL_ERROR meanwhile)
  EXPECT_EQ((*pending)[0].id(), a.id());
  EXPECT_EQ((*pending)[1].id(), c.id());
  EXPECT_EQ(store_->Get(c.id())->verdict(), judge::v1::VERDICT_INTERNAL_ERROR);
}

TEST_F(StoreTest, ListingsAreNewestFirstFilteredAndPagedWithoutGapsOrRepeats) {
  std::vector<std::string> alice_ids;
  for (int i = 0; i < 7; ++i) {
    alice_ids.push_back(Created("alice", i % 2 ? "ttl-lru-cache" : "sql-null-trap").id());
    Created("bob");
  }
  std::vector<std::string> seen;
  std::string token;
  do {
    absl::StatusOr<Store::Page> page = store_->List("alice", "", 3, token);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->submissions.size(), 3u);
    for (const Submission& s : page->submissions) {
      EXPECT_EQ(s.candidate_id(), "alice");
      EXPECT_EQ(s.source(), "");  // listings leave sources out
      seen.push_back(s.id());
    }
    token = page->next_page_token;
  } while (!token.empty());
  std::vector<std::string> newest_first(alice_ids.rbegin(), alice_ids.rend());
  EXPECT_EQ(seen, newest_first);
  absl::StatusOr<Store::Page> ttl = store_->List("alice", "ttl-lru-cache", 100, "");
  ASSERT_TRUE(ttl.ok());
  EXPECT_EQ(ttl->submissions.size(), 3u);
  absl::StatusOr<Store::Page> by_challenge = store_->List("", "sql-null-trap", 100, "");
  ASSERT_TRUE(by_challenge.ok());
  EXPECT_EQ(by_challenge->submissions.size(), 4u + 7u);
}

TEST_F(StoreTest, FingerprintsAndSimilarPairsAreKeptPerChallenge) {
  Submission a = Created("alice"), b = Created("bob");
  const std::vector<std::string> hashes = {std::string("\1\2\3\4\5\6\7\x08", 8),
                                           std::string("\x11\x12\x13\x14\x15\x16\x17\x18", 8)};
  ASSERT_TRUE(store_->PutFingerprints(a, hashes, "enc-a").ok());
  EXPECT_TRUE(store_->HasFingerprints(a.id()));
  EXPECT_FALSE(store_->HasFingerprints(b.id()));
  absl::StatusOr<std::vector<std::pair<std::string, int>>> sharing =
      store_->SharingFingerprints("sql-null-trap", "sql", hashes);
  ASSERT_TRUE(sharing.ok());
  ASSERT_EQ(sharing->size(), 1u);
  EXPECT_EQ((*sharing)[0].first, a.id());
  EXPECT_EQ((*sharing)[0].second, 2);
  EXPECT_EQ(*store_->GetFingerprints(a.id()), "enc-a");
  judge::v1::SimilarPair pair;
  pair.set_challenge_id("sql-null-trap");
  pair.set_submission_a(a.id());
  pair.set_submission_b(b.id());
  pair.set_score(0.8);
  ASSERT_TRUE(store_->PutSimilarPair(pair).ok());
  Reopen();
  absl::StatusOr<std::vector<judge::v1::SimilarPair>> pairs = store_->ListSimilar("sql-null-trap");
  ASSERT_TRUE(pairs.ok());
  ASSERT_EQ(pairs->size(), 1u);
  EXPECT_DOUBLE_EQ((*pairs)[0].score(), 0.8);
  EXPECT_TRUE(store_->ListSimilar("ttl-lru-cache")->empty());
}

}  // namespace
}  // namespace judge
