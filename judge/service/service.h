// The gRPC adapter: judge.v1.JudgeService on the callback API. Each method reads the caller's
// "authorization" metadata, calls the transport-free JudgeApi (judge/api/judge_api.h), which
// holds every rule, and maps its absl::Status to a gRPC status.
#pragma once

#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "judge/api/judge_api.h"
#include "judge/v1/judge.grpc.pb.h"

namespace judge {

// absl -> gRPC, one place.
grpc::Status ToGrpc(const absl::Status& status);

// Submit is taken as raw bytes and parsed here, so that a request protobuf would refuse (a
// string field that is not UTF-8) gets INVALID_ARGUMENT naming the field, not gRPC's bare
// UNIMPLEMENTED.
class JudgeServiceImpl final : public judge::v1::JudgeService::WithRawCallbackMethod_Submit<
                                   judge::v1::JudgeService::CallbackService> {
 public:
  // `offload_threads` > 0 (a cluster node): the calls that may be forwarded to another node run
  // on a pool of that many threads of ours, never on gRPC's few callback threads, which a call
  // blocked on another node would starve (gRPC then stalls every call, this node's own too).
  explicit JudgeServiceImpl(JudgeApi* api, int offload_threads = 0);
  ~JudgeServiceImpl() override;

  grpc::ServerUnaryReactor* ListLanguages(grpc::CallbackServerContext* ctx,
                                          const judge::v1::ListLanguagesRequest* req,
                                          judge::v1::ListLanguagesResponse* resp) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* ctx,
                                   const judge::v1::WhoAmIRequest* req,
                                   judge::v1::Caller* resp) override;
  grpc::ServerUnaryReactor* EraseCandidate(grpc::CallbackServerContext* ctx,
                                           const judge::v1::EraseCandidateRequest* req,
                                           judge::v1::EraseCandidateResponse* resp) override;
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* ctx,
                                   const judge::v1::BackupRequest* req,
                                   judge::v1::BackupResponse* resp) override;
  grpc::ServerUnaryReactor* CreateSession(grpc::CallbackServerContext* ctx,
                                          const judge::v1::CreateSessionRequest* req,
                                          judge::v1::Session* resp) override;
  grpc::ServerUnaryReactor* GetSession(grpc::CallbackServerContext* ctx,
                                       const judge::v1::GetSessionRequest* req,
                                       judge::v1::Session* resp) override;
  grpc::ServerUnaryReactor* GetSessionTimeline(grpc::CallbackServerContext* ctx,
                                               const judge::v1::GetSessionTimelineRequest* req,
                                               judge::v1::SessionTimeline* resp) override;
  grpc::ServerUnaryReactor* ListSessions(grpc::CallbackServerContext* ctx,
                                         const judge::v1::ListSessionsRequest* req,
                                         judge::v1::ListSessionsResponse* resp) override;
  grpc::ServerUnaryReactor* EndSession(grpc::CallbackServerContext* ctx,
                                       const judge::v1::EndSessionRequest* req,
                                       judge::v1::Session* resp) override;
  grpc::ServerUnaryReactor* SetSessionNotes(grpc::CallbackServerContext* ctx,
                                            const judge::v1::SetSessionNotesRequest* req,
                                            judge::v1::Session* resp) override;
  grpc::ServerUnaryReactor* ListChallenges(grpc::CallbackServerContext* ctx,
                                           const judge::v1::ListChallengesRequest* req,
                                           judge::v1::ListChallengesResponse* resp) override;
  grpc::ServerUnaryReactor* GetChallenge(grpc::CallbackServerContext* ctx,
                                         const judge::v1::GetChallengeRequest* req,
                                         judge::v1::ChallengeDetail* resp) override;
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* req,
                                   grpc::ByteBuffer* resp) override;
  grpc::ServerUnaryReactor* GetSubmission(grpc::CallbackServerContext* ctx,
                                          const judge::v1::GetSubmissionRequest* req,
                                          judge::v1::Submission* resp) override;
  grpc::ServerUnaryReactor* ListSubmissions(grpc::CallbackServerContext* ctx,
                                            const judge::v1::ListSubmissionsRequest* req,
                                            judge::v1::ListSubmissionsResponse* resp) override;
  grpc::ServerWriteReactor<judge::v1::SubmissionEvent>* WatchSubmission(
      grpc::CallbackServerContext* ctx, const judge::v1::WatchSubmissionRequest* req) override;
  grpc::ServerWriteReactor<judge::v1::SubmissionEvent>* RunLive(
      grpc::CallbackServerContext* ctx, const judge::v1::RunLiveRequest* req) override;
  grpc::ServerBidiReactor<judge::v1::PadFrame, judge::v1::PadFrame>* JoinPad(
      grpc::CallbackServerContext* ctx) override;
  grpc::ServerReadReactor<judge::v1::ImportChallengeChunk>* ImportChallenge(
      grpc::CallbackServerContext* ctx, judge::v1::ImportChallengeResponse* resp) override;
  grpc::ServerUnaryReactor* RejudgeChallenge(grpc::CallbackServerContext* ctx,
                                             const judge::v1::RejudgeChallengeRequest* req,
                                             judge::v1::RejudgeChallengeResponse* resp) override;
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* ctx,
                                      const judge::v1::GetReportRequest* req,
                                      judge::v1::SubmissionReport* resp) override;
  grpc::ServerUnaryReactor* ListSimilarSubmissions(
      grpc::CallbackServerContext* ctx, const judge::v1::ListSimilarSubmissionsRequest* req,
      judge::v1::ListSimilarSubmissionsResponse* resp) override;

 private:
  absl::StatusOr<Principal> Authenticate(grpc::CallbackServerContext* ctx) const;
  // The body of a unary call: authenticates, calls `method`, puts its answer in `resp`, and
  // returns the call's status.
  template <typename Resp, typename Method>
  absl::Status Answer(grpc::CallbackServerContext* ctx, Resp* resp, const Method& method);
  // Authenticates, calls `method` and finishes the call with its answer in `resp`.
  template <typename Resp, typename Method>
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx, Resp* resp, Method method);
  // Runs `work` (the call's body, returning its status) on the pool when there is one, else
  // here, and finishes the call with its status.
  template <typename Work>
  grpc::ServerUnaryReactor* Offload(grpc::CallbackServerContext* ctx, Work work);
  // A unary call that may be forwarded: on the pool when there is one.
  template <typename Resp, typename Method>
  grpc::ServerUnaryReactor* Forwardable(grpc::CallbackServerContext* ctx, Resp* resp,
                                        Method method);
  class CallPool;
  std::unique_ptr<CallPool> pool_;

  JudgeApi* api_;
};

}  // namespace judge
