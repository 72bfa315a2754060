// What the judge needs from a cluster, free of any transport: a shared work queue, results
// returned to a submission's owner, cluster-wide request ids and membership (ClusterLink, over
// NATS JetStream in judge/cluster), and calls to another node on a caller's behalf (Peers, over
// gRPC in judge/service). Without --nats neither exists and the judge is one node.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "judge/api/auth.h"
#include "judge/v1/judge.pb.h"

namespace judge {

// A submission taken from the shared queue, leased to this node until Done or Retry; a node
// that dies lets the lease run out and another node takes the job.
class Job {
 public:
  virtual ~Job() = default;
  virtual const judge::v1::Submission& submission() const = 0;
  virtual void KeepLeased() = 0;    // extends the lease (call at least every few seconds)
  virtual absl::Status Done() = 0;  // acknowledged: the queue forgets the job
  virtual void Retry() = 0;         // handed back at once, for any node
};

// Cluster ids are "<time-ordered hex>.<owner node id>"; the owner alone writes the record.
inline std::string OwnerOf(const std::string& submission_id) {
  const size_t dot = submission_id.rfind('.');
  return dot == std::string::npos ? std::string() : submission_id.substr(dot + 1);
}

class ClusterLink {
 public:
  using ApplyResult = std::function<absl::Status(const judge::v1::SubmissionEvent&)>;
  virtual ~ClusterLink() = default;

  virtual const std::string& node_id() const = 0;
  // Whether NATS answers now (a node that cannot queue work refuses Submit).
  virtual bool Connected() const = 0;

  // Queues a stored take-home submission for any node. Queued twice under the same (id,
  // attempt) it is judged once (de-duplicated by the queue); `attempt` counts judgings again.
  [[nodiscard]] virtual absl::Status Enqueue(const judge::v1::Submission& submission,
                                             int attempt) = 0;
  // The next job for this node's workers; nullptr when none came within `wait` (or stopping).
  virtual std::unique_ptr<Job> NextJob(std::chrono::milliseconds wait) = 0;
  // An event of a job (progress, or FINISHED with the graded submission) to the submission's
  // owner; OK once it is durable in the owner's results stream.
  [[nodiscard]] virtual absl::Status SendResult(const judge::v1::SubmissionEvent& event) = 0;
  // Starts delivering the events of this node's submissions, judged anywhere, in order, to
  // `apply`; an event is acknowledged once `apply` returns OK (else it comes again later).
  virtual void ReceiveResults(ApplyResult apply) = 0;

  // Cluster-wide idempotency: stores `value` under `key` unless the key exists; returns the
  // value stored under it (so `value` when this call created it).
  [[nodiscard]] virtual absl::StatusOr<std::string> ClaimRequest(const std::string& key,
                                                                 const std::string& value) = 0;
  // The value under `key`; NotFound when none.
  [[nodiscard]] virtual absl::StatusOr<std::string> LookupRequest(const std::string& key) = 0;
  virtual void ForgetRequest(const std::string& key) = 0;

  // The nodes alive now (heartbeats within the membership TTL), node id -> gRPC address, this
  // node included.
  virtual std::map<std::string, std::string> Nodes() const = 0;

  // Imported challenges, shared by every node: a version's record and its files' bytes (by
  // sha256; the ones the cluster holds already are not sent again). Then every node is told
  // (WatchChallenges) and any node can fetch it.
  [[nodiscard]] virtual absl::Status PublishChallenge(
      const judge::v1::StoredChallenge& record, const std::map<std::string, std::string>& blobs) {
    return absl::UnimplementedError("this cluster does not share challenges");
  }
  // The newest version's record of `id`; NotFound when the cluster has none.
  [[nodiscard]] virtual absl::StatusOr<judge::v1::StoredChallenge> LatestChallenge(
      const std::string& id) {
    return absl::NotFoundError("no shared challenges");
  }
  // A file's bytes by their sha256 (and size), checked against the hash.
  [[nodiscard]] virtual absl::StatusOr<std::string> FetchBlob(const std::string& sha256,
                                                              uint64_t size) {
    return absl::NotFoundError("no shared challenges");
  }
  // Calls `on_version` (on a thread of the link's) with the newest record of every shared
  // challenge now, then with each new one as it is published.
  virtual void WatchChallenges(std::function<void(const judge::v1::StoredChallenge&)> on_version) {}

  virtual void Stop() = 0;
};

// Calls to the node at `address` on a caller's behalf: the caller's key goes along, vouched for
// by this node (PeerTrust), so the owner applies its own rules to that key and a forwarded call
// never carries more authority than the caller had. Each call is bounded by the caller's deadline
// and the peer timeout; a peer that does not answer in time is UNAVAILABLE.
class Peers {
 public:
  virtual ~Peers() = default;
  virtual absl::StatusOr<judge::v1::Submission> GetSubmission(
      const std::string& address, const Principal& who,
      const judge::v1::GetSubmissionRequest& req) = 0;
  virtual absl::StatusOr<judge::v1::SubmissionReport> GetReport(
      const std::string& address, const Principal& who, const judge::v1::GetReportRequest& req) = 0;
  // That node's own submissions only (never fanned out again).
  virtual absl::StatusOr<judge::v1::ListSubmissionsResponse> ListLocal(
      const std::string& address, const Principal& who,
      const judge::v1::ListSubmissionsRequest& req) = 0;
  // Streams the owner's WatchSubmission into `deliver` until FINISHED; the returned function
  // stops it (no delivery starts after it returns). An error before the first event is returned
  // as the status; a stream that ends before FINISHED (the owner died, or stopped answering) is
  // reported once to `broken`, unless stopped first.
  virtual absl::StatusOr<std::function<void()>> Watch(
      const std::string& address, const Principal& who,
      const judge::v1::WatchSubmissionRequest& req,
      std::function<void(judge::v1::SubmissionEvent)> deliver,
      std::function<void(const absl::Status&)> broken) = 0;
  // A live run in a session the node at `address` owns: judged there, streamed as Watch does.
  virtual absl::StatusOr<std::function<void()>> RunLive(
      const std::string& address, const Principal& who, const judge::v1::RunLiveRequest& req,
      std::function<void(judge::v1::SubmissionEvent)> deliver,
      std::function<void(const absl::Status&)> broken) = 0;

  // Sessions kept by the node at `address`.
  virtual absl::StatusOr<judge::v1::Session> GetSession(
      const std::string& address, const Principal& who,
      const judge::v1::GetSessionRequest& req) = 0;
  virtual absl::StatusOr<judge::v1::SessionTimeline> GetSessionTimeline(
      const std::string& address, const Principal& who,
      const judge::v1::GetSessionTimelineRequest& req) = 0;
  virtual absl::StatusOr<judge::v1::Session> EndSession(
      const std::string& address, const Principal& who,
      const judge::v1::EndSessionRequest& req) = 0;
  virtual absl::StatusOr<judge::v1::Session> SetSessionNotes(
      const std::string& address, const Principal& who,
      const judge::v1::SetSessionNotesRequest& req) = 0;
  // That node's own sessions only.
  virtual absl::StatusOr<judge::v1::ListSessionsResponse> ListSessionsLocal(
      const std::string& address, const Principal& who,
      const judge::v1::ListSessionsRequest& req) = 0;

  // A link to the pad of a session the node at `address` keeps: frames given to Send go to the
  // owner's pad in order (never blocking); its frames come to `deliver` (`last`: the pad closes
  // after it), and when the owner stops answering, one error frame with `last`. Destroying the
  // link leaves the pad; no delivery starts after that.
  class PadPeer {
   public:
    virtual ~PadPeer() = default;
    virtual void Send(std::string json) = 0;
  };
  virtual std::unique_ptr<PadPeer> JoinPad(const std::string& address, const Principal& who,
                                           const std::string& session_id, int64_t version,
                                           std::function<void(std::string, bool)> deliver) = 0;
};

}  // namespace judge
