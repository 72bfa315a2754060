#include "judge/service/service.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/unknown_field_set.h"
#include "judge/service/peers.h"

namespace judge {
namespace {

using judge::v1::SubmissionEvent;

// The name of the first string field of a serialized `descriptor` message whose bytes are not
// UTF-8 (top level only), or "".
std::string InvalidUtf8Field(const google::protobuf::Descriptor& descriptor,
                             const std::string& bytes) {
  // Read as unknown fields (public API, no message parse that would reject the bytes first).
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(bytes)) return "";
  for (int i = 0; i < fields.field_count(); ++i) {
    const google::protobuf::UnknownField& field = fields.field(i);
    if (field.type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) continue;
    const google::protobuf::FieldDescriptor* f = descriptor.FindFieldByNumber(field.number());
    if (f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
        !ValidUtf8(field.length_delimited())) {
      return f->name();
    }
  }
  return "";
}

grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* ctx, const absl::Status& s) {
  grpc::ServerUnaryReactor* r = ctx->DefaultReactor();
  r->Finish(ToGrpc(s));
  return r;
}

// Streams SubmissionEvents to one client: events queue up (from the feed, on any thread) and are
// written one at a time; the FINISHED event ends the call.
class EventStream final : public grpc::ServerWriteReactor<SubmissionEvent> {
 public:
  EventStream() = default;
  // Events from `feed` are pushed here until the stream is done.
  void Attach(std::unique_ptr<EventFeed> feed) {
    std::lock_guard<std::mutex> lock(feed_mu_);
    feed_ = std::move(feed);
  }
  void Push(SubmissionEvent event) {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    queue_.push_back(std::move(event));
    if (!writing_) {
      writing_ = true;
      StartWrite(&queue_.front());
    }
  }
  void FinishWith(const grpc::Status& status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    if (!writing_)
      Finish(status);
    else
      pending_status_ = status;
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
    {
      std::lock_guard<std::mutex> lock(feed_mu_);
      done_ = true;
      if (opening_) return;  // the opening thread deletes the stream when it is through
      // Destroying the feed stops its deliveries before this stream goes.
      feed_.reset();
    }
    delete this;
  }
  // An open running on another thread: OnDone must not delete the stream meanwhile.
  void BeginOpen() {
    std::lock_guard<std::mutex> lock(feed_mu_);
    opening_ = true;
  }
  void EndOpen(absl::StatusOr<std::unique_ptr<EventFeed>> feed) {
    {
      std::unique_lock<std::mutex> lock(feed_mu_);
      opening_ = false;
      if (done_) {
        lock.unlock();
        feed = absl::CancelledError("");  // destroys the feed before the stream goes
        delete this;
        return;
      }
      if (feed.ok()) {
        feed_ = *std::move(feed);
        return;
      }
    }
    FinishWith(ToGrpc(feed.status()));
  }

 private:
  std::mutex mu_;
  std::deque<SubmissionEvent> queue_;
  bool writing_ = false;
  bool finished_ = false;
  grpc::Status pending_status_;
  std::mutex feed_mu_;
  std::unique_ptr<EventFeed> feed_;
  bool opening_ = false, done_ = false;
};

// Opens a stream on what `open` returns (a feed delivering into the stream, or an error).
template <typename Open>
grpc::ServerWriteReactor<SubmissionEvent>* StartStream(Open open) {
  auto* stream = new EventStream();
  absl::StatusOr<std::unique_ptr<EventFeed>> feed =
      open([stream](SubmissionEvent e) { stream->Push(std::move(e)); });
  if (!feed.ok()) {
    stream->FinishWith(ToGrpc(feed.status()));
  } else {
    stream->Attach(*std::move(feed));
  }
  return stream;
}

}  // namespace

// A fixed set of threads running calls that may block on another node.
class JudgeServiceImpl::CallPool {
 public:
  explicit CallPool(int threads) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~CallPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  void Run(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

 private:
  void Loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // stopping, and nothing left to run
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

JudgeServiceImpl::JudgeServiceImpl(JudgeApi* api, int offload_threads) : api_(api) {
  if (offload_threads > 0) pool_ = std::make_unique<CallPool>(offload_threads);
}

JudgeServiceImpl::~JudgeServiceImpl() = default;

template <typename Work>
grpc::ServerUnaryReactor* JudgeServiceImpl::Offload(grpc::CallbackServerContext* ctx, Work work) {
  if (pool_ == nullptr) return Done(ctx, work());
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  // The call (its context, request and response) stays valid until the reactor finishes.
  pool_->Run([reactor, work = std::move(work)] { reactor->Finish(ToGrpc(work())); });
  return reactor;
}

template <typename Resp, typename Method>
grpc::ServerUnaryReactor* JudgeServiceImpl::Forwardable(grpc::CallbackServerContext* ctx,
                                                        Resp* resp, Method method) {
  return Offload(
      ctx, [this, ctx, resp, method = std::move(method)] { return Answer(ctx, resp, method); });
}

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::StatusOr<Principal> JudgeServiceImpl::Authenticate(grpc::CallbackServerContext* ctx) const {
  const auto& md = ctx->client_metadata();
  auto text = [](grpc::string_ref v) { return std::string_view(v.data(), v.size()); };
  absl::StatusOr<Principal> who;
  if (auto peer = md.find(kPeerMetadata); peer != md.end()) {
    // Forwarded by another node, which vouches for the caller's key.
    auto mac = md.find(kPeerMacMetadata);
    who = api_->AuthenticatePeer(text(peer->second),
                                 mac == md.end() ? std::string_view() : text(mac->second),
                                 ctx->auth_context() && ctx->auth_context()->IsPeerAuthenticated());
  } else if (auto token = md.find("authorization"); token != md.end()) {
    who = api_->Authenticate(true, text(token->second));
  } else {
    who = api_->Authenticate(false, "");
  }
  if (!who.ok()) return who;
  // For calls this one makes to other nodes of a cluster on the caller's behalf.
  who->deadline = ctx->deadline();
  auto scope = md.find(kScopeMetadata);
  who->this_node_only = scope != md.end() && scope->second == grpc::string_ref("node");
  return who;
}

template <typename Resp, typename Method>
absl::Status JudgeServiceImpl::Answer(grpc::CallbackServerContext* ctx, Resp* resp,
                                      const Method& method) {
  absl::StatusOr<Principal> who = Authenticate(ctx);
  if (!who.ok()) return who.status();
  absl::StatusOr<Resp> answer = method(*who);
  if (!answer.ok()) return answer.status();
  *resp = *std::move(answer);
  return absl::OkStatus();
}

template <typename Resp, typename Method>
grpc::ServerUnaryReactor* JudgeServiceImpl::Unary(grpc::CallbackServerContext* ctx, Resp* resp,
                                                  Method method) {
  return Done(ctx, Answer(ctx, resp, method));
}

grpc::ServerUnaryReactor* JudgeServiceImpl::ListLanguages(grpc::CallbackServerContext* ctx,
                                                          const judge::v1::ListLanguagesRequest*,
                                                          judge::v1::ListLanguagesResponse* resp) {
  return Unary(ctx, resp, [&](const Principal& who) { return api_->ListLanguages(who); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::WhoAmI(grpc::CallbackServerContext* ctx,
                                                   const judge::v1::WhoAmIRequest*,
                                                   judge::v1::Caller* resp) {
  return Unary(ctx, resp, [&](const Principal& who) { return api_->WhoAmI(who); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::EraseCandidate(
    grpc::CallbackServerContext* ctx, const judge::v1::EraseCandidateRequest* req,
    judge::v1::EraseCandidateResponse* resp) {
  return Unary(ctx, resp, [&](const Principal& who) { return api_->EraseCandidate(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::Backup(grpc::CallbackServerContext* ctx,
                                                   const judge::v1::BackupRequest* req,
                                                   judge::v1::BackupResponse* resp) {
  return Unary(ctx, resp, [&](const Principal& who) { return api_->Backup(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::CreateSession(
    grpc::CallbackServerContext* ctx, const judge::v1::CreateSessionRequest* req,
    judge::v1::Session* resp) {
  return Unary(ctx, resp, [&](const Principal& who) { return api_->CreateSession(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::GetSession(grpc::CallbackServerContext* ctx,
                                                       const judge::v1::GetSessionRequest* req,
                                                       judge::v1::Session* resp) {
  return Unary(ctx, resp, [&](const Principal& who) { return api_->GetSession(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::GetSessionTimeline(
    grpc::CallbackServerContext* ctx, const judge::v1::GetSessionTimelineRequest* req,
    judge::v1::SessionTimeline* resp) {
  return Unary(ctx, resp,
               [&](const Principal& who) { return api_->GetSessionTimeline(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::ListSessions(grpc::CallbackServerContext* ctx,
                                                         const judge::v1::ListSessionsRequest* req,
                                                         judge::v1::ListSessionsResponse* resp) {
  return Unary(ctx, resp, [&](const Principal& who) { return api_->ListSessions(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::EndSession(grpc::CallbackServerContext* ctx,
                                                       const judge::v1::EndSessionRequest* req,
                                                       judge::v1::Session* resp) {
  return Unary(ctx, resp, [&](const Principal& who) { return api_->EndSession(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::SetSessionNotes(
    grpc::CallbackServerContext* ctx, const judge::v1::SetSessionNotesRequest* req,
    judge::v1::Session* resp) {
  return Unary(ctx, resp, [&](const Principal& who) { return api_->SetSessionNotes(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::ListChallenges(
    grpc::CallbackServerContext* ctx, const judge::v1::ListChallengesRequest*,
    judge::v1::ListChallengesResponse* resp) {
  return Unary(ctx, resp, [&](const Principal& who) { return api_->ListChallenges(who); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::GetChallenge(grpc::CallbackServerContext* ctx,
                                                         const judge::v1::GetChallengeRequest* req,
                                                         judge::v1::ChallengeDetail* resp) {
  return Unary(ctx, resp, [&](const Principal& who) { return api_->GetChallenge(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::Submit(grpc::CallbackServerContext* ctx,
                                                   const grpc::ByteBuffer* raw,
                                                   grpc::ByteBuffer* raw_resp) {
  // A retry may be answered from another node (a cluster's request ids): forwardable.
  auto work = [this, ctx, raw, raw_resp]() -> absl::Status {
    absl::StatusOr<Principal> who = Authenticate(ctx);
    if (!who.ok()) return who.status();
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
      return absl::InvalidArgumentError(field.empty()
                                            ? "the request is not a valid judge.v1.SubmitRequest"
                                            : absl::StrCat(field, " is not valid UTF-8"));
    }
    absl::StatusOr<judge::v1::Submission> resp = api_->Submit(*who, req);
    if (resp.ok()) {
      grpc::Slice slice(resp->SerializeAsString());
      *raw_resp = grpc::ByteBuffer(&slice, 1);
    }
    return resp.status();
  };
  return Offload(ctx, std::move(work));
}

grpc::ServerUnaryReactor* JudgeServiceImpl::GetSubmission(
    grpc::CallbackServerContext* ctx, const judge::v1::GetSubmissionRequest* req,
    judge::v1::Submission* resp) {
  return Forwardable(ctx, resp,
                     [this, req](const Principal& who) { return api_->GetSubmission(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::ListSubmissions(
    grpc::CallbackServerContext* ctx, const judge::v1::ListSubmissionsRequest* req,
    judge::v1::ListSubmissionsResponse* resp) {
  return Forwardable(
      ctx, resp, [this, req](const Principal& who) { return api_->ListSubmissions(who, *req); });
}

grpc::ServerWriteReactor<SubmissionEvent>* JudgeServiceImpl::WatchSubmission(
    grpc::CallbackServerContext* ctx, const judge::v1::WatchSubmissionRequest* req) {
  // Copies: an open on the pool may deliver the last event, and the call (its context and
  // request) may be over, before the open returns.
  absl::StatusOr<Principal> who = Authenticate(ctx);
  judge::v1::WatchSubmissionRequest request = *req;
  auto open = [this, who, request](EventFeed::Deliver deliver,
                                   EventFeed::Broken broken =
                                       nullptr) -> absl::StatusOr<std::unique_ptr<EventFeed>> {
    if (!who.ok()) return who.status();
    return api_->WatchSubmission(*who, request, std::move(deliver), std::move(broken));
  };
  if (pool_ == nullptr || !api_->KeptElsewhere(request.submission_id())) return StartStream(open);
  // Another node's submission is watched through a call to it: opened on the pool; the stream
  // ends with the owner's failure if the owner's stream breaks before FINISHED.
  auto* stream = new EventStream();
  stream->BeginOpen();
  pool_->Run([stream, open] {
    stream->EndOpen(open([stream](SubmissionEvent e) { stream->Push(std::move(e)); },
                         [stream](const absl::Status& s) { stream->FinishWith(ToGrpc(s)); }));
  });
  return stream;
}

grpc::ServerWriteReactor<SubmissionEvent>* JudgeServiceImpl::RunLive(
    grpc::CallbackServerContext* ctx, const judge::v1::RunLiveRequest* req) {
  absl::StatusOr<Principal> who = Authenticate(ctx);
  return StartStream([&](EventFeed::Deliver deliver) -> absl::StatusOr<std::unique_ptr<EventFeed>> {
    if (!who.ok()) return who.status();
    return api_->RunLive(*who, *req, std::move(deliver));
  });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::ListSimilarSubmissions(
    grpc::CallbackServerContext* ctx, const judge::v1::ListSimilarSubmissionsRequest* req,
    judge::v1::ListSimilarSubmissionsResponse* resp) {
  return Unary(ctx, resp,
               [&](const Principal& who) { return api_->ListSimilarSubmissions(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::GetReport(grpc::CallbackServerContext* ctx,
                                                      const judge::v1::GetReportRequest* req,
                                                      judge::v1::SubmissionReport* resp) {
  return Forwardable(ctx, resp,
                     [this, req](const Principal& who) { return api_->GetReport(who, *req); });
}

}  // namespace judge
