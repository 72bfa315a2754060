#include "judge/service/service.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/util/json_util.h"
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

// The pad over gRPC (JoinPad): the first frame is the hello, then each frame goes to the pad in
// order and each of the pad's frames is written in order; the pad's last frame ends the call.
// Holds itself until gRPC is done with it; the pad's sends hold it weakly. The write lock is
// recursive (gRPC may run a reaction on the thread that started the operation); the link has a
// lock of its own, taken before the pad's and the write lock (a frame handed to the pad may be
// answered at once), never after. Joining, each frame and leaving run through `run` (the call
// pool on a cluster node): they read and write the store, and joining may call another node.
class PadStream final : public grpc::ServerBidiReactor<judge::v1::PadFrame, judge::v1::PadFrame>,
                        public std::enable_shared_from_this<PadStream> {
 public:
  using Runner = std::function<void(std::function<void()>)>;
  PadStream(JudgeApi* api, absl::StatusOr<Principal> who, Runner run)
      : api_(api), who_(std::move(who)), run_(std::move(run)) {}

  void Begin() {
    self_ = shared_from_this();
    if (!who_.ok()) return Push(PadErrorFrame(who_.status()), true);  // no key: no pad
    StartRead(&in_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client is through (or gone): leave the pad, end once the writes are out
      Unlink();
      End(grpc::Status::OK);
      return;
    }
    if (!hello_done_) {
      hello_done_ = true;
      // Joining reads the store, and for another node's session calls that node: not on a
      // gRPC thread. The next read starts once the link is there.
      run_([self = shared_from_this(), frame = in_.json()] { self->Hello(frame); });
      return;
    }
    run_([self = shared_from_this(), frame = in_.json()] {
      {
        std::lock_guard<std::mutex> lock(self->link_mu_);
        if (self->link_ != nullptr) self->link_->Receive(frame);
      }
      std::lock_guard<std::recursive_mutex> lock(self->mu_);
      if (!self->finished_) self->StartRead(&self->in_);
    });
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    const bool last = out_.front().last();
    queued_bytes_ -= out_.front().json().size();
    out_.pop_front();
    writing_ = false;
    if (!ok) return FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
    if (last) return FinishLocked(grpc::Status::OK);
    WriteNextLocked();
  }

  void OnCancel() override { End(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")); }

  void OnDone() override {
    Unlink();
    std::shared_ptr<PadStream> self;
    std::lock_guard<std::recursive_mutex> lock(mu_);
    done_ = true;
    self.swap(self_);  // may be the last reference
  }

 private:
  void Hello(const std::string& frame) {
    auto send = [weak = weak_from_this()](std::string json, bool last) {
      if (auto self = weak.lock()) self->Push(std::move(json), last);
    };
    google::protobuf::Struct hello;
    absl::Status st = who_.status();
    if (st.ok() &&
        (!google::protobuf::util::JsonStringToMessage(frame, &hello).ok() ||
         hello.fields().count("type") == 0 || hello.fields().at("type").string_value() != "hello" ||
         hello.fields().count("session") == 0)) {
      st = absl::InvalidArgumentError(
          "the first frame is {\"type\":\"hello\",\"session\":\"<id>\",\"version\":N}");
    }
    if (st.ok()) {
      auto v = hello.fields().find("version");
      const double asked = v == hello.fields().end() ? -1 : v->second.number_value();
      const int64_t version = asked >= 0 && asked < 1e12 ? static_cast<int64_t>(asked) : -1;
      absl::StatusOr<std::unique_ptr<PadLink>> joined =
          api_->JoinPad(*who_, hello.fields().at("session").string_value(), version, send);
      if (joined.ok()) {
        std::unique_ptr<PadLink> late;  // the call ended meanwhile: leaves here, no lock held
        {
          std::lock_guard<std::mutex> link_lock(link_mu_);
          std::lock_guard<std::recursive_mutex> lock(mu_);
          if (finished_ || done_) {
            late = *std::move(joined);
          } else {
            link_ = *std::move(joined);
            StartRead(&in_);
          }
        }
        return;
      }
      st = joined.status();
    }
    send(PadErrorFrame(st), true);
  }

  void Push(std::string json, bool last) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (finished_ || done_ || end_when_written_) return;
    queued_bytes_ += json.size();
    if (queued_bytes_ > kBacklog) {  // a client that stopped reading: let it go
      out_.erase(writing_ ? out_.begin() + 1 : out_.begin(), out_.end());
      end_when_written_ = true;
      end_status_ = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "the client read the pad's frames too slowly");
      return WriteNextLocked();
    }
    judge::v1::PadFrame f;
    f.set_json(std::move(json));
    f.set_last(last);
    out_.push_back(std::move(f));
    WriteNextLocked();
  }

  void WriteNextLocked() {
    if (writing_ || finished_) return;
    if (out_.empty()) {
      if (end_when_written_) FinishLocked(end_status_);
      return;
    }
    writing_ = true;
    StartWrite(&out_.front());
  }

  void End(const grpc::Status& status) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (end_when_written_) return;
    end_when_written_ = true;
    end_status_ = status;
    if (status.ok()) return WriteNextLocked();
    out_.erase(writing_ && !out_.empty() ? out_.begin() + 1 : out_.begin(), out_.end());
    if (!writing_) FinishLocked(status);
  }

  void FinishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  void Unlink() {
    std::shared_ptr<PadLink> link;
    {
      std::lock_guard<std::mutex> lock(link_mu_);
      link = std::move(link_);
    }
    // Leaves the pad through `run`, with no lock of ours held.
    if (link != nullptr) run_([link = std::move(link)]() mutable { link.reset(); });
  }

  JudgeApi* api_;
  absl::StatusOr<Principal> who_;
  Runner run_;
  judge::v1::PadFrame in_;
  bool hello_done_ = false;  // reads are one at a time: no lock
  std::mutex link_mu_;
  std::unique_ptr<PadLink> link_;
  std::recursive_mutex mu_;
  std::deque<judge::v1::PadFrame> out_;
  bool writing_ = false, finished_ = false, done_ = false, end_when_written_ = false;
  grpc::Status end_status_;
  size_t queued_bytes_ = 0;
  static constexpr size_t kBacklog = 8 << 20;  // as the WebSocket's
  std::shared_ptr<PadStream> self_;
};

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
  return Forwardable(ctx, resp,
                     [this, req](const Principal& who) { return api_->GetSession(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::GetSessionTimeline(
    grpc::CallbackServerContext* ctx, const judge::v1::GetSessionTimelineRequest* req,
    judge::v1::SessionTimeline* resp) {
  return Forwardable(
      ctx, resp, [this, req](const Principal& who) { return api_->GetSessionTimeline(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::ListSessions(grpc::CallbackServerContext* ctx,
                                                         const judge::v1::ListSessionsRequest* req,
                                                         judge::v1::ListSessionsResponse* resp) {
  return Forwardable(ctx, resp,
                     [this, req](const Principal& who) { return api_->ListSessions(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::EndSession(grpc::CallbackServerContext* ctx,
                                                       const judge::v1::EndSessionRequest* req,
                                                       judge::v1::Session* resp) {
  return Forwardable(ctx, resp,
                     [this, req](const Principal& who) { return api_->EndSession(who, *req); });
}

grpc::ServerUnaryReactor* JudgeServiceImpl::SetSessionNotes(
    grpc::CallbackServerContext* ctx, const judge::v1::SetSessionNotesRequest* req,
    judge::v1::Session* resp) {
  return Forwardable(
      ctx, resp, [this, req](const Principal& who) { return api_->SetSessionNotes(who, *req); });
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
  if (pool_ == nullptr || req->session_id().empty() || !api_->KeptElsewhere(req->session_id())) {
    return StartStream(
        [&](EventFeed::Deliver deliver) -> absl::StatusOr<std::unique_ptr<EventFeed>> {
          if (!who.ok()) return who.status();
          return api_->RunLive(*who, *req, std::move(deliver));
        });
  }
  // A run in another node's session runs there: opened on the pool, as a watch of another
  // node's submission is.
  auto* stream = new EventStream();
  stream->BeginOpen();
  pool_->Run([this, stream, who, request = *req] {
    absl::StatusOr<std::unique_ptr<EventFeed>> feed = who.status();
    if (who.ok()) {
      feed = api_->RunLive(
          *who, request, [stream](SubmissionEvent e) { stream->Push(std::move(e)); },
          [stream](const absl::Status& s) { stream->FinishWith(ToGrpc(s)); });
    }
    stream->EndOpen(std::move(feed));
  });
  return stream;
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

grpc::ServerBidiReactor<judge::v1::PadFrame, judge::v1::PadFrame>* JudgeServiceImpl::JoinPad(
    grpc::CallbackServerContext* ctx) {
  CallPool* pool = pool_.get();
  auto stream =
      std::make_shared<PadStream>(api_, Authenticate(ctx), [pool](std::function<void()> task) {
        if (pool != nullptr) return pool->Run(std::move(task));
        task();
      });
  stream->Begin();
  return stream.get();
}

namespace {

// ImportChallenge: the archive's chunks are gathered (bounded), then the import runs on a thread
// of its own (it compiles and judges for seconds to minutes, never on gRPC's threads) and
// finishes the call. Owns itself until OnDone.
class ImportReader final : public grpc::ServerReadReactor<judge::v1::ImportChallengeChunk> {
 public:
  ImportReader(JudgeApi* api, grpc::CallbackServerContext* ctx, absl::StatusOr<Principal> who,
               judge::v1::ImportChallengeResponse* resp)
      : api_(api), ctx_(ctx), who_(std::move(who)), resp_(resp) {
    if (!who_.ok()) {
      Finish(ToGrpc(who_.status()));
      return;
    }
    if (who_->role != Role::kAdmin && who_->role != Role::kPlatform) {
      Finish(ToGrpc(
          absl::PermissionDeniedError("importing challenges takes an admin or platform token")));
      return;
    }
    StartRead(&chunk_);
  }
  void OnReadDone(bool ok) override {
    if (ok) {
      if (first_) {
        req_.challenge_id = chunk_.challenge_id();
        req_.strict = chunk_.strict();
        req_.file_name = chunk_.file_name();
        first_ = false;
      }
      if (req_.archive.size() + chunk_.data().size() > kMaxBytes) {
        Finish(ToGrpc(absl::InvalidArgumentError(
            absl::StrCat("the archive is larger than ", kMaxBytes >> 20, " MiB"))));
        return;
      }
      req_.archive += chunk_.data();
      StartRead(&chunk_);
      return;
    }
    // The stream ended: all sent, or the call was cancelled (a cut-off archive is never
    // imported).
    if (ctx_->IsCancelled()) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the upload was cancelled"));
      return;
    }
    // Imports stop (Imports::Stop) before the doors close, so the call ends before the server.
    std::thread([this] {
      absl::StatusOr<judge::v1::ImportChallengeResponse> r = api_->ImportChallenge(*who_, req_);
      if (r.ok()) *resp_ = *std::move(r);
      Finish(ToGrpc(r.status()));
    }).detach();
  }
  void OnDone() override { delete this; }

 private:
  static constexpr uint64_t kMaxBytes = 256ull << 20;
  JudgeApi* api_;
  grpc::CallbackServerContext* ctx_;
  absl::StatusOr<Principal> who_;
  judge::v1::ImportChallengeResponse* resp_;
  judge::v1::ImportChallengeChunk chunk_;
  ImportRequest req_;
  bool first_ = true;
};

}  // namespace

grpc::ServerReadReactor<judge::v1::ImportChallengeChunk>* JudgeServiceImpl::ImportChallenge(
    grpc::CallbackServerContext* ctx, judge::v1::ImportChallengeResponse* resp) {
  return new ImportReader(api_, ctx, Authenticate(ctx), resp);
}

grpc::ServerUnaryReactor* JudgeServiceImpl::RejudgeChallenge(
    grpc::CallbackServerContext* ctx, const judge::v1::RejudgeChallengeRequest* req,
    judge::v1::RejudgeChallengeResponse* resp) {
  return Offload(ctx, [this, ctx, req, resp] {
    return Answer(ctx, resp,
                  [&](const Principal& who) { return api_->RejudgeChallenge(who, *req); });
  });
}

}  // namespace judge
