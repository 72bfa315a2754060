// The front door's rules without a server or a sandbox: who may call what, what each caller
// sees of a submission, idempotent Submit, the rate limits and the practice runs' own bucket.
// JudgeApi over a real store in a temp dir and an engine that is never started (nothing is
// judged: submissions stay queued, finished ones are written to the store directly).
#include "judge/api/judge_api.h"

#include <memory>
#include <string>

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "judge/api/engine.h"
#include "tests/test_support.h"

namespace judge {
namespace {

using judge::v1::Submission;

Principal Caller(Role role, const std::string& key, const std::string& candidate = "") {
  Principal p;
  p.role = role;
  p.key_id = key;
  p.candidate_id = candidate;
  return p;
}

class JudgeApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = judge_test::MakeTempDir("judge-api-test");
    ASSERT_FALSE(dir_.empty());
    auto loaded = LoadChallenges(CHALLENGES_DIR);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    for (const auto& ch : *loaded) challenges_.Put(ch);
    auto store = Store::Open(dir_ + "/db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    // Never started: Submit queues, nothing is judged, no grader is needed.
    engine_ = std::make_unique<Engine>(store_.get(), nullptr, &challenges_, &hub_, &metrics_,
                                       EngineOptions{});
    ApiOptions options;
    options.candidate_rate = 0.01;  // bursts of 3, then refused
    api_ = std::make_unique<JudgeApi>(&keys_, &challenges_, store_.get(), engine_.get(), &hub_,
                                      &metrics_, options);
  }
  void TearDown() override {
    api_.reset();
    engine_.reset();
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
    }
    judge_test::RemoveTree(dir_);
  }
  judge::v1::SubmitRequest Sql(const std::string& candidate = "", const std::string& rid = "") {
    judge::v1::SubmitRequest r;
    r.set_challenge_id("sql-null-trap");
    r.set_language("sql");
    r.set_source("SELECT 1;");
    r.set_candidate_id(candidate);
    r.set_request_id(rid);
    return r;
  }
  // A finished submission with a failed hidden test, written to the store as a worker would.
  Submission Finished(const std::string& candidate) {
    Submission s;
    s.set_id(store_->NewId());
    s.set_candidate_id(candidate);
    s.set_challenge_id("ttl-lru-cache");
    s.set_language("python3");
    s.set_source("print(1)\n");
    s.set_mode(judge::v1::SUBMISSION_MODE_TAKE_HOME);
    s.set_submitted_by("platformkey1");
    *s.mutable_created_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
    EXPECT_TRUE(store_->Create(s, "").ok());
    s.set_state(judge::v1::SUBMISSION_STATE_FINISHED);
    s.set_verdict(judge::v1::VERDICT_WRONG_ANSWER);
    judge::v1::TestResult* t = s.add_tests();
    t->set_index(2);
    t->set_name("eviction-order");
    t->set_group("eviction-order");
    t->set_verdict(judge::v1::VERDICT_WRONG_ANSWER);
    t->set_trap("Evicts the least recently used live entry, not the oldest inserted one.");
    t->mutable_detail()->set_expected("100\n");
    t->mutable_detail()->set_output("200\n");
    EXPECT_TRUE(store_->Finish(s, Store::Verdict::kFinal, "").ok());
    return s;
  }

  std::string dir_;
  KeyStore keys_;
  Catalog challenges_;
  std::unique_ptr<Store> store_;
  Hub hub_;
  Metrics metrics_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<JudgeApi> api_;
  const Principal alice_ = Caller(Role::kCandidate, "alicekey0001", "alice");
  const Principal bob_ = Caller(Role::kCandidate, "bobkey000001", "bob");
  const Principal interviewer_ = Caller(Role::kInterviewer, "interviewer1");
  const Principal platform_ = Caller(Role::kPlatform, "platformkey1");
};

TEST_F(JudgeApiTest, WhoMaySubmitAndRun) {
  EXPECT_TRUE(api_->Submit(alice_, Sql()).ok());
  EXPECT_EQ(api_->Submit(alice_, Sql("bob")).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(api_->Submit(interviewer_, Sql("alice")).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(api_->Submit(platform_, Sql()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(api_->Submit(platform_, Sql("alice")).ok());
  judge::v1::RunLiveRequest live;
  live.set_challenge_id("sql-null-trap");
  live.set_language("sql");
  live.set_source("SELECT 1;");
  EXPECT_EQ(api_->RunLive(platform_, live, [](judge::v1::SubmissionEvent) {}).status().code(),
            absl::StatusCode::kPermissionDenied);
  live.set_candidate_id("bob");
  EXPECT_EQ(api_->RunLive(alice_, live, [](judge::v1::SubmissionEvent) {}).status().code(),
            absl::StatusCode::kPermissionDenied);  // a candidate runs code only as itself
}

TEST_F(JudgeApiTest, ACandidateSeesOnlyItsOwnAndNeverHiddenData) {
  const Submission mine = Finished("alice");
  judge::v1::GetSubmissionRequest get;
  get.set_submission_id(mine.id());
  absl::StatusOr<Submission> as_alice = api_->GetSubmission(alice_, get);
  ASSERT_TRUE(as_alice.ok()) << as_alice.status();
  ASSERT_EQ(as_alice->tests_size(), 1);
  EXPECT_EQ(as_alice->tests(0).name(), "hidden-1");
  EXPECT_EQ(as_alice->tests(0).group(), "");  // a one-test group's alias adds nothing
  EXPECT_EQ(as_alice->tests(0).trap(), "");
  EXPECT_FALSE(as_alice->tests(0).has_detail());
  EXPECT_EQ(as_alice->submitted_by(), "");
  // Another candidate: exactly as if it did not exist.
  absl::StatusOr<Submission> as_bob = api_->GetSubmission(bob_, get);
  EXPECT_EQ(as_bob.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(as_bob.status().message(), "no submission " + mine.id());
  // An interviewer sees the names, the trap and the heads.
  get.set_submission_id(mine.id());
  absl::StatusOr<Submission> as_interviewer = api_->GetSubmission(interviewer_, get);
  ASSERT_TRUE(as_interviewer.ok());
  EXPECT_EQ(as_interviewer->tests(0).name(), "eviction-order");
  EXPECT_FALSE(as_interviewer->tests(0).trap().empty());
  EXPECT_EQ(as_interviewer->tests(0).detail().output(), "200\n");
}

TEST_F(JudgeApiTest, ARetriedSubmitIsTheSameSubmissionAndOtherContentIsRefused) {
  absl::StatusOr<Submission> first = api_->Submit(alice_, Sql("", "r-1"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->source(), "SELECT 1;");  // answered with its source, never an empty one
  absl::StatusOr<Submission> again = api_->Submit(alice_, Sql("", "r-1"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->id(), first->id());
  judge::v1::SubmitRequest other = Sql("", "r-1");
  other.set_source("SELECT 2;");
  EXPECT_EQ(api_->Submit(alice_, other).status().code(), absl::StatusCode::kAlreadyExists);
  // Request ids belong to their key: the same id from another key is another submission.
  absl::StatusOr<Submission> bobs = api_->Submit(bob_, Sql("", "r-1"));
  ASSERT_TRUE(bobs.ok());
  EXPECT_NE(bobs->id(), first->id());
}

TEST_F(JudgeApiTest, PracticeRunsHaveTheirOwnRateAndAreNeverListed) {
  // Submit's bucket: three, then refused with when to retry.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(api_->Submit(alice_, Sql()).ok()) << i;
  absl::Status limited = api_->Submit(alice_, Sql()).status();
  EXPECT_EQ(limited.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(limited.message().find("retry in"), std::string::npos) << limited;
  // Practice runs still go: a bucket of their own.
  judge::v1::RunLiveRequest run;
  run.set_challenge_id("sql-null-trap");
  run.set_language("sql");
  run.set_source("SELECT 1;");
  std::string practice_id;
  {
    absl::StatusOr<std::unique_ptr<EventFeed>> feed =
        api_->RunLive(alice_, run, [](judge::v1::SubmissionEvent) {});
    ASSERT_TRUE(feed.ok()) << feed.status();
    practice_id = (*feed)->submission_id();
  }  // the feed closes: the run is cancelled (it was never judged)
  judge::v1::GetSubmissionRequest get;
  get.set_submission_id(practice_id);
  absl::StatusOr<Submission> practice = api_->GetSubmission(alice_, get);
  ASSERT_TRUE(practice.ok()) << practice.status();
  EXPECT_EQ(practice->mode(), judge::v1::SUBMISSION_MODE_PRACTICE);
  EXPECT_TRUE(practice->samples_only());
  EXPECT_EQ(practice->max_score(), 0u);
  EXPECT_EQ(api_->GetSubmission(bob_, get).status().code(), absl::StatusCode::kNotFound);
  for (const Principal* who : {&alice_, &interviewer_, &platform_}) {
    absl::StatusOr<judge::v1::ListSubmissionsResponse> listed =
        api_->ListSubmissions(*who, judge::v1::ListSubmissionsRequest());
    ASSERT_TRUE(listed.ok());
    for (const Submission& s : listed->submissions()) EXPECT_NE(s.id(), practice_id);
    EXPECT_EQ(listed->submissions_size(), 3);  // alice's three take-home submissions
  }
  // Ten more in a burst, then refused: practice has a limit too.
  int refused = 0;
  for (int i = 0; i < 12; ++i) {
    auto feed = api_->RunLive(alice_, run, [](judge::v1::SubmissionEvent) {});
    if (!feed.ok()) {
      EXPECT_EQ(feed.status().code(), absl::StatusCode::kResourceExhausted);
      EXPECT_NE(feed.status().message().find("run code"), std::string::npos) << feed.status();
      ++refused;
    }
  }
  EXPECT_GE(refused, 2);
}

TEST_F(JudgeApiTest, GetChallengeShowsTheLimitsTheGraderUses) {
  judge::v1::GetChallengeRequest req;
  req.set_challenge_id("ttl-lru-cache");
  absl::StatusOr<judge::v1::ChallengeDetail> d = api_->GetChallenge(alice_, req);
  ASSERT_TRUE(d.ok());
  const LoadedChallenge& ch = *challenges_.Find("ttl-lru-cache");
  for (const judge::v1::LanguageLimits& l : d->language_limits()) {
    const LoadedChallenge::RunLimits want = ch.LimitsFor(l.language());
    EXPECT_EQ(l.limits().cpu_time_ms(), want.cpu_time_ms) << l.language();
    EXPECT_EQ(l.limits().wall_time_ms(), want.wall_time_ms) << l.language();
    EXPECT_EQ(l.limits().memory_kib(), want.memory_kib) << l.language();
  }
  EXPECT_EQ(d->max_source_bytes(), 64u << 10);
  req.set_challenge_id("nope");
  absl::Status missing = api_->GetChallenge(alice_, req).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("known: slow-query-digest, sql-null-trap, ttl-lru-cache"),
            std::string::npos)
      << missing;
}

// In a cluster a node serves a challenge imported through another node from the first time
// it is asked for: GetChallenge and Submit fetch one the catalog lacks (Catalog::SetFetcher)
// rather than answer "no challenge".
TEST_F(JudgeApiTest, AChallengeThisNodeLacksIsFetchedWhenAskedFor) {
  Catalog here;  // this node: nothing yet; the "cluster" has sql-null-trap
  std::vector<std::string> fetched;
  here.SetFetcher([&](const std::string& id, uint32_t) {
    fetched.push_back(id);
    if (id == "sql-null-trap") here.Put(challenges_.Find(id));
  });
  JudgeApi api(&keys_, &here, store_.get(), engine_.get(), &hub_, &metrics_, ApiOptions{});
  judge::v1::GetChallengeRequest req;
  req.set_challenge_id("sql-null-trap");
  absl::StatusOr<judge::v1::ChallengeDetail> d = api.GetChallenge(alice_, req);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->summary().id(), "sql-null-trap");
  req.set_challenge_id("nowhere");
  EXPECT_EQ(api.GetChallenge(alice_, req).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(fetched, (std::vector<std::string>{"sql-null-trap", "nowhere"}));

  Catalog other;  // a second node, asked first to judge
  other.SetFetcher([&](const std::string& id, uint32_t) { other.Put(challenges_.Find(id)); });
  JudgeApi api2(&keys_, &other, store_.get(), engine_.get(), &hub_, &metrics_, ApiOptions{});
  absl::StatusOr<judge::v1::Submission> s = api2.Submit(platform_, Sql("carol"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->challenge_id(), "sql-null-trap");
}

}  // namespace
}  // namespace judge
