// ClusterLink over NATS JetStream (the C client, libnats): every hard part of the cluster is
// JetStream's, none is ours.
//   JUDGE_JOBS      work-queue stream on "judge.jobs": one job per take-home submission, its
//                   id (and attempt) as Nats-Msg-Id, so a job queued twice is stored once;
//                   one durable pull consumer, "judge-workers", shared by every node: a job is
//                   leased (AckWait) to the worker that fetched it, extended while judging
//                   (InProgress) and delivered again when the lease runs out.
//   JUDGE_RESULTS   "judge.results.<owner node>": the events of each job, kept until the owner's
//                   durable consumer "results-<node>" acknowledges them, so results wait for an
//                   owner that is down.
//   KV judge-requests  (caller, request id) -> "<submission id> <digest>", created with Create.
//   KV judge-nodes     node id -> gRPC address, refreshed every second, alive while refreshed
//                      within the node TTL (while NATS is away: the last known addresses).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "judge/api/cluster.h"

struct __natsConnection;
struct __jsCtx;
struct __natsSubscription;
struct __kvStore;

namespace judge {

struct NatsOptions {
  std::string url;                        // nats://host:4222 (comma-separated for several servers)
  std::string node_id;                    // [a-z0-9-], unique in the cluster
  std::string advertise;                  // this node's gRPC address as other nodes reach it
  int replicas = 1;                       // of streams and buckets (3 on a 3-server NATS cluster)
  std::chrono::seconds lease{30};         // a job's AckWait
  std::chrono::seconds node_ttl{10};      // a node is gone when not heard of for this long
  std::chrono::seconds connect_wait{30};  // at start, how long to wait for NATS
  int64_t max_jobs = 0;                   // queued or being judged, cluster-wide; 0: no bound
  // Optional: credentials file, and TLS (CA to trust; client certificate and key).
  std::string creds_file, tls_ca, tls_cert, tls_key;
};

class NatsLink final : public ClusterLink {
 public:
  // Connects (waiting up to connect_wait for NATS) and creates the streams, consumers and
  // buckets when missing.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<NatsLink>> Connect(NatsOptions options);
  ~NatsLink() override;

  const std::string& node_id() const override { return options_.node_id; }
  bool Connected() const override;
  absl::Status Enqueue(const judge::v1::Submission& submission, int attempt) override;
  std::unique_ptr<Job> NextJob(std::chrono::milliseconds wait) override;
  absl::Status SendResult(const judge::v1::SubmissionEvent& event) override;
  void ReceiveResults(ApplyResult apply) override;
  absl::StatusOr<std::string> ClaimRequest(const std::string& key,
                                           const std::string& value) override;
  absl::StatusOr<std::string> LookupRequest(const std::string& key) override;
  void ForgetRequest(const std::string& key) override;
  std::map<std::string, std::string> Nodes() const override;
  absl::Status PublishChallenge(const judge::v1::StoredChallenge& record,
                                const std::map<std::string, std::string>& blobs) override;
  absl::StatusOr<judge::v1::StoredChallenge> LatestChallenge(const std::string& id) override;
  absl::StatusOr<std::string> FetchBlob(const std::string& sha256, uint64_t size) override;
  void WatchChallenges(std::function<void(const judge::v1::StoredChallenge&)> on_version) override;
  void Stop() override;

 private:
  explicit NatsLink(NatsOptions options) : options_(std::move(options)) {}
  absl::Status SetUp();
  // Sets the shared job consumer's lease to `ack_wait_ns` if it exists with another.
  absl::Status AdoptLease(int64_t ack_wait_ns);
  void Heartbeat();
  void ReadResults();

  NatsOptions options_;
  __natsConnection* nc_ = nullptr;
  __jsCtx* js_ = nullptr;
  __kvStore* requests_ = nullptr;
  __kvStore* nodes_ = nullptr;
  std::mutex jobs_mu_;  // one fetch at a time on the shared consumer
  __natsSubscription* jobs_ = nullptr;
  __natsSubscription* results_ = nullptr;
  __natsSubscription* challenges_ = nullptr;
  std::function<void(const judge::v1::StoredChallenge&)> on_challenge_;
  // The last message of a subject of the challenges stream (NotFound when none).
  absl::StatusOr<std::string> LastOf(const std::string& subject);
  ApplyResult apply_;
  std::atomic<bool> stopping_{false};
  std::thread heartbeat_, results_reader_;
  mutable std::mutex nodes_mu_;
  // node id -> (address, when last heard of)
  std::map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>> seen_;
};

}  // namespace judge
