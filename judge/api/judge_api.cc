#include "judge/api/judge_api.h"

#include <algorithm>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "judge/api/log.h"
#include "judge/core/language.h"
#include "judge/core/sha256.h"
#include "judge/core/similarity.h"

namespace judge {

using judge::v1::SubmissionEvent;

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += len;
  }
  return true;
}

bool ValidName(const std::string& s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '@' || c == ':';
  });
}

// Sits in the hub's listener list; forwards each event, as the caller may see it, until the
// feed detaches it.
class EventFeed::Relay final : public Listener {
 public:
  Relay(EventFeed::Deliver deliver, std::function<void(SubmissionEvent*)> view)
      : deliver_(std::move(deliver)), view_(std::move(view)) {}
  void OnEvent(const SubmissionEvent& event) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!deliver_) return;
    SubmissionEvent copy = event;
    if (view_) view_(&copy);
    deliver_(std::move(copy));
  }
  void Detach() {
    std::lock_guard<std::mutex> lock(mu_);
    deliver_ = nullptr;
  }

 private:
  std::mutex mu_;
  EventFeed::Deliver deliver_;
  std::function<void(SubmissionEvent*)> view_;
};

EventFeed::EventFeed(Hub* hub, std::string id, std::shared_ptr<Relay> relay)
    : hub_(hub), id_(std::move(id)), relay_(std::move(relay)) {}

EventFeed::EventFeed(std::string id, std::function<void()> stop)
    : id_(std::move(id)), stop_(std::move(stop)) {}

EventFeed::~EventFeed() {
  if (on_close_) on_close_();
  if (relay_ != nullptr) {
    relay_->Detach();
    hub_->Unsubscribe(id_, relay_.get());
  }
  if (stop_) stop_();
}

JudgeApi::JudgeApi(const KeyStore* keys, const ChallengeMap* challenges, Store* store,
                   Engine* engine, Hub* hub, Metrics* metrics, ApiOptions options)
    : keys_(keys),
      challenges_(challenges),
      store_(store),
      engine_(engine),
      hub_(hub),
      metrics_(metrics),
      options_(options),
      rates_(RateOptions{options.candidate_rate, options.interviewer_rate, options.platform_rate,
                         options.admin_rate, options.practice_rate, 10},
             metrics) {}

absl::StatusOr<Principal> JudgeApi::Authenticate(bool present,
                                                 std::string_view authorization) const {
  if (!present) {
    return absl::UnauthenticatedError("missing \"authorization: Bearer <token>\"");
  }
  if (authorization.size() > 1024) {
    return absl::UnauthenticatedError(
        absl::StrCat("the authorization value is ", authorization.size(),
                     " bytes; a bearer token is a few dozen characters"));
  }
  std::optional<Principal> p = keys_->Authenticate(std::string(authorization));
  if (!p) return absl::UnauthenticatedError("unknown or malformed bearer token");
  return *p;
}

absl::StatusOr<Principal> JudgeApi::AuthenticatePeer(std::string_view assertion,
                                                     std::string_view mac,
                                                     bool client_certificate_verified) const {
  if (trust_ == nullptr) {
    return absl::UnauthenticatedError(
        "a node-to-node call, and this judged is not a node of a cluster");
  }
  return trust_->Accept(*keys_, assertion, mac, client_certificate_verified,
                        std::chrono::system_clock::now());
}

absl::StatusOr<judge::v1::ListLanguagesResponse> JudgeApi::ListLanguages(const Principal&) const {
  judge::v1::ListLanguagesResponse resp;
  for (const Language& l : Languages()) {
    judge::v1::LanguageInfo* info = resp.add_languages();
    info->set_id(l.id);
    info->set_name(l.name);
    info->set_display(l.display);
    *info->mutable_extensions() = {l.extensions.begin(), l.extensions.end()};
    info->set_editor_mode(l.editor_mode);
    info->set_starter(l.starter);
  }
  return resp;
}

absl::StatusOr<judge::v1::Caller> JudgeApi::WhoAmI(const Principal& who) const {
  judge::v1::Caller caller;
  switch (who.role) {
    case Role::kCandidate:
      caller.set_role(judge::v1::ROLE_CANDIDATE);
      break;
    case Role::kInterviewer:
      caller.set_role(judge::v1::ROLE_INTERVIEWER);
      break;
    case Role::kPlatform:
      caller.set_role(judge::v1::ROLE_PLATFORM);
      break;
    case Role::kAdmin:
      caller.set_role(judge::v1::ROLE_ADMIN);
      break;
  }
  caller.set_candidate_id(who.candidate_id);
  caller.set_key_id(who.key_id);
  return caller;
}

absl::Status JudgeApi::CheckCode(const std::string& challenge_id, const std::string& language,
                                 const std::string& source) const {
  auto it = challenges_->find(challenge_id);
  if (it == challenges_->end()) {
    std::vector<std::string> ids;
    for (const auto& [id, ch] : *challenges_) ids.push_back(id);
    return absl::InvalidArgumentError(absl::StrCat("unknown challenge \"",
                                                   challenge_id.substr(0, 80),
                                                   "\" (known: ", absl::StrJoin(ids, ", "), ")"));
  }
  const auto& langs = it->second->manifest.languages();
  if (FindLanguage(language) == nullptr ||
      std::find(langs.begin(), langs.end(), language) == langs.end()) {
    return absl::InvalidArgumentError(absl::StrCat("language \"", language.substr(0, 40),
                                                   "\" is not offered by ", challenge_id,
                                                   " (offered: ", absl::StrJoin(langs, ", "), ")"));
  }
  if (source.find_first_not_of(" \t\r\n") == std::string::npos) {
    return absl::InvalidArgumentError("source is empty");
  }
  if (source.size() > options_.max_source_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "source is ", source.size(), " bytes; the limit is ", options_.max_source_bytes));
  }
  // A NUL byte is valid UTF-8: the grader reports it as a compile error, with its line.
  if (!ValidUtf8(source)) return absl::InvalidArgumentError("source is not valid UTF-8");
  return absl::OkStatus();
}

absl::StatusOr<judge::v1::Submission> JudgeApi::EarlierRequest(
    const std::string& request_key, const std::string& candidate,
    const judge::v1::SubmitRequest& req) const {
  absl::StatusOr<judge::v1::Submission> prior = store_->FindRequest(request_key);
  if (!prior.ok()) return prior.status();
  std::vector<std::string> differs;
  if (prior->candidate_id() != candidate) differs.push_back("candidate_id");
  if (prior->challenge_id() != req.challenge_id()) differs.push_back("challenge_id");
  if (prior->language() != req.language()) differs.push_back("language");
  if (prior->source() != req.source()) differs.push_back("source");
  if (!differs.empty()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id \"", req.request_id(), "\" was already used for submission ", prior->id(),
        " with another ", absl::StrJoin(differs, ", "),
        "; a retry must repeat the request exactly, a new submission needs a new request_id"));
  }
  return prior;
}

judge::v1::Submission JudgeApi::NewSubmission(const Principal& who, const std::string& candidate,
                                              const std::string& challenge_id,
                                              const std::string& language,
                                              const std::string& source,
                                              judge::v1::SubmissionMode mode) const {
  judge::v1::Submission sub;
  sub.set_id(cluster_ != nullptr ? absl::StrCat(store_->NewId(), ".", cluster_->node_id())
                                 : store_->NewId());
  sub.set_candidate_id(candidate);
  sub.set_challenge_id(challenge_id);
  sub.set_language(language);
  sub.set_source(source);
  sub.set_mode(mode);
  sub.set_state(judge::v1::SUBMISSION_STATE_QUEUED);
  sub.set_max_score(challenges_->at(challenge_id)->max_score);
  sub.set_submitted_by(who.key_id);
  *sub.mutable_created_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  return sub;
}

absl::StatusOr<judge::v1::Submission> JudgeApi::ReadableSubmission(const Principal& who,
                                                                   const std::string& id) const {
  if (!ValidName(id, 64)) return absl::InvalidArgumentError("submission_id is malformed");
  absl::StatusOr<judge::v1::Submission> s = store_->Get(id);
  if (!s.ok()) {
    if (absl::IsNotFound(s.status())) return absl::NotFoundError("no submission " + id);
    return s.status();
  }
  // A candidate learns nothing of what is not theirs (views.h).
  if (!MayRead(who, *s)) return absl::NotFoundError("no submission " + id);
  return s;
}

absl::StatusOr<judge::v1::ListChallengesResponse> JudgeApi::ListChallenges(const Principal&) const {
  judge::v1::ListChallengesResponse resp;
  for (const auto& [id, ch] : *challenges_) {
    judge::v1::ChallengeSummary* s = resp.add_challenges();
    s->set_id(id);
    s->set_title(ch->manifest.title());
    s->set_summary(ch->manifest.summary());
    *s->mutable_languages() = ch->manifest.languages();
  }
  return resp;
}

absl::StatusOr<judge::v1::ChallengeDetail> JudgeApi::GetChallenge(
    const Principal&, const judge::v1::GetChallengeRequest& req) const {
  auto it = challenges_->find(req.challenge_id());
  if (it == challenges_->end()) {
    std::vector<std::string> ids;
    for (const auto& [id, ch] : *challenges_) ids.push_back(id);
    return absl::NotFoundError(absl::StrCat("no challenge \"", req.challenge_id().substr(0, 80),
                                            "\" (known: ", absl::StrJoin(ids, ", "), ")"));
  }
  const LoadedChallenge& ch = *it->second;
  judge::v1::ChallengeDetail resp;
  judge::v1::ChallengeSummary* s = resp.mutable_summary();
  s->set_id(ch.manifest.id());
  s->set_title(ch.manifest.title());
  s->set_summary(ch.manifest.summary());
  *s->mutable_languages() = ch.manifest.languages();
  resp.set_statement(ch.statement);
  resp.set_max_source_bytes(static_cast<uint32_t>(options_.max_source_bytes));
  auto fill = [](const LoadedChallenge::RunLimits& l, judge::v1::LimitsView* out) {
    out->set_cpu_time_ms(static_cast<uint32_t>(l.cpu_time_ms));
    out->set_wall_time_ms(static_cast<uint32_t>(l.wall_time_ms));
    out->set_memory_kib(l.memory_kib);
    out->set_output_kib(l.output_kib);
  };
  // The challenge's own limits (no language's multiplier), then each language's: computed where
  // the grader takes them from.
  const LoadedChallenge::RunLimits base = ch.LimitsFor("");
  fill(base, resp.mutable_limits());
  for (const std::string& language : ch.manifest.languages()) {
    judge::v1::LanguageLimits* ll = resp.add_language_limits();
    ll->set_language(language);
    fill(ch.LimitsFor(language), ll->mutable_limits());
  }
  resp.set_max_score(ch.max_score);
  uint32_t hidden = 0;
  for (const LoadedTest& t : ch.tests) {
    if (!t.sample) {
      ++hidden;  // never any of their data
      continue;
    }
    judge::v1::SampleTest* sample = resp.add_samples();
    sample->set_name(t.name);
    absl::StatusOr<std::string> in = ReadTextFile(t.input_path, 1 << 20);
    absl::StatusOr<std::string> ans = ReadTextFile(t.answer_path, 1 << 20);
    if (!in.ok() || !ans.ok()) return absl::InternalError("cannot read a sample test");
    sample->set_input(*in);
    sample->set_expected_output(*ans);
  }
  resp.set_hidden_tests(hidden);
  return resp;
}

absl::StatusOr<judge::v1::Submission> JudgeApi::Submit(const Principal& who,
                                                       const judge::v1::SubmitRequest& req) {
  std::string candidate = req.candidate_id();
  switch (who.role) {
    case Role::kInterviewer:
      return absl::PermissionDeniedError(
          "interviewers run code with RunLive; Submit is for candidates and platforms");
    case Role::kCandidate:
      if (!candidate.empty() && candidate != who.candidate_id) {
        return absl::PermissionDeniedError("a candidate may only submit as itself");
      }
      candidate = who.candidate_id;
      break;
    default:
      if (candidate.empty()) {
        return absl::InvalidArgumentError("candidate_id is required for this token");
      }
  }
  if (!ValidName(candidate, 128)) {
    return absl::InvalidArgumentError(
        "candidate_id must be 1-128 of letters, digits, '-', '_', '.', '@', ':'");
  }
  if (absl::Status s = CheckCode(req.challenge_id(), req.language(), req.source()); !s.ok()) {
    metrics_->AddRejected("invalid");
    return s;
  }
  if (req.request_id().size() > 128) {
    return absl::InvalidArgumentError("request_id is longer than 128 bytes");
  }
  // Request ids are scoped to the caller's key, so two callers never collide. A retry of an
  // acknowledged Submit is answered before the rate limit and the queue are consulted: a
  // client retrying under pressure gets its submission back, not RESOURCE_EXHAUSTED.
  std::string request_key = req.request_id().empty()
                                ? ""
                                : absl::StrCat(who.key_id, std::string(1, '\0'), req.request_id());
  // The answer to a retry: the earlier submission as Submit returned it.
  auto answer_retry = [](judge::v1::Submission prior) {
    prior.clear_tests();
    return prior;
  };
  if (!request_key.empty()) {
    absl::StatusOr<judge::v1::Submission> prior = EarlierRequest(request_key, candidate, req);
    if (prior.ok()) return answer_retry(*std::move(prior));
    if (!absl::IsNotFound(prior.status())) return prior.status();
  }
  // In a cluster the request id is claimed cluster-wide (a retry may come through any node):
  // the key names the caller's key and request id, the value the submission and a digest of
  // what was asked, so that a retry with other content is told apart.
  std::string cluster_key, digest;
  if (cluster_ != nullptr) {
    if (!cluster_->Connected()) {
      return absl::UnavailableError(absl::StrCat("node ", cluster_->node_id(),
                                                 " cannot reach NATS and cannot queue work now; "
                                                 "retry through another node"));
    }
    if (!request_key.empty()) {
      cluster_key = Sha256Hex(request_key);
      digest = Sha256Hex(absl::StrCat(candidate, std::string(1, '\0'), req.challenge_id(),
                                      std::string(1, '\0'), req.language(), std::string(1, '\0'),
                                      req.source()))
                   .substr(0, 16);
      absl::StatusOr<std::string> claimed = cluster_->LookupRequest(cluster_key);
      if (claimed.ok()) return ClaimedRequest(who, cluster_key, *claimed, digest, req.request_id());
      if (!absl::IsNotFound(claimed.status())) return claimed.status();
    }
  }
  if (absl::Status s = rates_.Submit(who); !s.ok()) return s;
  if (absl::Status s = engine_->Reserve(judge::v1::SUBMISSION_MODE_TAKE_HOME); !s.ok()) {
    metrics_->AddRejected("queue_full");
    return s;
  }
  judge::v1::Submission sub = NewSubmission(who, candidate, req.challenge_id(), req.language(),
                                            req.source(), judge::v1::SUBMISSION_MODE_TAKE_HOME);
  sub.set_request_id(req.request_id());
  if (!cluster_key.empty()) {
    const std::string mine = absl::StrCat(sub.id(), " ", digest);
    absl::StatusOr<std::string> claimed = cluster_->ClaimRequest(cluster_key, mine);
    if (!claimed.ok() || *claimed != mine) {
      engine_->Release(judge::v1::SUBMISSION_MODE_TAKE_HOME);
      if (!claimed.ok()) return claimed.status();
      // Another node won.
      return ClaimedRequest(who, cluster_key, *claimed, digest, req.request_id());
    }
  }
  absl::StatusOr<Store::Created> created = store_->Create(sub, request_key);
  if (!created.ok()) {
    engine_->Release(judge::v1::SUBMISSION_MODE_TAKE_HOME);
    if (!cluster_key.empty()) cluster_->ForgetRequest(cluster_key);
    spdlog::error("submit failed: {}", std::string(created.status().message()));
    return created.status();
  }
  if (!created->is_new) {
    // A concurrent request with the same id won the race: the same rule as above.
    engine_->Release(judge::v1::SUBMISSION_MODE_TAKE_HOME);
    absl::StatusOr<judge::v1::Submission> prior = EarlierRequest(request_key, candidate, req);
    if (!prior.ok()) return prior.status();
    return answer_retry(*std::move(prior));
  }
  if (absl::Status queued = engine_->Push(created->submission, true); !queued.ok()) {
    // Not acknowledged, so not kept: the caller retries (through another node).
    (void)store_->Erase({created->submission});
    if (!cluster_key.empty()) cluster_->ForgetRequest(cluster_key);
    if (absl::IsResourceExhausted(queued)) {  // the cluster's queue is full
      metrics_->AddRejected("queue_full");
      return queued;
    }
    return absl::UnavailableError(
        absl::StrCat("node ", cluster_ != nullptr ? cluster_->node_id() : "", " could not queue ",
                     "the submission (", queued.message(), "); retry through another node"));
  }
  spdlog::info("submission={} queued candidate={} challenge={} language={} key={}", sub.id(),
               candidate, sub.challenge_id(), sub.language(), who.key_id);
  // The submission as stored, its source included (an empty "source" read as if it were lost).
  return created->submission;
}

absl::StatusOr<judge::v1::Submission> JudgeApi::GetSubmission(
    const Principal& who, const judge::v1::GetSubmissionRequest& req) const {
  absl::StatusOr<std::string> remote = RemoteOwner(req.submission_id());
  if (!remote.ok()) return remote.status();
  if (!remote->empty()) {
    return FromOwner(peers_->GetSubmission(*remote, who, req), req.submission_id());
  }
  absl::StatusOr<judge::v1::Submission> s = ReadableSubmission(who, req.submission_id());
  if (!s.ok()) return s.status();
  // Being judged: COMPILING or RUNNING and the tests so far, as WatchSubmission shows them.
  if (s->state() != judge::v1::SUBMISSION_STATE_FINISHED) hub_->Progress(s->id(), &*s);
  ViewFor(*challenges_, who, &*s);
  return s;
}

absl::StatusOr<judge::v1::ListSubmissionsResponse> JudgeApi::ListSubmissions(
    const Principal& who, const judge::v1::ListSubmissionsRequest& req) const {
  if (cluster_ != nullptr && !who.this_node_only) return ListEverywhere(who, req);
  std::string candidate = req.candidate_id();
  if (who.role == Role::kCandidate) {
    if (!candidate.empty() && candidate != who.candidate_id) {
      return absl::PermissionDeniedError("a candidate may only list its own submissions");
    }
    candidate = who.candidate_id;
  }
  uint32_t page_size = req.page_size() == 0 ? 20 : req.page_size();
  if (page_size > 100) return absl::InvalidArgumentError("page_size must be between 1 and 100");
  if (!req.page_token().empty() && !ValidName(req.page_token(), 100)) {
    return absl::InvalidArgumentError("page_token is not one this server gave out");
  }
  absl::StatusOr<Store::Page> page =
      store_->List(candidate, req.challenge_id(), page_size, req.page_token());
  if (!page.ok()) return page.status();
  judge::v1::ListSubmissionsResponse resp;
  for (judge::v1::Submission& s : page->submissions) {
    if (!Listed(who, s)) continue;  // views.h
    ViewFor(*challenges_, who, &s);
    *resp.add_submissions() = std::move(s);
  }
  resp.set_next_page_token(page->next_page_token);
  return resp;
}

absl::StatusOr<std::unique_ptr<EventFeed>> JudgeApi::OpenFeed(const Principal& who,
                                                              const std::string& id,
                                                              const std::string& challenge_id,
                                                              EventFeed::Deliver deliver) const {
  std::function<void(SubmissionEvent*)> view = EventViewFor(*challenges_, who, challenge_id);
  auto relay = std::make_shared<EventFeed::Relay>(std::move(deliver), std::move(view));
  std::unique_ptr<EventFeed> feed(new EventFeed(hub_, id, relay));
  if (hub_->Subscribe(id, relay)) return feed;
  // Not being judged: it finished (or finished between our read and now).
  absl::StatusOr<judge::v1::Submission> now = store_->Get(id);
  if (now.ok() && now->state() == judge::v1::SUBMISSION_STATE_FINISHED) {
    SubmissionEvent done;
    done.set_submission_id(now->id());
    done.set_state(judge::v1::SUBMISSION_STATE_FINISHED);
    done.set_tests_total(static_cast<uint32_t>(now->tests_size()));
    now->clear_source();
    *done.mutable_submission() = *std::move(now);
    relay->OnEvent(done);
    return feed;
  }
  return absl::UnavailableError("the submission is not queued yet; retry in a moment");
}

absl::StatusOr<std::unique_ptr<EventFeed>> JudgeApi::WatchSubmission(
    const Principal& who, const judge::v1::WatchSubmissionRequest& req, EventFeed::Deliver deliver,
    EventFeed::Broken broken) const {
  absl::StatusOr<std::string> remote = RemoteOwner(req.submission_id());
  if (!remote.ok()) return remote.status();
  if (!remote->empty()) {
    auto on_broken = [broken = std::move(broken), id = req.submission_id()](const absl::Status& s) {
      if (broken) broken(FromOwner(absl::StatusOr<bool>(s), id).status());
    };
    absl::StatusOr<std::function<void()>> stop =
        FromOwner(peers_->Watch(*remote, who, req, std::move(deliver), std::move(on_broken)),
                  req.submission_id());
    if (!stop.ok()) return stop.status();
    return std::unique_ptr<EventFeed>(new EventFeed(req.submission_id(), *std::move(stop)));
  }
  absl::StatusOr<judge::v1::Submission> s = ReadableSubmission(who, req.submission_id());
  if (!s.ok()) return s.status();
  return OpenFeed(who, s->id(), s->challenge_id(), std::move(deliver));
}

absl::StatusOr<std::unique_ptr<EventFeed>> JudgeApi::RunLive(const Principal& who,
                                                             const judge::v1::RunLiveRequest& req,
                                                             EventFeed::Deliver deliver) {
  // A candidate's Run is practice before a graded Submit: the samples or their own input, on
  // the live queue, never a submission (never listed, graded or compared), at a rate of its own.
  const bool practice = who.role == Role::kCandidate;
  if (who.role == Role::kPlatform) {
    return absl::PermissionDeniedError("RunLive is for interviewers and candidates");
  }
  std::string candidate = req.candidate_id();
  if (practice) {
    if (!candidate.empty() && candidate != who.candidate_id) {
      return absl::PermissionDeniedError("a candidate may only run code as itself");
    }
    candidate = who.candidate_id;
  }
  if (!candidate.empty() && !ValidName(candidate, 128)) {
    return absl::InvalidArgumentError("candidate_id is malformed");
  }
  if (absl::Status s = CheckCode(req.challenge_id(), req.language(), req.source()); !s.ok()) {
    return s;
  }
  if (req.custom_stdin().size() > options_.max_custom_stdin_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("custom_stdin is larger than ", options_.max_custom_stdin_bytes, " bytes"));
  }
  if (!req.use_custom_stdin() && !req.custom_stdin().empty()) {
    return absl::InvalidArgumentError("custom_stdin is set but use_custom_stdin is not");
  }
  if (absl::Status s = practice ? rates_.Practice(who) : rates_.Submit(who); !s.ok()) return s;
  const judge::v1::SubmissionMode mode =
      practice ? judge::v1::SUBMISSION_MODE_PRACTICE : judge::v1::SUBMISSION_MODE_LIVE;
  // Live runs have a queue of their own: a full take-home queue never refuses an interviewer.
  if (absl::Status s = engine_->Reserve(mode, who.key_id); !s.ok()) {
    metrics_->AddRejected(absl::StrContains(s.message(), "this key") ? "live_runs_per_key"
                                                                     : "live_queue_full");
    return s;
  }
  judge::v1::Submission sub =
      NewSubmission(who, candidate, req.challenge_id(), req.language(), req.source(), mode);
  sub.set_use_custom_stdin(req.use_custom_stdin());
  sub.set_custom_stdin(req.custom_stdin());
  sub.set_samples_only(practice || req.samples_only());
  if (sub.samples_only() || sub.use_custom_stdin()) sub.set_max_score(0);
  absl::StatusOr<Store::Created> created = store_->Create(sub, "");
  if (!created.ok()) {
    engine_->Release(mode, who.key_id);
    return created.status();
  }
  // Queued first (the hub keeps its history), then subscribed: the stream misses nothing, and
  // a run that already finished is answered from the store.
  (void)engine_->Push(sub, true);  // live runs stay local: never refused
  spdlog::info("submission={} {} challenge={} language={} key={}", sub.id(),
               practice ? "practice run" : "live run", sub.challenge_id(), sub.language(),
               who.key_id);
  absl::StatusOr<std::unique_ptr<EventFeed>> feed =
      OpenFeed(who, sub.id(), sub.challenge_id(), std::move(deliver));
  if (!feed.ok()) {
    engine_->Cancel(sub.id());
    return feed.status();
  }
  // Its client gone (the stream closed, the call cancelled), the run stops: it would hold a
  // worker for nobody.
  (*feed)->on_close_ = [engine = engine_, id = sub.id()] { engine->Cancel(id); };
  return feed;
}

absl::StatusOr<judge::v1::ListSimilarSubmissionsResponse> JudgeApi::ListSimilarSubmissions(
    const Principal& who, const judge::v1::ListSimilarSubmissionsRequest& req) const {
  if (who.role == Role::kCandidate) {
    return absl::PermissionDeniedError(
        "similar submissions are for interviewers, platforms and admins");
  }
  if (challenges_->find(req.challenge_id()) == challenges_->end()) {
    return absl::NotFoundError("no challenge \"" + req.challenge_id().substr(0, 80) + "\"");
  }
  const double min_score = req.min_score() > 0 ? req.min_score() : kSimilarFromScore;
  if (min_score > 1) return absl::InvalidArgumentError("min_score is between 0 and 1");
  absl::StatusOr<std::vector<judge::v1::SimilarPair>> pairs =
      store_->ListSimilar(req.challenge_id());
  if (!pairs.ok()) return pairs.status();
  std::vector<judge::v1::SimilarPair> kept;
  for (judge::v1::SimilarPair& p : *pairs) {
    if (p.score() < min_score) continue;
    if (!req.candidate_id().empty() && p.candidate_a() != req.candidate_id() &&
        p.candidate_b() != req.candidate_id()) {
      continue;
    }
    kept.push_back(std::move(p));
  }
  std::sort(kept.begin(), kept.end(),
            [](const judge::v1::SimilarPair& a, const judge::v1::SimilarPair& b) {
              return a.score() > b.score();
            });
  judge::v1::ListSimilarSubmissionsResponse resp;
  for (judge::v1::SimilarPair& p : kept) *resp.add_pairs() = std::move(p);
  return resp;
}

absl::StatusOr<judge::v1::SubmissionReport> JudgeApi::GetReport(
    const Principal& who, const judge::v1::GetReportRequest& req) {
  if (who.role == Role::kCandidate) {
    return absl::PermissionDeniedError("reports are for interviewers, platforms and admins");
  }
  absl::StatusOr<std::string> remote = RemoteOwner(req.submission_id());
  if (!remote.ok()) return remote.status();
  if (!remote->empty()) {
    return FromOwner(peers_->GetReport(*remote, who, req), req.submission_id());
  }
  absl::StatusOr<judge::v1::Submission> s = ReadableSubmission(who, req.submission_id());
  if (!s.ok()) return s.status();
  judge::v1::SubmissionReport resp;
  judge::v1::Submission sub = *s;
  sub.clear_source();
  if (sub.state() != judge::v1::SUBMISSION_STATE_FINISHED) hub_->Progress(sub.id(), &sub);
  const std::vector<uint32_t> reference = engine_->ReferenceCpu(sub.challenge_id(), sub.language());
  uint64_t cpu = 0, ref = 0;
  for (const judge::v1::TestResult& t : sub.tests()) {
    judge::v1::ReportTest* rt = resp.add_tests();
    *rt->mutable_test() = t;
    if (t.index() >= 1 && t.index() <= reference.size()) {
      const uint32_t r = reference[t.index() - 1];
      rt->set_reference_cpu_ms(r);
      rt->set_cpu_ratio(static_cast<double>(t.cpu_ms()) / std::max<uint32_t>(r, 1));
      cpu += t.cpu_ms();
      ref += r;
    }
  }
  if (ref > 0) resp.set_cpu_ratio(static_cast<double>(cpu) / static_cast<double>(ref));
  if (reference.empty()) {
    resp.set_note(absl::StrCat("no reference time in ", sub.language(),
                               " yet: it is measured the first time a language is judged; ask "
                               "again in a moment"));
  }
  auto fill = [](const std::optional<Growth>& g, judge::v1::GrowthEstimate* out) {
    if (!g) {
      out->set_note("being measured on the challenge's scaling series; ask again in a moment");
      return;
    }
    out->set_fitted(g->fitted);
    out->set_exponent(g->exponent);
    out->set_low(g->low);
    out->set_high(g->high);
    out->set_note(g->note);
    for (const GrowthPoint& p : g->points) {
      judge::v1::GrowthPoint* gp = out->add_points();
      gp->set_n(p.n);
      gp->set_cpu_ms(p.cpu_ms);
      gp->set_over_cap(p.over_limit);
    }
  };
  auto ch = challenges_->find(sub.challenge_id());
  if (ch != challenges_->end() && !ch->second->scaling.empty() &&
      sub.state() == judge::v1::SUBMISSION_STATE_FINISHED && !sub.use_custom_stdin()) {
    fill(engine_->SubmissionGrowth(*s), resp.mutable_growth());
    fill(engine_->ReferenceGrowth(sub.challenge_id(), sub.language()),
         resp.mutable_reference_growth());
  }
  absl::StatusOr<std::vector<judge::v1::SimilarPair>> pairs =
      store_->ListSimilar(sub.challenge_id());
  if (pairs.ok()) {
    for (judge::v1::SimilarPair& p : *pairs) {
      if (p.score() >= kSimilarFromScore &&
          (p.submission_a() == sub.id() || p.submission_b() == sub.id())) {
        *resp.add_similar() = std::move(p);
      }
    }
  }
  *resp.mutable_submission() = std::move(sub);
  return resp;
}

absl::StatusOr<judge::v1::EraseCandidateResponse> JudgeApi::EraseCandidate(
    const Principal& who, const judge::v1::EraseCandidateRequest& req) {
  if (who.role != Role::kAdmin && who.role != Role::kPlatform) {
    return absl::PermissionDeniedError(
        "erasing a candidate's data is for admin and platform tokens");
  }
  const std::string& candidate = req.candidate_id();
  if (!ValidName(candidate, 128)) return absl::InvalidArgumentError("candidate_id is malformed");
  absl::StatusOr<std::vector<judge::v1::Submission>> subs = store_->AllOf(candidate);
  if (!subs.ok()) return subs.status();
  if (who.role == Role::kPlatform) {
    const size_t others = std::count_if(
        subs->begin(), subs->end(), [&](const auto& s) { return s.submitted_by() != who.key_id; });
    if (others > 0) {
      return absl::PermissionDeniedError(absl::StrCat(
          others, " of candidate ", candidate,
          "'s submissions were made with other keys; a platform token erases only candidates "
          "it submitted every submission for (an admin token erases any)"));
    }
  }
  absl::StatusOr<std::vector<judge::v1::Submission>> pending = store_->Pending();
  if (!pending.ok()) return pending.status();
  const size_t busy = std::count_if(pending->begin(), pending->end(),
                                    [&](const auto& s) { return s.candidate_id() == candidate; });
  if (busy > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(busy, " of candidate ", candidate,
                     "'s submissions are being judged or wait to be judged again; erase again once "
                     "they finish"));
  }
  if (absl::Status s = store_->Erase(*subs); !s.ok()) return s;
  for (const judge::v1::Submission& s : *subs) engine_->ForgetSource(s.language(), s.source());
  spdlog::info("candidate={} erased: {} submissions key={}", candidate, subs->size(), who.key_id);
  judge::v1::EraseCandidateResponse resp;
  resp.set_candidate_id(candidate);
  resp.set_submissions_erased(static_cast<uint32_t>(subs->size()));
  return resp;
}

absl::StatusOr<judge::v1::BackupResponse> JudgeApi::Backup(const Principal& who,
                                                           const judge::v1::BackupRequest& req) {
  if (who.role != Role::kAdmin) return absl::PermissionDeniedError("backups are for admin tokens");
  const std::string& dir = req.dir();
  if (dir.empty() || dir[0] != '/' || dir.find("/../") != std::string::npos ||
      absl::EndsWith(dir, "/..")) {
    return absl::InvalidArgumentError("dir must be an absolute path on the judge's host");
  }
  const uint64_t submissions = store_->CountSubmissions();
  absl::StatusOr<Store::BackupInfo> info = store_->Backup(dir);
  if (!info.ok()) return info.status();
  spdlog::info("backup {} into {}: {} bytes, {} submissions, key={}", info->backup_id, dir,
               info->size_bytes, submissions, who.key_id);
  judge::v1::BackupResponse resp;
  resp.set_dir(dir);
  resp.set_backup_id(info->backup_id);
  resp.set_size_bytes(info->size_bytes);
  resp.set_submissions(submissions);
  return resp;
}

absl::StatusOr<std::string> JudgeApi::RemoteOwner(const std::string& id) const {
  if (cluster_ == nullptr) return std::string();
  const std::string owner = OwnerOf(id);
  if (owner.empty() || owner == cluster_->node_id()) return std::string();
  if (!ValidName(id, 64)) return absl::InvalidArgumentError("submission_id is malformed");
  const std::map<std::string, std::string> nodes = cluster_->Nodes();
  auto it = nodes.find(owner);
  if (it == nodes.end()) {
    return absl::UnavailableError(absl::StrCat("submission ", id, " is kept by node ", owner,
                                               ", which is not reachable now; retry later"));
  }
  return it->second;
}

absl::StatusOr<judge::v1::Submission> JudgeApi::ClaimedRequest(
    const Principal& who, const std::string& key, const std::string& claimed,
    const std::string& digest, const std::string& request_id) const {
  std::vector<std::string> parts = absl::StrSplit(claimed, ' ');
  if (parts.size() != 2) return absl::InternalError("a malformed request record in NATS");
  if (parts[1] != digest) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id \"", request_id, "\" was already used for submission ", parts[0],
        " with another candidate_id, challenge_id, language or source; a retry must repeat "
        "the request exactly, a new submission needs a new request_id"));
  }
  judge::v1::GetSubmissionRequest get;
  get.set_submission_id(parts[0]);
  absl::StatusOr<judge::v1::Submission> prior = GetSubmission(who, get);
  // The node that claimed it may be storing it right now (claim, then store): a moment.
  for (int wait_ms = 10; absl::IsNotFound(prior.status()) && wait_ms <= 640; wait_ms *= 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    prior = GetSubmission(who, get);
  }
  if (absl::IsNotFound(prior.status())) {
    // Claimed by a node that stopped before storing it: nothing was acknowledged. The claim
    // goes, so that the next retry makes the submission.
    cluster_->ForgetRequest(key);
    return absl::UnavailableError("an earlier attempt of this request did not complete; retry");
  }
  if (!prior.ok()) return prior.status();
  prior->clear_source();
  prior->clear_tests();
  return prior;
}

absl::StatusOr<judge::v1::ListSubmissionsResponse> JudgeApi::ListEverywhere(
    const Principal& who, const judge::v1::ListSubmissionsRequest& req) const {
  const uint32_t page_size = req.page_size() == 0 ? 20 : req.page_size();
  if (page_size > 100) return absl::InvalidArgumentError("page_size must be between 1 and 100");
  // The token: where each node's listing stopped ("node=last id" joined by ';', "~" when that
  // node has no more), hex-encoded.
  std::map<std::string, std::string> cursors;
  if (!req.page_token().empty()) {
    std::string text;
    if (req.page_token().size() > 8192 ||
        req.page_token().find_first_not_of("0123456789abcdef") != std::string::npos ||
        req.page_token().size() % 2 != 0) {
      return absl::InvalidArgumentError("page_token is not one this server gave out");
    }
    text = absl::HexStringToBytes(req.page_token());
    for (absl::string_view entry : absl::StrSplit(text, ';', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(entry, absl::MaxSplits('=', 1));
      cursors[kv.first] = kv.second;
    }
  }
  struct Part {
    std::string node;
    std::vector<judge::v1::Submission> subs;
    size_t taken = 0;
    bool more = false;  // the node has more past what it returned
  };
  std::vector<Part> parts;
  for (const auto& [node, address] : cluster_->Nodes()) {
    if (cursors[node] == "~") continue;
    judge::v1::ListSubmissionsRequest local = req;
    local.set_page_token(cursors[node]);
    local.set_page_size(page_size);
    Principal here = who;
    here.this_node_only = true;
    absl::StatusOr<judge::v1::ListSubmissionsResponse> got =
        node == cluster_->node_id() ? ListSubmissions(here, local)
                                    : peers_->ListLocal(address, who, local);
    if (!got.ok()) {
      return absl::Status(got.status().code(),
                          absl::StrCat("listing on node ", node, ": ", got.status().message()));
    }
    Part part;
    part.node = node;
    part.subs.assign(got->submissions().begin(), got->submissions().end());
    part.more = !got->next_page_token().empty();
    parts.push_back(std::move(part));
  }
  // Newest first across nodes: ids order by time before the node id.
  auto time_of = [](const std::string& id) { return id.substr(0, id.find('.')); };
  judge::v1::ListSubmissionsResponse resp;
  while (static_cast<uint32_t>(resp.submissions_size()) < page_size) {
    Part* best = nullptr;
    for (Part& p : parts) {
      if (p.taken == p.subs.size()) continue;
      if (best == nullptr ||
          std::make_pair(time_of(p.subs[p.taken].id()), p.subs[p.taken].id()) >
              std::make_pair(time_of(best->subs[best->taken].id()), best->subs[best->taken].id())) {
        best = &p;
      }
    }
    if (best == nullptr) break;
    *resp.add_submissions() = best->subs[best->taken++];
  }
  bool any_more = false;
  for (Part& p : parts) {
    if (p.taken > 0) cursors[p.node] = p.subs[p.taken - 1].id();
    if (p.taken == p.subs.size() && !p.more) {
      cursors[p.node] = "~";
    } else {
      any_more = true;
    }
  }
  if (any_more) {
    std::vector<std::string> entries;
    for (const auto& [node, cursor] : cursors) entries.push_back(absl::StrCat(node, "=", cursor));
    resp.set_next_page_token(absl::BytesToHexString(absl::StrJoin(entries, ";")));
  }
  return resp;
}

}  // namespace judge
