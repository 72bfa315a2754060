// The judge's front door, free of any transport: who the caller is, what it may do, what its
// request must look like and what it may see of the answer. judge/service (gRPC) and judge/http
// (JSON and server-sent events) are thin adapters over this class, so no rule is written twice.
// Every method returns a precise absl::Status the adapters map to their own codes.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "judge/api/auth.h"
#include "judge/api/cluster.h"
#include "judge/api/engine.h"
#include "judge/api/hub.h"
#include "judge/api/metrics.h"
#include "judge/api/peer_trust.h"
#include "judge/api/rate_limiter.h"
#include "judge/api/views.h"
#include "judge/store/store.h"
#include "judge/v1/judge.pb.h"

namespace judge {

struct ApiOptions {
  size_t max_source_bytes = 64 << 10;
  size_t max_custom_stdin_bytes = 1 << 20;
  // Submit (and RunLive) calls per second per key, by role, unless the key sets rate=N. A key
  // may burst to ten seconds' worth (at least 3): a platform opening an assessment to 2,000
  // candidates at once is served at once, a candidate submits a few times a minute.
  double candidate_rate = 0.1;
  double interviewer_rate = 1;
  double platform_rate = 200;
  double admin_rate = 200;
  // A candidate's practice runs (RunLive with a candidate token), per key, apart from Submit's:
  // 30 a minute, in bursts of 10.
  double practice_rate = 0.5;
};

// One caller's view of a submission's events: the history so far, then each new event as it
// happens, the FINISHED event last. `deliver` runs on any thread, in order, and must not block.
// Destroying the feed stops delivery (no call of `deliver` is in progress once it returns).
class EventFeed {
 public:
  using Deliver = std::function<void(judge::v1::SubmissionEvent)>;
  // A feed from another node that ended before FINISHED: why (UNAVAILABLE, naming the node).
  using Broken = std::function<void(const absl::Status&)>;
  ~EventFeed();
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;
  const std::string& submission_id() const { return id_; }

 private:
  friend class JudgeApi;
  class Relay;
  EventFeed(Hub* hub, std::string id, std::shared_ptr<Relay> relay);
  // Fed from another node; `stop` ends it.
  EventFeed(std::string id, std::function<void()> stop);
  Hub* hub_ = nullptr;
  std::function<void()> on_close_;  // a live run's: its client is gone, stop the run
  std::string id_;
  std::shared_ptr<Relay> relay_;
  std::function<void()> stop_;
};

class JudgeApi {
 public:
  JudgeApi(const KeyStore* keys, const ChallengeMap* challenges, Store* store, Engine* engine,
           Hub* hub, Metrics* metrics, ApiOptions options);

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
                                               const judge::v1::SubmitRequest& req);
  absl::StatusOr<judge::v1::Submission> GetSubmission(
      const Principal& who, const judge::v1::GetSubmissionRequest& req) const;
  absl::StatusOr<judge::v1::ListSubmissionsResponse> ListSubmissions(
      const Principal& who, const judge::v1::ListSubmissionsRequest& req) const;
  absl::StatusOr<judge::v1::ListSimilarSubmissionsResponse> ListSimilarSubmissions(
      const Principal& who, const judge::v1::ListSimilarSubmissionsRequest& req) const;
  absl::StatusOr<judge::v1::SubmissionReport> GetReport(const Principal& who,
                                                        const judge::v1::GetReportRequest& req);

  absl::StatusOr<judge::v1::EraseCandidateResponse> EraseCandidate(
      const Principal& who, const judge::v1::EraseCandidateRequest& req);
  absl::StatusOr<judge::v1::BackupResponse> Backup(const Principal& who,
                                                   const judge::v1::BackupRequest& req);

  // The streams: on success events go to `deliver` until the feed is destroyed. A submission
  // that already finished is delivered as its one FINISHED event (before this returns). In a
  // cluster, a watch of another node's submission that breaks before FINISHED is reported to
  // `broken` (UNAVAILABLE naming the owner; the caller ends its stream with it).
  absl::StatusOr<std::unique_ptr<EventFeed>> WatchSubmission(
      const Principal& who, const judge::v1::WatchSubmissionRequest& req,
      EventFeed::Deliver deliver, EventFeed::Broken broken = nullptr) const;
  absl::StatusOr<std::unique_ptr<EventFeed>> RunLive(const Principal& who,
                                                     const judge::v1::RunLiveRequest& req,
                                                     EventFeed::Deliver deliver);

  // What `who` may see of a submission it may read (a candidate never sees hidden test names
  // nor traps).

  const ApiOptions& options() const { return options_; }

  // Whether calls about this submission go to another node (a cluster's other owner).
  bool KeptElsewhere(const std::string& submission_id) const {
    return cluster_ != nullptr && !OwnerOf(submission_id).empty() &&
           OwnerOf(submission_id) != cluster_->node_id();
  }

  // Makes this node one of a cluster (before serving): new submission ids carry the node id,
  // request ids are claimed cluster-wide, calls about another node's submissions go to it, and
  // calls the other nodes forward are accepted as `trust` says.
  void JoinCluster(ClusterLink* cluster, Peers* peers, const PeerTrust* trust) {
    cluster_ = cluster;
    peers_ = peers;
    trust_ = trust;
  }

 private:
  // The address of the node that owns submission `id` when it is another node (forward the
  // call there); "" when it is this node's; UNAVAILABLE when the owner is not alive.
  absl::StatusOr<std::string> RemoteOwner(const std::string& id) const;
  // An answer forwarded from the owner of submission `id`: its own errors as it gave them, its
  // silence as UNAVAILABLE naming the node.
  template <typename T>
  static absl::StatusOr<T> FromOwner(absl::StatusOr<T> answer, const std::string& id) {
    if (answer.ok() || !absl::IsUnavailable(answer.status())) return answer;
    return absl::UnavailableError(absl::StrCat("submission ", id, " is kept by node ", OwnerOf(id),
                                               ", which ", answer.status().message()));
  }
  absl::StatusOr<judge::v1::ListSubmissionsResponse> ListEverywhere(
      const Principal& who, const judge::v1::ListSubmissionsRequest& req) const;
  // Submit's answer to a retry of a request claimed cluster-wide under `key` as `claimed`
  // ("<id> <digest>").
  absl::StatusOr<judge::v1::Submission> ClaimedRequest(const Principal& who, const std::string& key,
                                                       const std::string& claimed,
                                                       const std::string& digest,
                                                       const std::string& request_id) const;
  absl::Status CheckCode(const std::string& challenge_id, const std::string& language,
                         const std::string& source) const;
  // An earlier Submit with the same key and request_id: that submission when the request is the
  // same, ALREADY_EXISTS naming what differs, NotFound when there was none.
  absl::StatusOr<judge::v1::Submission> EarlierRequest(const std::string& request_key,
                                                       const std::string& candidate,
                                                       const judge::v1::SubmitRequest& req) const;
  // A QUEUED submission with a fresh id; the challenge must exist (checked by CheckCode).
  judge::v1::Submission NewSubmission(const Principal& who, const std::string& candidate,
                                      const std::string& challenge_id, const std::string& language,
                                      const std::string& source,
                                      judge::v1::SubmissionMode mode) const;
  absl::StatusOr<judge::v1::Submission> ReadableSubmission(const Principal& who,
                                                           const std::string& id) const;
  // Subscribes a feed for `who` to submission `id`: its history then live events, or the
  // stored FINISHED submission.
  absl::StatusOr<std::unique_ptr<EventFeed>> OpenFeed(const Principal& who, const std::string& id,
                                                      const std::string& challenge_id,
                                                      EventFeed::Deliver deliver) const;

  const KeyStore* keys_;
  const ChallengeMap* challenges_;
  Store* store_;
  Engine* engine_;
  Hub* hub_;
  Metrics* metrics_;
  ApiOptions options_;
  ClusterLink* cluster_ = nullptr;
  Peers* peers_ = nullptr;
  const PeerTrust* trust_ = nullptr;

  RateLimiter rates_;
};

// Letters, digits and -_.@: only, 1..max bytes (ids and candidate ids).
bool ValidName(const std::string& s, size_t max);
bool ValidUtf8(std::string_view s);

}  // namespace judge
