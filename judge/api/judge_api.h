// The judge's front door, free of any transport: who the caller is, what it may do, what its
// request must look like and what it may see of the answer. judge/service (gRPC) and judge/http
// (JSON and server-sent events) are thin adapters over this class, so no rule is written twice.
// Every method returns a precise absl::Status the adapters map to their own codes. JudgeApi
// itself answers who the caller is and what challenges and languages there are; the rest it
// hands to its parts, one concern each: Submissions (taking work), Reads (reading it), LiveRuns
// (event streams and live runs), Reports, Admin. They share one ApiContext (api_context.h).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "judge/api/admin.h"
#include "judge/api/api_context.h"
#include "judge/api/event_feed.h"
#include "judge/api/imports.h"
#include "judge/api/live_runs.h"
#include "judge/api/reads.h"
#include "judge/api/reports.h"
#include "judge/api/sessions.h"
#include "judge/api/submissions.h"
#include "judge/api/views.h"

namespace judge {

class JudgeApi {
 public:
  JudgeApi(const KeyStore* keys, const Catalog* challenges, Store* store, Engine* engine, Hub* hub,
           Metrics* metrics, ApiOptions options);

  // From the value of an "authorization" header or metadata entry ("Bearer <token>"); `present`
  // is false when the caller sent none.
  absl::StatusOr<Principal> Authenticate(bool present, std::string_view authorization) const;
  // A call another node of the cluster forwarded: the caller it vouches for (see PeerTrust).
  absl::StatusOr<Principal> AuthenticatePeer(std::string_view assertion, std::string_view mac,
                                             bool client_certificate_verified) const;

  absl::StatusOr<judge::v1::Caller> WhoAmI(const Principal& who) const;
  absl::StatusOr<judge::v1::ListLanguagesResponse> ListLanguages(const Principal& who) const;
  absl::StatusOr<judge::v1::ListChallengesResponse> ListChallenges(const Principal& who) const;
  absl::StatusOr<judge::v1::ChallengeDetail> GetChallenge(
      const Principal& who, const judge::v1::GetChallengeRequest& req) const;

  absl::StatusOr<judge::v1::Submission> Submit(const Principal& who,
                                               const judge::v1::SubmitRequest& req) {
    return submissions_.Submit(who, req);
  }
  absl::StatusOr<judge::v1::Submission> GetSubmission(
      const Principal& who, const judge::v1::GetSubmissionRequest& req) const {
    return reads_.GetSubmission(who, req);
  }
  absl::StatusOr<judge::v1::ListSubmissionsResponse> ListSubmissions(
      const Principal& who, const judge::v1::ListSubmissionsRequest& req) const {
    return reads_.ListSubmissions(who, req);
  }
  absl::StatusOr<judge::v1::ListSimilarSubmissionsResponse> ListSimilarSubmissions(
      const Principal& who, const judge::v1::ListSimilarSubmissionsRequest& req) const {
    return reads_.ListSimilarSubmissions(who, req);
  }
  absl::StatusOr<judge::v1::SubmissionReport> GetReport(const Principal& who,
                                                        const judge::v1::GetReportRequest& req) {
    return reports_.GetReport(who, req);
  }
  absl::StatusOr<judge::v1::EraseCandidateResponse> EraseCandidate(
      const Principal& who, const judge::v1::EraseCandidateRequest& req) {
    return admin_.EraseCandidate(who, req);
  }
  absl::StatusOr<judge::v1::BackupResponse> Backup(const Principal& who,
                                                   const judge::v1::BackupRequest& req) {
    return admin_.Backup(who, req);
  }

  // The streams: on success events go to `deliver` until the feed is destroyed. A submission
  // that already finished is delivered as its one FINISHED event (before this returns). In a
  // cluster, a watch of another node's submission that breaks before FINISHED is reported to
  // `broken` (UNAVAILABLE naming the owner; the caller ends its stream with it).
  absl::StatusOr<std::unique_ptr<EventFeed>> WatchSubmission(
      const Principal& who, const judge::v1::WatchSubmissionRequest& req,
      EventFeed::Deliver deliver, EventFeed::Broken broken = nullptr) const {
    return live_.WatchSubmission(who, req, std::move(deliver), std::move(broken));
  }
  // A run in a session that another node keeps runs there; `broken` as for WatchSubmission.
  absl::StatusOr<std::unique_ptr<EventFeed>> RunLive(const Principal& who,
                                                     const judge::v1::RunLiveRequest& req,
                                                     EventFeed::Deliver deliver,
                                                     EventFeed::Broken broken = nullptr) {
    return live_.RunLive(who, req, std::move(deliver), std::move(broken));
  }

  // Interview sessions (sessions.h); the pad is joined by the HTTP door's WebSocket.
  absl::StatusOr<judge::v1::Session> CreateSession(const Principal& who,
                                                   const judge::v1::CreateSessionRequest& req) {
    return sessions_.Create(who, req);
  }
  absl::StatusOr<judge::v1::Session> GetSession(const Principal& who,
                                                const judge::v1::GetSessionRequest& req) {
    return sessions_.Get(who, req.session_id());
  }
  absl::StatusOr<judge::v1::SessionTimeline> GetSessionTimeline(
      const Principal& who, const judge::v1::GetSessionTimelineRequest& req) {
    return sessions_.Timeline(who, req.session_id());
  }
  absl::StatusOr<judge::v1::ListSessionsResponse> ListSessions(
      const Principal& who, const judge::v1::ListSessionsRequest& req) {
    return sessions_.List(who, req);
  }
  absl::StatusOr<judge::v1::Session> EndSession(const Principal& who,
                                                const judge::v1::EndSessionRequest& req) {
    return sessions_.End(who, req.session_id());
  }
  absl::StatusOr<judge::v1::Session> SetSessionNotes(const Principal& who,
                                                     const judge::v1::SetSessionNotesRequest& req) {
    return sessions_.SetNotes(who, req);
  }
  absl::StatusOr<std::unique_ptr<PadLink>> JoinPad(const Principal& who,
                                                   const std::string& session_id, int64_t version,
                                                   std::function<void(std::string, bool)> send) {
    return sessions_.Join(who, session_id, version, std::move(send));
  }

  // Challenges from problem packages (imports.h): on once judged has its grader and data dir.
  void EnableImports(Catalog* catalog, Grader* grader, ImportOptions options) {
    imports_ = std::make_unique<Imports>(&ctx_, catalog, grader, std::move(options));
  }
  Imports* imports() { return imports_.get(); }
  // The import's report with the challenge as GetChallenge shows it.
  absl::StatusOr<judge::v1::ImportChallengeResponse> ImportChallenge(const Principal& who,
                                                                     const ImportRequest& req);
  absl::StatusOr<judge::v1::RejudgeChallengeResponse> RejudgeChallenge(
      const Principal& who, const judge::v1::RejudgeChallengeRequest& req);

  const ApiOptions& options() const { return ctx_.options; }

  // Whether calls about this submission (or session) go to another node (a cluster's other
  // owner).
  bool KeptElsewhere(const std::string& submission_id) const {
    return ctx_.cluster != nullptr && !OwnerOf(submission_id).empty() &&
           OwnerOf(submission_id) != ctx_.cluster->node_id();
  }

  // Makes this node one of a cluster (before serving): new submission ids carry the node id,
  // request ids are claimed cluster-wide, calls about another node's submissions go to it, and
  // calls the other nodes forward are accepted as `trust` says.
  void JoinCluster(ClusterLink* cluster, Peers* peers, const PeerTrust* trust) {
    ctx_.cluster = cluster;
    ctx_.peers = peers;
    ctx_.trust = trust;
  }

 private:
  ApiContext ctx_;
  Reads reads_{&ctx_};
  Submissions submissions_{&ctx_, &reads_};
  Sessions sessions_{&ctx_};
  LiveRuns live_{&ctx_, &reads_, &submissions_, &sessions_};
  Reports reports_{&ctx_, &reads_};
  Admin admin_{&ctx_, &sessions_};
  std::unique_ptr<Imports> imports_;
};

}  // namespace judge
