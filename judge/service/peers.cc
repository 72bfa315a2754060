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

void GrpcPeers::Prepare(grpc::ClientContext* ctx, const Principal& who, bool stream) const {
  ctx->AddMetadata("authorization", who.credential);
  // A unary call: the caller's deadline, at most the peer timeout. A stream: the caller's.
  auto deadline = who.deadline;
  if (!stream) deadline = std::min(deadline, std::chrono::system_clock::now() + timeout_);
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

absl::StatusOr<judge::v1::Submission> GrpcPeers::GetSubmission(
    const std::string& address, const Principal& who, const judge::v1::GetSubmissionRequest& req) {
  grpc::ClientContext ctx;
  Prepare(&ctx, who, false);
  judge::v1::Submission resp;
  absl::Status s = FromPeer(StubFor(address)->GetSubmission(&ctx, req, &resp), address);
  if (!s.ok()) return s;
  return resp;
}

absl::StatusOr<judge::v1::SubmissionReport> GrpcPeers::GetReport(
    const std::string& address, const Principal& who, const judge::v1::GetReportRequest& req) {
  grpc::ClientContext ctx;
  Prepare(&ctx, who, false);
  judge::v1::SubmissionReport resp;
  absl::Status s = FromPeer(StubFor(address)->GetReport(&ctx, req, &resp), address);
  if (!s.ok()) return s;
  return resp;
}

absl::StatusOr<judge::v1::ListSubmissionsResponse> GrpcPeers::ListLocal(
    const std::string& address, const Principal& who,
    const judge::v1::ListSubmissionsRequest& req) {
  grpc::ClientContext ctx;
  Prepare(&ctx, who, false);
  ctx.AddMetadata(kScopeMetadata, "node");
  judge::v1::ListSubmissionsResponse resp;
  absl::Status s = FromPeer(StubFor(address)->ListSubmissions(&ctx, req, &resp), address);
  if (!s.ok()) return s;
  return resp;
}

absl::StatusOr<std::function<void()>> GrpcPeers::Watch(
    const std::string& address, const Principal& who, const judge::v1::WatchSubmissionRequest& req,
    std::function<void(judge::v1::SubmissionEvent)> deliver) {
  // One reader thread per forwarded watch; the first event (or the end) is awaited for at most
  // the peer timeout, so that a dead or stopped owner is an error now, not a silent stream.
  struct State {
    grpc::ClientContext ctx;
    std::mutex mu;
    std::condition_variable cv;
    bool first = false, ended = false, stopped = false;
    grpc::Status status;
    std::function<void(judge::v1::SubmissionEvent)> deliver;
    std::thread reader;
  };
  auto state = std::make_shared<State>();
  state->deliver = std::move(deliver);
  Prepare(&state->ctx, who, true);
  judge::v1::JudgeService::Stub* stub = StubFor(address);
  state->reader = std::thread([state, stub, req] {
    std::unique_ptr<grpc::ClientReader<judge::v1::SubmissionEvent>> reader =
        stub->WatchSubmission(&state->ctx, req);
    judge::v1::SubmissionEvent event;
    while (reader->Read(&event)) {
      std::unique_lock<std::mutex> lock(state->mu);
      if (state->stopped) break;
      state->first = true;
      state->cv.notify_all();
      state->deliver(std::move(event));
    }
    grpc::Status status = reader->Finish();
    std::lock_guard<std::mutex> lock(state->mu);
    state->ended = true;
    state->status = status;
    state->cv.notify_all();
  });
  auto stop = [state] {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      state->stopped = true;
    }
    state->ctx.TryCancel();
    if (state->reader.joinable()) state->reader.join();
  };
  std::unique_lock<std::mutex> lock(state->mu);
  const bool answered =
      state->cv.wait_for(lock, timeout_, [&] { return state->first || state->ended; });
  if (!state->first) {
    const grpc::Status status =
        answered ? state->status
                 : grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                absl::StrCat("no answer within ", timeout_.count(), " ms"));
    lock.unlock();
    stop();
    return FromPeer(
        status.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "stream ended") : status,
        address);
  }
  return std::function<void()>(stop);
}

}  // namespace judge
