#include "judge/service/peers.h"

#include <condition_variable>
#include <deque>
#include <thread>

#include "absl/strings/str_cat.h"
#include "judge/api/json_text.h"
#include "judge/api/sessions.h"

namespace judge {

judge::v1::JudgeService::Stub* GrpcPeers::StubFor(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<judge::v1::JudgeService::Stub>& stub = stubs_[address];
  if (stub == nullptr) {
    grpc::ChannelArguments args;
    // A peer that went away is noticed at the next call, not after minutes of backoff.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    stub = judge::v1::JudgeService::NewStub(grpc::CreateCustomChannel(address, credentials_, args));
  }
  return stub.get();
}

void GrpcPeers::Prepare(grpc::ClientContext* ctx, const std::string& address, const Principal& who,
                        bool stream) const {
  const auto now = std::chrono::system_clock::now();
  auto [assertion, mac] = trust_->Vouch(who, address, now);
  ctx->AddMetadata(kPeerMetadata, assertion);
  if (!mac.empty()) ctx->AddMetadata(kPeerMacMetadata, mac);
  // A unary call: the caller's deadline, at most the peer timeout. A stream: the caller's.
  auto deadline = who.deadline;
  if (!stream) deadline = std::min(deadline, now + timeout_);
  if (deadline != std::chrono::system_clock::time_point::max()) ctx->set_deadline(deadline);
}

absl::Status GrpcPeers::FromPeer(const grpc::Status& status, const std::string& address) const {
  if (status.ok()) return absl::OkStatus();
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
      status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    return absl::UnavailableError(absl::StrCat("did not answer at ", address, " (",
                                               status.error_message(), "); retry later"));
  }
  // The owner's own answer (NOT_FOUND, PERMISSION_DENIED, ...), as it gave it.
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

template <typename Resp, typename Req, typename Method>
absl::StatusOr<Resp> GrpcPeers::Call(const std::string& address, const Principal& who,
                                     const Req& req, Method method, bool this_node_only) {
  grpc::ClientContext ctx;
  Prepare(&ctx, address, who, false);
  if (this_node_only) ctx.AddMetadata(kScopeMetadata, "node");
  Resp resp;
  absl::Status s = FromPeer((StubFor(address)->*method)(&ctx, req, &resp), address);
  if (!s.ok()) return s;
  return resp;
}

absl::StatusOr<judge::v1::Submission> GrpcPeers::GetSubmission(
    const std::string& address, const Principal& who, const judge::v1::GetSubmissionRequest& req) {
  return Call<judge::v1::Submission>(address, who, req,
                                     &judge::v1::JudgeService::Stub::GetSubmission);
}

absl::StatusOr<judge::v1::SubmissionReport> GrpcPeers::GetReport(
    const std::string& address, const Principal& who, const judge::v1::GetReportRequest& req) {
  return Call<judge::v1::SubmissionReport>(address, who, req,
                                           &judge::v1::JudgeService::Stub::GetReport);
}

absl::StatusOr<judge::v1::ListSubmissionsResponse> GrpcPeers::ListLocal(
    const std::string& address, const Principal& who,
    const judge::v1::ListSubmissionsRequest& req) {
  return Call<judge::v1::ListSubmissionsResponse>(
      address, who, req, &judge::v1::JudgeService::Stub::ListSubmissions, /*this_node_only=*/true);
}

absl::StatusOr<judge::v1::Session> GrpcPeers::GetSession(const std::string& address,
                                                         const Principal& who,
                                                         const judge::v1::GetSessionRequest& req) {
  return Call<judge::v1::Session>(address, who, req, &judge::v1::JudgeService::Stub::GetSession);
}

absl::StatusOr<judge::v1::SessionTimeline> GrpcPeers::GetSessionTimeline(
    const std::string& address, const Principal& who,
    const judge::v1::GetSessionTimelineRequest& req) {
  return Call<judge::v1::SessionTimeline>(address, who, req,
                                          &judge::v1::JudgeService::Stub::GetSessionTimeline);
}

absl::StatusOr<judge::v1::Session> GrpcPeers::EndSession(const std::string& address,
                                                         const Principal& who,
                                                         const judge::v1::EndSessionRequest& req) {
  return Call<judge::v1::Session>(address, who, req, &judge::v1::JudgeService::Stub::EndSession);
}

absl::StatusOr<judge::v1::Session> GrpcPeers::SetSessionNotes(
    const std::string& address, const Principal& who,
    const judge::v1::SetSessionNotesRequest& req) {
  return Call<judge::v1::Session>(address, who, req,
                                  &judge::v1::JudgeService::Stub::SetSessionNotes);
}

absl::StatusOr<judge::v1::ListSessionsResponse> GrpcPeers::ListSessionsLocal(
    const std::string& address, const Principal& who, const judge::v1::ListSessionsRequest& req) {
  return Call<judge::v1::ListSessionsResponse>(
      address, who, req, &judge::v1::JudgeService::Stub::ListSessions, /*this_node_only=*/true);
}

template <typename Req, typename Method>
absl::StatusOr<std::function<void()>> GrpcPeers::Events(
    const std::string& address, const Principal& who, const Req& req, const char* what,
    Method method, std::function<void(judge::v1::SubmissionEvent)> deliver,
    std::function<void(const absl::Status&)> broken) {
  // The first event is read here, on the calling thread (which drives the call as a unary call
  // does; a gRPC handler thread that only waited for another thread to read stalled the call
  // until the timeout), bounded by the peer timeout: a dead or stopped owner is an error now,
  // not a silent stream. The rest is read by a thread of the watch's own.
  struct State {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReader<judge::v1::SubmissionEvent>> reader;
    std::mutex mu;
    std::condition_variable cv;
    bool first_read = false, timed_out = false, stopped = false;
    std::function<void(judge::v1::SubmissionEvent)> deliver;
    std::function<void(const absl::Status&)> broken;
  };
  auto state = std::make_shared<State>();
  state->deliver = std::move(deliver);
  state->broken = std::move(broken);
  Prepare(&state->ctx, address, who, true);
  state->reader = (StubFor(address)->*method)(&state->ctx, req);
  std::thread guard([state, timeout = timeout_] {
    std::unique_lock<std::mutex> lock(state->mu);
    if (!state->cv.wait_for(lock, timeout, [&] { return state->first_read; })) {
      state->timed_out = true;
      state->ctx.TryCancel();
    }
  });
  judge::v1::SubmissionEvent first;
  const bool got = state->reader->Read(&first);
  bool timed_out;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    state->first_read = true;
    timed_out = state->timed_out;
  }
  state->cv.notify_all();
  guard.join();
  if (!got) {
    grpc::Status status = state->reader->Finish();
    if (timed_out) {
      status = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                            absl::StrCat("no answer within ", timeout_.count(), " ms"));
    } else if (status.ok()) {
      status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream ended without an event");
    }
    return FromPeer(status, address);
  }
  bool finished = first.state() == judge::v1::SUBMISSION_STATE_FINISHED;
  state->deliver(std::move(first));
  // The reader owns its share of the state and ends by itself once the stream does (or is
  // cancelled). Stopping never waits for it: a stop runs on a gRPC thread (the stream's end),
  // and the reader's last Read may need one to finish; waiting there starved gRPC after a few
  // watches. No delivery starts after a stop returns (`stopped`, under the lock deliveries hold).
  std::thread([state, address, finished, what]() mutable {
    judge::v1::SubmissionEvent event;
    while (state->reader->Read(&event)) {
      if (finished) continue;  // FINISHED was the last event; the stream ends next
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->stopped) break;
      finished = event.state() == judge::v1::SUBMISSION_STATE_FINISHED;
      state->deliver(std::move(event));
    }
    grpc::Status status = state->reader->Finish();
    std::lock_guard<std::mutex> lock(state->mu);
    if (finished || state->stopped) return;
    // The owner's stream ended before the verdict (it died, or was cut off): the watcher hears
    // so rather than waiting for events that never come.
    if (status.ok()) {
      status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream ended before FINISHED");
    }
    if (!state->broken) return;
    state->broken(
        absl::UnavailableError(absl::StrCat("stopped answering at ", address, " during the ", what,
                                            " (", status.error_message(), "); ", what, " again")));
  }).detach();
  return std::function<void()>([state] {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      state->stopped = true;
    }
    state->ctx.TryCancel();
  });
}

absl::StatusOr<std::function<void()>> GrpcPeers::Watch(
    const std::string& address, const Principal& who, const judge::v1::WatchSubmissionRequest& req,
    std::function<void(judge::v1::SubmissionEvent)> deliver,
    std::function<void(const absl::Status&)> broken) {
  return Events(address, who, req, "watch", &judge::v1::JudgeService::Stub::WatchSubmission,
                std::move(deliver), std::move(broken));
}

absl::StatusOr<std::function<void()>> GrpcPeers::RunLive(
    const std::string& address, const Principal& who, const judge::v1::RunLiveRequest& req,
    std::function<void(judge::v1::SubmissionEvent)> deliver,
    std::function<void(const absl::Status&)> broken) {
  return Events(address, who, req, "run", &judge::v1::JudgeService::Stub::RunLive,
                std::move(deliver), std::move(broken));
}

namespace {

// The client side of JoinPad. Lives until gRPC is done with it (it holds itself until OnDone); a
// hold keeps the call open while the PeerPad link may still write. The mutex is recursive: gRPC
// may run a reaction on the thread that started the operation.
class PadCall final : public grpc::ClientBidiReactor<judge::v1::PadFrame, judge::v1::PadFrame> {
 public:
  // `owner`: how the owner is named in an error ("session s1.node-0 is kept by node node-0").
  PadCall(std::function<void(std::string, bool)> deliver, std::string owner)
      : deliver_(std::move(deliver)), owner_(std::move(owner)) {}

  void Start(std::shared_ptr<PadCall> self, judge::v1::JudgeService::Stub* stub,
             std::string hello) {
    self_ = std::move(self);
    stub->async()->JoinPad(&ctx, this);
    AddHold();
    StartRead(&in_);
    Send(std::move(hello));
    StartCall();
  }

  void Send(std::string json) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (stopped_ || got_last_) return;
    queued_bytes_ += json.size();
    if (queued_bytes_ > kBacklog) {  // the owner does not keep up: the client joins again
      got_last_ = true;
      deliver_(PadErrorFrame(absl::UnavailableError(
                   absl::StrCat(owner_, ", which does not keep up; join again"))),
               true);
      ctx.TryCancel();
      return;
    }
    judge::v1::PadFrame f;
    f.set_json(std::move(json));
    out_.push_back(std::move(f));
    if (!writing_) {
      writing_ = true;
      StartWrite(&out_.front());
    }
  }

  // The link is gone: no more writes or deliveries; the call ends.
  void Stop() {
    {
      std::lock_guard<std::recursive_mutex> lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    ctx.TryCancel();
    RemoveHold();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    queued_bytes_ -= out_.front().json().size();
    out_.pop_front();
    if (!ok || out_.empty()) {
      writing_ = false;
      if (!ok) {
        out_.clear();
        queued_bytes_ = 0;
      }
      return;
    }
    StartWrite(&out_.front());
  }

  void OnReadDone(bool ok) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (!ok) {
      // The owner ended the stream: if it never said this was the last frame, the client hears
      // why and is let go.
      if (!stopped_ && !got_last_) {
        got_last_ = true;
        deliver_(PadErrorFrame(absl::UnavailableError(
                     absl::StrCat(owner_, ", which stopped answering; join again"))),
                 true);
      }
      return;
    }
    if (!stopped_ && !got_last_) {
      got_last_ = in_.last();
      deliver_(in_.json(), in_.last());
    }
    StartRead(&in_);
  }

  void OnDone(const grpc::Status&) override {
    std::shared_ptr<PadCall> self;
    std::lock_guard<std::recursive_mutex> lock(mu_);
    self.swap(self_);  // may be the last reference: `this` goes when `self` does
  }

  grpc::ClientContext ctx;

 private:
  std::recursive_mutex mu_;
  std::function<void(std::string, bool)> deliver_;
  const std::string owner_;
  std::deque<judge::v1::PadFrame> out_;
  judge::v1::PadFrame in_;
  bool writing_ = false, stopped_ = false, got_last_ = false;
  size_t queued_bytes_ = 0;
  static constexpr size_t kBacklog = 8 << 20;
  std::shared_ptr<PadCall> self_;
};

class GrpcPadPeer final : public Peers::PadPeer {
 public:
  explicit GrpcPadPeer(std::shared_ptr<PadCall> call) : call_(std::move(call)) {}
  ~GrpcPadPeer() override { call_->Stop(); }
  void Send(std::string json) override { call_->Send(std::move(json)); }

 private:
  std::shared_ptr<PadCall> call_;
};

}  // namespace

std::unique_ptr<Peers::PadPeer> GrpcPeers::JoinPad(const std::string& address, const Principal& who,
                                                   const std::string& session_id, int64_t version,
                                                   std::function<void(std::string, bool)> deliver) {
  auto call = std::make_shared<PadCall>(std::move(deliver),
                                        absl::StrCat("session ", session_id, " is kept by node ",
                                                     OwnerOf(session_id), " (", address, ")"));
  Prepare(&call->ctx, address, who, true);
  call->Start(call, StubFor(address),
              absl::StrCat(R"({"type":"hello","session":)", JsonQuote(session_id), R"(,"version":)",
                           version, "}"));
  return std::make_unique<GrpcPadPeer>(std::move(call));
}

}  // namespace judge
