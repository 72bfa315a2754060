// The gRPC adapter: judge.v1.JudgeService on the callback API, over the engine, store and hub.
// Every request is authenticated and validated here; failures are precise gRPC statuses, and
// verdicts are data in the responses.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "grpcpp/grpcpp.h"
#include "judge/service/auth.h"
#include "judge/service/engine.h"
#include "judge/v1/judge.grpc.pb.h"

namespace judge {

struct ServiceOptions {
  size_t max_source_bytes = 64 << 10;
  size_t max_custom_stdin_bytes = 1 << 20;
  // Submit (and RunLive) calls per second per key, by role, unless the key sets rate=N. A key
  // may burst to ten seconds' worth (at least 3): a platform opening an assessment to 2,000
  // candidates at once is served at once, a candidate submits a few times a minute.
  double candidate_rate = 0.1;
  double interviewer_rate = 1;
  double platform_rate = 200;
  double admin_rate = 200;
};

// absl -> gRPC, one place.
grpc::Status ToGrpc(const absl::Status& status);

// Submit is taken as raw bytes and parsed here, so that a request protobuf would refuse (a
// string field that is not UTF-8) gets INVALID_ARGUMENT naming the field, not gRPC's bare
// UNIMPLEMENTED.
class JudgeServiceImpl final
    : public judge::v1::JudgeService::WithRawCallbackMethod_Submit<
          judge::v1::JudgeService::CallbackService> {
 public:
  JudgeServiceImpl(const KeyStore* keys, const ChallengeMap* challenges, Store* store,
                   Engine* engine, Hub* hub, Metrics* metrics, ServiceOptions options);

  grpc::ServerUnaryReactor* ListChallenges(grpc::CallbackServerContext* ctx,
                                           const judge::v1::ListChallengesRequest* req,
                                           judge::v1::ListChallengesResponse* resp) override;
  grpc::ServerUnaryReactor* GetChallenge(grpc::CallbackServerContext* ctx,
                                         const judge::v1::GetChallengeRequest* req,
                                         judge::v1::ChallengeDetail* resp) override;
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* ctx,
                                   const judge::v1::SubmitRequest* req,
                                   judge::v1::Submission* resp) override;
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
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* ctx,
                                      const judge::v1::GetReportRequest* req,
                                      judge::v1::SubmissionReport* resp) override;
  grpc::ServerUnaryReactor* ListSimilarSubmissions(
      grpc::CallbackServerContext* ctx, const judge::v1::ListSimilarSubmissionsRequest* req,
      judge::v1::ListSimilarSubmissionsResponse* resp) override;

 private:
  absl::StatusOr<Principal> Authenticate(grpc::CallbackServerContext* ctx) const;
  absl::Status CheckCode(const std::string& challenge_id, const std::string& language,
                         const std::string& source) const;
  absl::Status RateLimit(const Principal& who);
  absl::Status SubmitImpl(grpc::CallbackServerContext* ctx, const judge::v1::SubmitRequest* req,
                          judge::v1::Submission* resp);
  // An earlier Submit with the same key and request_id: that submission when the request is the
  // same, ALREADY_EXISTS naming what differs, NotFound when there was none.
  absl::StatusOr<judge::v1::Submission> EarlierRequest(const std::string& request_key,
                                                       const std::string& candidate,
                                                       const judge::v1::SubmitRequest& req) const;
  // A QUEUED submission with a fresh id; the challenge must exist (checked by CheckCode).
  judge::v1::Submission NewSubmission(const std::string& candidate, const std::string& challenge_id,
                                      const std::string& language, const std::string& source,
                                      judge::v1::SubmissionMode mode) const;
  // Streams a submission's events: its history so far, then live ones, ending with FINISHED.
  grpc::ServerWriteReactor<judge::v1::SubmissionEvent>* StartStream(
      const std::string& id,
      std::function<void(judge::v1::SubmissionEvent*)> view = nullptr);
  // What `who` may see of a submission it may read: a candidate never sees hidden test names.
  void ViewFor(const Principal& who, judge::v1::Submission* submission) const;
  absl::StatusOr<judge::v1::Submission> ReadableSubmission(const Principal& who,
                                                           const std::string& id) const;

  const KeyStore* keys_;
  const ChallengeMap* challenges_;
  Store* store_;
  Engine* engine_;
  Hub* hub_;
  Metrics* metrics_;
  ServiceOptions options_;

  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  std::mutex rate_mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace judge
