#include "judge/service/service.h"

#include <algorithm>
#include <deque>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/util/time_util.h"
#include "google/protobuf/wire_format_lite.h"
#include "judge/core/language.h"
#include "judge/core/similarity.h"
#include "judge/service/log.h"

namespace judge {
namespace {

using judge::v1::SubmissionEvent;

bool ValidUtf8(const std::string& s) {
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

// The name of the first string field of a serialized `descriptor` message whose bytes are not
// UTF-8 (top level only), or "".
std::string InvalidUtf8Field(const google::protobuf::Descriptor& descriptor,
                             const std::string& bytes) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  while (uint32_t tag = in.ReadTag()) {
    const int number = static_cast<int>(tag >> 3);
    const auto wire = google::protobuf::internal::WireFormatLite::GetTagWireType(tag);
    if (wire != google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) return "";
      continue;
    }
    std::string value;
    if (!google::protobuf::internal::WireFormatLite::ReadString(&in, &value)) return "";
    const google::protobuf::FieldDescriptor* f = descriptor.FindFieldByNumber(number);
    if (f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
        !ValidUtf8(value)) {
      return f->name();
    }
  }
  return "";
}

bool ValidName(const std::string& s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '@' || c == ':';
  });
}

grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* ctx, const absl::Status& s) {
  grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
  r->Finish(ToGrpc(s));
  return r;
}

// Streams SubmissionEvents to one client: events queue up (from the hub, on any thread) and are
// written one at a time; the FINISHED event ends the call.
class EventStream final : public grpc::ServerWriteReactor<SubmissionEvent> {
 public:
  class Sink final : public Listener {
   public:
    explicit Sink(EventStream* stream) : stream_(stream) {}
    void OnEvent(const SubmissionEvent& event) override {
      std::lock_guard<std::mutex> lock(mu_);
      if (stream_ != nullptr) stream_->Push(event);
    }
    void Detach() {
      std::lock_guard<std::mutex> lock(mu_);
      stream_ = nullptr;
    }

   private:
    std::mutex mu_;
    EventStream* stream_;
  };

  // `view` rewrites each event for the caller's eyes (hidden test names for a candidate).
  EventStream(Hub* hub, std::string id, std::function<void(SubmissionEvent*)> view = nullptr)
      : hub_(hub), id_(std::move(id)), view_(std::move(view)) {
    sink_ = std::make_shared<Sink>(this);
  }
  // Subscribes to the hub (history first); false when the submission is not being judged.
  bool Subscribe() { return hub_->Subscribe(id_, sink_); }

  void Push(const SubmissionEvent& event) {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    queue_.push_back(event);
    if (view_) view_(&queue_.back());
    if (!writing_) {
      writing_ = true;
      StartWrite(&queue_.front());
    }
  }
  void FinishWith(const grpc::Status& status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    if (!writing_) Finish(status);
    else pending_status_ = status;
  }
  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    bool last = queue_.front().state() == judge::v1::SUBMISSION_STATE_FINISHED;
    queue_.pop_front();
    if (!ok || last || finished_) {
      writing_ = false;
      if (!finished_) {
        finished_ = true;
        Finish(ok ? grpc::Status::OK : grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      } else {
        Finish(pending_status_);
      }
      return;
    }
    if (!queue_.empty()) {
      StartWrite(&queue_.front());
    } else {
      writing_ = false;
    }
  }
  void OnCancel() override { FinishWith(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")); }
  void OnDone() override {
    sink_->Detach();
    hub_->Unsubscribe(id_, sink_.get());
    delete this;
  }

 private:
  Hub* hub_;
  std::string id_;
  std::function<void(SubmissionEvent*)> view_;
  std::shared_ptr<Sink> sink_;
  std::mutex mu_;
  std::deque<SubmissionEvent> queue_;
  bool writing_ = false;
  bool finished_ = false;
  grpc::Status pending_status_;
};

// A stream that fails at once.
grpc::ServerWriteReactor<SubmissionEvent>* FailedStream(const absl::Status& status) {
  class Failed final : public grpc::ServerWriteReactor<SubmissionEvent> {
   public:
    explicit Failed(const grpc::Status& s) { Finish(s); }
    void OnDone() override { delete this; }
  };
  return new Failed(ToGrpc(status));
}

}  // namespace

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

JudgeServiceImpl::JudgeServiceImpl(const KeyStore* keys, const ChallengeMap* challenges,
                                   Store* store, Engine* engine, Hub* hub, Metrics* metrics,
                                   ServiceOptions options)
    : keys_(keys),
      challenges_(challenges),
      store_(store),
      engine_(engine),
      hub_(hub),
      metrics_(metrics),
      options_(options) {}

absl::StatusOr<Principal> JudgeServiceImpl::Authenticate(grpc::CallbackServerContext* ctx) const {
  auto range = ctx->client_metadata().equal_range("authorization");
  if (range.first == range.second) {
    return absl::UnauthenticatedError("missing \"authorization: Bearer <token>\" metadata");
  }
  if (range.first->second.size() > 1024) {
    return absl::UnauthenticatedError(
        absl::StrCat("the authorization metadata is ", range.first->second.size(),
                     " bytes; a bearer token is a few dozen characters"));
  }
  std::string value(range.first->second.data(), range.first->second.size());
  std::optional<Principal> p = keys_->Authenticate(value);
  if (!p) return absl::UnauthenticatedError("unknown or malformed bearer token");
  return *p;
}

absl::Status JudgeServiceImpl::CheckCode(const std::string& challenge_id,
                                         const std::string& language,
                                         const std::string& source) const {
  auto it = challenges_->find(challenge_id);
  if (it == challenges_->end()) {
    std::vector<std::string> ids;
    for (const auto& [id, ch] : *challenges_) ids.push_back(id);
    return absl::InvalidArgumentError(absl::StrCat("unknown challenge \"", challenge_id.substr(0, 80),
                                                   "\" (known: ", absl::StrJoin(ids, ", "), ")"));
  }
  const auto& langs = it->second->manifest.languages();
  if (FindLanguage(language) == nullptr ||
      std::find(langs.begin(), langs.end(), language) == langs.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "language \"", language.substr(0, 40), "\" is not offered by ", challenge_id,
        " (offered: ", absl::StrJoin(langs, ", "), ")"));
  }
  if (source.find_first_not_of(" \t\r\n") == std::string::npos) {
    return absl::InvalidArgumentError("source is empty");
  }
  if (source.size() > options_.max_source_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("source is ", source.size(),
                                                   " bytes; the limit is ",
                                                   options_.max_source_bytes));
  }
  if (!ValidUtf8(source)) return absl::InvalidArgumentError("source is not valid UTF-8");
  if (source.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("source contains a NUL byte");
  }
  return absl::OkStatus();
}

absl::Status JudgeServiceImpl::RateLimit(const Principal& who) {
  double rate = who.rate_per_second;
  if (rate <= 0) {
    switch (who.role) {
      case Role::kCandidate: rate = options_.candidate_rate; break;
      case Role::kInterviewer: rate = options_.interviewer_rate; break;
      case Role::kPlatform: rate = options_.platform_rate; break;
      case Role::kAdmin: rate = options_.admin_rate; break;
    }
  }
  const double burst = std::max(3.0, rate * 10);
  std::lock_guard<std::mutex> lock(rate_mu_);
  auto now = std::chrono::steady_clock::now();
  auto [it, inserted] = buckets_.try_emplace(who.key_id, Bucket{burst, now});
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst, b.tokens + elapsed * rate);
  b.last = now;
  if (b.tokens < 1) {
    metrics_->AddRejected("rate_limit");
    const double wait = (1 - b.tokens) / rate;
    return absl::ResourceExhaustedError(absl::StrCat(
        "rate limit: this key may submit ", rate < 1 ? absl::StrCat(rate * 60, " times a minute")
                                                   : absl::StrCat(rate, " times a second"),
        " (bursts of ", static_cast<int>(burst), "); retry in ", static_cast<int>(wait + 1), " s"));
  }
  b.tokens -= 1;
  return absl::OkStatus();
}

absl::StatusOr<judge::v1::Submission> JudgeServiceImpl::EarlierRequest(
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

judge::v1::Submission JudgeServiceImpl::NewSubmission(const std::string& candidate,
                                                      const std::string& challenge_id,
                                                      const std::string& language,
                                                      const std::string& source,
                                                      judge::v1::SubmissionMode mode) const {
  judge::v1::Submission sub;
  sub.set_id(store_->NewId());
  sub.set_candidate_id(candidate);
  sub.set_challenge_id(challenge_id);
  sub.set_language(language);
  sub.set_source(source);
  sub.set_mode(mode);
  sub.set_state(judge::v1::SUBMISSION_STATE_QUEUED);
  sub.set_max_score(challenges_->at(challenge_id)->max_score);
  *sub.mutable_created_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  return sub;
}

void JudgeServiceImpl::ViewFor(const Principal& who, judge::v1::Submission* s) const {
  if (who.role != Role::kCandidate) return;
  auto it = challenges_->find(s->challenge_id());
  if (it != challenges_->end()) HideTestNames(*it->second, s);
}

absl::StatusOr<judge::v1::Submission> JudgeServiceImpl::ReadableSubmission(
    const Principal& who, const std::string& id) const {
  if (!ValidName(id, 64)) return absl::InvalidArgumentError("submission_id is malformed");
  absl::StatusOr<judge::v1::Submission> s = store_->Get(id);
  if (!s.ok()) {
    if (absl::IsNotFound(s.status())) return absl::NotFoundError("no submission " + id);
    return s.status();
  }
  // A candidate learns nothing of what is not theirs: another candidate's submission and an
  // interviewer's live run (even one made with their candidate id) look exactly like an id that
  // does not exist (ids are time-ordered, so PERMISSION_DENIED would confirm a guess).
  if (who.role == Role::kCandidate &&
      (s->candidate_id() != who.candidate_id || s->mode() == judge::v1::SUBMISSION_MODE_LIVE)) {
    return absl::NotFoundError("no submission " + id);
  }
  return s;
}

grpc::ServerUnaryReactor* JudgeServiceImpl::ListChallenges(
    grpc::CallbackServerContext* ctx, const judge::v1::ListChallengesRequest*,
    judge::v1::ListChallengesResponse* resp) {
  absl::StatusOr<Principal> who = Authenticate(ctx);
  if (!who.ok()) return Done(ctx, who.status());
  for (const auto& [id, ch] : *challenges_) {
    judge::v1::ChallengeSummary* s = resp->add_challenges();
    s->set_id(id);
    s->set_title(ch->manifest.title());
    s->set_summary(ch->manifest.summary());
    *s->mutable_languages() = ch->manifest.languages();
  }
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* JudgeServiceImpl::GetChallenge(grpc::CallbackServerContext* ctx,
                                                         const judge::v1::GetChallengeRequest* req,
                                                         judge::v1::ChallengeDetail* resp) {
  absl::StatusOr<Principal> who = Authenticate(ctx);
  if (!who.ok()) return Done(ctx, who.status());
  auto it = challenges_->find(req->challenge_id());
  if (it == challenges_->end()) {
    return Done(ctx, absl::NotFoundError("no challenge \"" + req->challenge_id().substr(0, 80) + "\""));
  }
  const LoadedChallenge& ch = *it->second;
  judge::v1::ChallengeSummary* s = resp->mutable_summary();
  s->set_id(ch.manifest.id());
  s->set_title(ch.manifest.title());
  s->set_summary(ch.manifest.summary());
  *s->mutable_languages() = ch.manifest.languages();
  resp->set_statement(ch.statement);
  const judge::v1::Limits& lim = ch.manifest.limits();
  resp->mutable_limits()->set_cpu_time_ms(lim.cpu_time_ms());
  resp->mutable_limits()->set_wall_time_ms(lim.wall_time_ms() ? lim.wall_time_ms()
                                                              : lim.cpu_time_ms() * 3 + 1000);
  resp->mutable_limits()->set_memory_kib(lim.memory_kib());
  resp->mutable_limits()->set_output_kib(lim.output_kib());
  resp->set_max_score(ch.max_score);
  uint32_t hidden = 0;
  for (const LoadedTest& t : ch.tests) {
    if (!t.sample) {
      ++hidden;  // never any of their data
      continue;
    }
    judge::v1::SampleTest* sample = resp->add_samples();
    sample->set_name(t.name);
    absl::StatusOr<std::string> in = ReadTextFile(t.input_path, 1 << 20);
    absl::StatusOr<std::string> ans = ReadTextFile(t.answer_path, 1 << 20);
    if (!in.ok() || !ans.ok()) return Done(ctx, absl::InternalError("cannot read a sample test"));
    sample->set_input(*in);
    sample->set_expected_output(*ans);
  }
  resp->set_hidden_tests(hidden);
  return Done(ctx, absl::OkStatus());
}

absl::Status JudgeServiceImpl::SubmitImpl(grpc::CallbackServerContext* ctx,
                                          const judge::v1::SubmitRequest* req,
                                          judge::v1::Submission* resp) {
  absl::StatusOr<Principal> who = Authenticate(ctx);
  if (!who.ok()) return who.status();
  std::string candidate = req->candidate_id();
  switch (who->role) {
    case Role::kInterviewer:
      return absl::PermissionDeniedError(
          "interviewers run code with RunLive; Submit is for candidates and "
          "platforms");
    case Role::kCandidate:
      if (!candidate.empty() && candidate != who->candidate_id) {
        return absl::PermissionDeniedError("a candidate may only submit as itself");
      }
      candidate = who->candidate_id;
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
  if (absl::Status s = CheckCode(req->challenge_id(), req->language(), req->source()); !s.ok()) {
    metrics_->AddRejected("invalid");
    return s;
  }
  if (req->request_id().size() > 128) {
    return absl::InvalidArgumentError("request_id is longer than 128 bytes");
  }
  // Request ids are scoped to the caller's key, so two callers never collide. A retry of an
  // acknowledged Submit is answered before the rate limit and the queue are consulted: a
  // client retrying under pressure gets its submission back, not RESOURCE_EXHAUSTED.
  std::string request_key =
      req->request_id().empty() ? "" : absl::StrCat(who->key_id, std::string(1, '\0'), req->request_id());
  // The answer to a retry: the earlier submission as Submit returned it.
  auto answer_retry = [&](judge::v1::Submission prior) {
    *resp = std::move(prior);
    resp->clear_source();
    resp->clear_tests();
    return absl::OkStatus();
  };
  if (!request_key.empty()) {
    absl::StatusOr<judge::v1::Submission> prior = EarlierRequest(request_key, candidate, *req);
    if (prior.ok()) return answer_retry(*std::move(prior));
    if (!absl::IsNotFound(prior.status())) return prior.status();
  }
  if (absl::Status s = RateLimit(*who); !s.ok()) return s;
  if (absl::Status s = engine_->Reserve(judge::v1::SUBMISSION_MODE_TAKE_HOME); !s.ok()) {
    metrics_->AddRejected("queue_full");
    return s;
  }
  judge::v1::Submission sub = NewSubmission(candidate, req->challenge_id(), req->language(),
                                             req->source(), judge::v1::SUBMISSION_MODE_TAKE_HOME);
  sub.set_request_id(req->request_id());
  absl::StatusOr<std::pair<judge::v1::Submission, bool>> created = store_->Create(sub, request_key);
  if (!created.ok()) {
    engine_->Release(judge::v1::SUBMISSION_MODE_TAKE_HOME);
    LogError("submit failed: %s", std::string(created.status().message()).c_str());
    return created.status();
  }
  if (!created->second) {
    // A concurrent request with the same id won the race: the same rule as above.
    engine_->Release(judge::v1::SUBMISSION_MODE_TAKE_HOME);
    absl::StatusOr<judge::v1::Submission> prior = EarlierRequest(request_key, candidate, *req);
    if (!prior.ok()) return prior.status();
    return answer_retry(*std::move(prior));
  }
  engine_->Push(created->first, true);
  LogInfo("submission=%s queued candidate=%s challenge=%s language=%s key=%s", sub.id().c_str(),
          candidate.c_str(), sub.challenge_id().c_str(), sub.language().c_str(),
          who->key_id.c_str());
  *resp = created->first;
  resp->clear_source();
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* JudgeServiceImpl::Submit(grpc::CallbackServerContext* ctx,
                                                   const judge::v1::SubmitRequest* req,
                                                   judge::v1::Submission* resp) {
  return Done(ctx, SubmitImpl(ctx, req, resp));
}

grpc::ServerUnaryReactor* JudgeServiceImpl::Submit(grpc::CallbackServerContext* ctx,
                                                   const grpc::ByteBuffer* raw,
                                                   grpc::ByteBuffer* raw_resp) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (raw->Dump(&slices).ok()) {
    for (const grpc::Slice& slice : slices) {
      bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
  }
  judge::v1::SubmitRequest req;
  if (!req.ParseFromString(bytes)) {
    const std::string field = InvalidUtf8Field(*judge::v1::SubmitRequest::descriptor(), bytes);
    return Done(ctx, absl::InvalidArgumentError(
                         field.empty() ? "the request is not a valid judge.v1.SubmitRequest"
                                       : absl::StrCat(field, " is not valid UTF-8")));
  }
  judge::v1::Submission resp;
  absl::Status s = SubmitImpl(ctx, &req, &resp);
  if (s.ok()) {
    grpc::Slice slice(resp.SerializeAsString());
    *raw_resp = grpc::ByteBuffer(&slice, 1);
  }
  return Done(ctx, s);
}

grpc::ServerUnaryReactor* JudgeServiceImpl::GetSubmission(
    grpc::CallbackServerContext* ctx, const judge::v1::GetSubmissionRequest* req,
    judge::v1::Submission* resp) {
  absl::StatusOr<Principal> who = Authenticate(ctx);
  if (!who.ok()) return Done(ctx, who.status());
  absl::StatusOr<judge::v1::Submission> s = ReadableSubmission(*who, req->submission_id());
  if (!s.ok()) return Done(ctx, s.status());
  *resp = *s;
  // Being judged: COMPILING or RUNNING and the tests so far, as WatchSubmission shows them.
  if (resp->state() != judge::v1::SUBMISSION_STATE_FINISHED) hub_->Progress(resp->id(), resp);
  ViewFor(*who, resp);
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* JudgeServiceImpl::ListSubmissions(
    grpc::CallbackServerContext* ctx, const judge::v1::ListSubmissionsRequest* req,
    judge::v1::ListSubmissionsResponse* resp) {
  absl::StatusOr<Principal> who = Authenticate(ctx);
  if (!who.ok()) return Done(ctx, who.status());
  std::string candidate = req->candidate_id();
  if (who->role == Role::kCandidate) {
    if (!candidate.empty() && candidate != who->candidate_id) {
      return Done(ctx, absl::PermissionDeniedError("a candidate may only list its own submissions"));
    }
    candidate = who->candidate_id;
  }
  uint32_t page_size = req->page_size() == 0 ? 20 : req->page_size();
  if (page_size > 100) {
    return Done(ctx, absl::InvalidArgumentError("page_size must be between 1 and 100"));
  }
  if (!req->page_token().empty() &&
      (req->page_token().size() > 32 ||
       req->page_token().find_first_not_of("0123456789abcdef") != std::string::npos)) {
    return Done(ctx, absl::InvalidArgumentError("page_token is not one this server gave out"));
  }
  absl::StatusOr<Store::Page> page =
      store_->List(candidate, req->challenge_id(), page_size, req->page_token());
  if (!page.ok()) return Done(ctx, page.status());
  for (judge::v1::Submission& s : page->submissions) {
    // Interviewers' live runs are theirs, not the candidate's.
    if (who->role == Role::kCandidate && s.mode() == judge::v1::SUBMISSION_MODE_LIVE) continue;
    ViewFor(*who, &s);
    *resp->add_submissions() = std::move(s);
  }
  resp->set_next_page_token(page->next_page_token);
  return Done(ctx, absl::OkStatus());
}

grpc::ServerWriteReactor<SubmissionEvent>* JudgeServiceImpl::WatchSubmission(
    grpc::CallbackServerContext* ctx, const judge::v1::WatchSubmissionRequest* req) {
  absl::StatusOr<Principal> who = Authenticate(ctx);
  if (!who.ok()) return FailedStream(who.status());
  absl::StatusOr<judge::v1::Submission> s = ReadableSubmission(*who, req->submission_id());
  if (!s.ok()) return FailedStream(s.status());
  std::function<void(SubmissionEvent*)> view;
  if (who->role == Role::kCandidate) {
    auto it = challenges_->find(s->challenge_id());
    if (it != challenges_->end()) {
      std::shared_ptr<const LoadedChallenge> ch = it->second;
      view = [ch](SubmissionEvent* e) { HideTestNames(*ch, e); };
    }
  }
  return StartStream(s->id(), std::move(view));
}

grpc::ServerWriteReactor<SubmissionEvent>* JudgeServiceImpl::StartStream(
    const std::string& id, std::function<void(SubmissionEvent*)> view) {
  auto* stream = new EventStream(hub_, id, std::move(view));
  if (!stream->Subscribe()) {
    // Not being judged: it finished (or finished between our read and now).
    absl::StatusOr<judge::v1::Submission> now = store_->Get(id);
    if (now.ok() && now->state() == judge::v1::SUBMISSION_STATE_FINISHED) {
      SubmissionEvent done;
      done.set_submission_id(now->id());
      done.set_state(judge::v1::SUBMISSION_STATE_FINISHED);
      now->clear_source();
      *done.mutable_submission() = *now;
      stream->Push(done);
    } else {
      stream->FinishWith(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                      "the submission is not queued yet; retry in a moment"));
    }
  }
  return stream;
}

grpc::ServerWriteReactor<SubmissionEvent>* JudgeServiceImpl::RunLive(
    grpc::CallbackServerContext* ctx, const judge::v1::RunLiveRequest* req) {
  absl::StatusOr<Principal> who = Authenticate(ctx);
  if (!who.ok()) return FailedStream(who.status());
  if (who->role != Role::kInterviewer && who->role != Role::kAdmin) {
    return FailedStream(absl::PermissionDeniedError("RunLive is for interviewers"));
  }
  std::string candidate = req->candidate_id().empty() ? "live" : req->candidate_id();
  if (!ValidName(candidate, 128)) {
    return FailedStream(absl::InvalidArgumentError("candidate_id is malformed"));
  }
  if (absl::Status s = CheckCode(req->challenge_id(), req->language(), req->source()); !s.ok()) {
    return FailedStream(s);
  }
  if (req->custom_stdin().size() > options_.max_custom_stdin_bytes) {
    return FailedStream(absl::InvalidArgumentError(absl::StrCat(
        "custom_stdin is larger than ", options_.max_custom_stdin_bytes, " bytes")));
  }
  if (!req->use_custom_stdin() && !req->custom_stdin().empty()) {
    return FailedStream(absl::InvalidArgumentError("custom_stdin is set but use_custom_stdin is not"));
  }
  if (absl::Status s = RateLimit(*who); !s.ok()) return FailedStream(s);
  // Live runs have a queue of their own: a full take-home queue never refuses an interviewer.
  if (absl::Status s = engine_->Reserve(judge::v1::SUBMISSION_MODE_LIVE); !s.ok()) {
    metrics_->AddRejected("live_queue_full");
    return FailedStream(s);
  }
  judge::v1::Submission sub = NewSubmission(candidate, req->challenge_id(), req->language(),
                                             req->source(), judge::v1::SUBMISSION_MODE_LIVE);
  sub.set_use_custom_stdin(req->use_custom_stdin());
  sub.set_custom_stdin(req->custom_stdin());
  absl::StatusOr<std::pair<judge::v1::Submission, bool>> created = store_->Create(sub, "");
  if (!created.ok()) {
    engine_->Release(judge::v1::SUBMISSION_MODE_LIVE);
    return FailedStream(created.status());
  }
  // Queued first (the hub keeps its history), then subscribed: the stream misses nothing, and
  // a run that already finished is answered from the store.
  engine_->Push(sub, true);
  LogInfo("submission=%s live run challenge=%s language=%s key=%s", sub.id().c_str(),
          sub.challenge_id().c_str(), sub.language().c_str(), who->key_id.c_str());
  return StartStream(sub.id());
}

grpc::ServerUnaryReactor* JudgeServiceImpl::ListSimilarSubmissions(
    grpc::CallbackServerContext* ctx, const judge::v1::ListSimilarSubmissionsRequest* req,
    judge::v1::ListSimilarSubmissionsResponse* resp) {
  absl::StatusOr<Principal> who = Authenticate(ctx);
  if (!who.ok()) return Done(ctx, who.status());
  if (who->role == Role::kCandidate) {
    return Done(ctx, absl::PermissionDeniedError(
                         "similar submissions are for interviewers, platforms and admins"));
  }
  if (challenges_->find(req->challenge_id()) == challenges_->end()) {
    return Done(ctx, absl::NotFoundError("no challenge \"" + req->challenge_id().substr(0, 80) + "\""));
  }
  const double min_score = req->min_score() > 0 ? req->min_score() : kSimilarFromScore;
  if (min_score > 1) return Done(ctx, absl::InvalidArgumentError("min_score is between 0 and 1"));
  absl::StatusOr<std::vector<judge::v1::SimilarPair>> pairs = store_->ListSimilar(req->challenge_id());
  if (!pairs.ok()) return Done(ctx, pairs.status());
  std::vector<judge::v1::SimilarPair> kept;
  for (judge::v1::SimilarPair& p : *pairs) {
    if (p.score() < min_score) continue;
    if (!req->candidate_id().empty() && p.candidate_a() != req->candidate_id() &&
        p.candidate_b() != req->candidate_id()) {
      continue;
    }
    kept.push_back(std::move(p));
  }
  std::sort(kept.begin(), kept.end(), [](const judge::v1::SimilarPair& a, const judge::v1::SimilarPair& b) {
    return a.score() > b.score();
  });
  for (judge::v1::SimilarPair& p : kept) *resp->add_pairs() = std::move(p);
  return Done(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* JudgeServiceImpl::GetReport(grpc::CallbackServerContext* ctx,
                                                      const judge::v1::GetReportRequest* req,
                                                      judge::v1::SubmissionReport* resp) {
  absl::StatusOr<Principal> who = Authenticate(ctx);
  if (!who.ok()) return Done(ctx, who.status());
  if (who->role == Role::kCandidate) {
    return Done(ctx, absl::PermissionDeniedError("reports are for interviewers, platforms and admins"));
  }
  absl::StatusOr<judge::v1::Submission> s = ReadableSubmission(*who, req->submission_id());
  if (!s.ok()) return Done(ctx, s.status());
  judge::v1::Submission sub = *s;
  sub.clear_source();
  if (sub.state() != judge::v1::SUBMISSION_STATE_FINISHED) hub_->Progress(sub.id(), &sub);
  const std::vector<uint32_t> reference = engine_->ReferenceCpu(sub.challenge_id(), sub.language());
  uint64_t cpu = 0, ref = 0;
  for (const judge::v1::TestResult& t : sub.tests()) {
    judge::v1::ReportTest* rt = resp->add_tests();
    *rt->mutable_test() = t;
    if (t.index() >= 1 && t.index() <= reference.size()) {
      const uint32_t r = reference[t.index() - 1];
      rt->set_reference_cpu_ms(r);
      rt->set_cpu_ratio(static_cast<double>(t.cpu_ms()) / std::max<uint32_t>(r, 1));
      cpu += t.cpu_ms();
      ref += r;
    }
  }
  if (ref > 0) resp->set_cpu_ratio(static_cast<double>(cpu) / static_cast<double>(ref));
  if (reference.empty()) {
    resp->set_note(absl::StrCat("no reference time in ", sub.language(),
                                " yet: it is measured the first time a language is judged; ask again "
                                "in a moment"));
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
    fill(engine_->SubmissionGrowth(*s), resp->mutable_growth());
    fill(engine_->ReferenceGrowth(sub.challenge_id(), sub.language()),
         resp->mutable_reference_growth());
  }
  absl::StatusOr<std::vector<judge::v1::SimilarPair>> pairs = store_->ListSimilar(sub.challenge_id());
  if (pairs.ok()) {
    for (judge::v1::SimilarPair& p : *pairs) {
      if (p.score() >= kSimilarFromScore &&
          (p.submission_a() == sub.id() || p.submission_b() == sub.id())) {
        *resp->add_similar() = std::move(p);
      }
    }
  }
  *resp->mutable_submission() = std::move(sub);
  return Done(ctx, absl::OkStatus());
}

}  // namespace judge
