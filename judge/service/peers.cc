#include "judge/service/peers.h"

#include <condition_variable>
#include <thread>

#include "absl/strings/str_cat.h"

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

absl::StatusOr<std::function<void()>> GrpcPeers::Watch(
    const std::string& address, const Principal& who, const judge::v1::WatchSubmissionRequest& req,
    std::function<void(judge::v1::SubmissionEvent)> deliver,
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
  state->reader = StubFor(address)->WatchSubmission(&state->ctx, req);
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
  std::thread([state, address, finished]() mutable {
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
    state->broken(
        absl::UnavailableError(absl::StrCat("stopped answering at ", address, " during the watch (",
                                            status.error_message(), "); watch again")));
  }).detach();
  return std::function<void()>([state] {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      state->stopped = true;
    }
    state->ctx.TryCancel();
  });
}

}  // namespace judge
