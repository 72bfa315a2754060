// The judging engine: a bounded priority queue (live runs first, then take-home in order) and
// N workers that grade, store and publish. No gRPC here.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "judge/api/catalog.h"
#include "judge/api/cluster.h"
#include "judge/api/hub.h"
#include "judge/api/metrics.h"
#include "judge/api/webhooks.h"
#include "judge/core/challenge.h"
#include "judge/core/grader.h"
#include "judge/store/store.h"

namespace judge {

struct EngineOptions {
  int workers = 2;                // take any work, live runs first
  int live_workers = 1;           // take live runs only: an interviewer never waits for take-homes
  size_t queue_limit = 1000;      // take-home submissions queued at most
  size_t live_queue_limit = 100;  // live runs queued at most, counted apart
  // Live and practice runs one key holds at once (queued or running); more are refused.
  size_t live_runs_per_key = 4;
  // A worker that takes any work takes a live run first only while the oldest take-home
  // submission has waited less than this; then the take-home one goes first.
  std::chrono::milliseconds take_home_wait_bound{2000};
  // A grading the host broke (EMFILE, ENOMEM, ENOSPC, a failed cgroup or mount: any non-OK
  // status from the grader) is tried again this many times, after 0.25 s, 1 s, 4 s, ...
  int host_retries = 3;
  // Then INTERNAL_ERROR is recorded, and the submission is judged again later: after
  // rejudge_delay, doubling up to 10 minutes, at most max_rejudges times (and at every start).
  std::chrono::milliseconds rejudge_delay{30000};
  int max_rejudges = 8;
  // Stop(): tests running this long after the stop finish; then grading stops between tests
  // and what was not finished is judged again at the next start.
  std::chrono::milliseconds stop_grace{30000};
  // Webhooks by key id (nullptr: none): a take-home submission's final verdict is queued for
  // delivery to its submitter's hook, and `on_outbox` is told.
  const WebhookRegistry* webhooks = nullptr;
  std::function<void()> on_outbox;
  // A cluster (nullptr: one node): take-home submissions go to the shared queue, the `workers`
  // judge jobs from it (any node's), and results for this node's submissions come back through
  // it. Live runs stay local.
  ClusterLink* cluster = nullptr;
  // Sources of finished submissions older than this are dropped (verdicts kept); 0: kept for
  // ever. Checked every retain_sources / 4, at most hourly.
  std::chrono::seconds retain_sources{0};
};

class Engine {
 public:
  Engine(Store* store, Grader* grader, const Catalog* challenges, Hub* hub, Metrics* metrics,
         EngineOptions options);
  ~Engine();

  // Takes a place in the mode's queue for a submission about to be stored; ResourceExhausted
  // when that queue is full, or for a live run when `key` already holds live_runs_per_key.
  // Every successful Reserve is followed by Push or Release (with the same key).
  [[nodiscard]] absl::Status Reserve(judge::v1::SubmissionMode mode, const std::string& key = "");
  void Release(judge::v1::SubmissionMode mode, const std::string& key = "");
  // Queues a stored submission (publishes QUEUED). `reserved`: a place was taken with Reserve.
  // Fails only in a cluster, when the shared queue cannot take it (NATS unreachable).
  [[nodiscard]] absl::Status Push(const judge::v1::Submission& submission, bool reserved);

  // Queues every unfinished submission from the store, then starts the workers.
  [[nodiscard]] absl::Status Start();
  // Stops taking work; waits for the workers to finish what they are judging. What is still
  // queued stays pending in the store and is judged at the next start.
  void Stop();

  size_t queued() const;
  // Stops a live or practice run (its client has gone): a queued one is never judged, a
  // running one is killed within kStopCheckMs; it ends as VERDICT_CANCELLED. No-op otherwise.
  // Its key's share of live runs is free again at once.
  void Cancel(const std::string& id);
  // Drops what the compile cache keeps of a source (an erased candidate's).
  void ForgetSource(const std::string& language, const std::string& source);

  // The reference solution's CPU per test (in test order) in a language; empty while it is not
  // measured. The first ask queues a measurement in the background (once per process); the
  // judge asks after every take-home submission, so reports have it from then on.
  std::vector<uint32_t> ReferenceCpu(const std::string& challenge_id, const std::string& language);
  // How a submission's CPU grows over its challenge's scaling series, and the reference's in the
  // same language; nullopt while not measured (the first ask queues it, in the background).
  std::optional<Growth> SubmissionGrowth(const judge::v1::Submission& submission);
  std::optional<Growth> ReferenceGrowth(const std::string& challenge_id,
                                        const std::string& language);

 private:
  // Push failed (a cluster's queue out of reach): tries again shortly, from RejudgeLoop.
  void QueueLater(const judge::v1::Submission& submission, const absl::Status& why);
  // One live run of `key` ended or was never queued (mu_ held).
  void ReleaseKey(const std::string& key);
  void Work(bool live_only);
  void Judge(judge::v1::Submission submission);
  // Grades with retries on host failures; events go to `publish`. Cancelled when stopping.
  absl::Status Grade(judge::v1::Submission* submission,
                     const std::function<void(judge::v1::SubmissionEvent)>& publish);
  // Records a graded submission (`status`: the grading's own failure, if any): the verdict,
  // judging again after a failure, the webhook, metrics, FINISHED, similarity.
  void Complete(judge::v1::Submission submission, const absl::Status& status);
  // Cluster: judges jobs from the shared queue; applies results for this node's submissions.
  void WorkShared();
  absl::Status ApplyResult(const judge::v1::SubmissionEvent& event);
  // Fingerprints a take-home submission and stores its pairs with similar earlier ones by
  // other candidates (see judge/core/similarity.h).
  void IndexSimilarity(const judge::v1::Submission& submission);
  // Waits `delay` unless stopping; false when stopping.
  bool SleepUnlessStopping(std::chrono::milliseconds delay);
  void RejudgeLoop();
  void MeasureLoop();
  void RetentionLoop();
  // challenges/<id>/solutions/reference.<ext> for the language.
  absl::StatusOr<std::string> ReferenceSource(const std::string& challenge_id,
                                              const std::string& language) const;

  Store* store_;
  Grader* grader_;
  const Catalog* challenges_;
  Hub* hub_;
  Metrics* metrics_;
  EngineOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<judge::v1::Submission> live_, take_home_;
  std::deque<std::chrono::steady_clock::time_point> live_since_, take_home_since_;  // queued at
  std::map<std::string, size_t> live_by_key_;       // live runs held (reserved, queued, running)
  std::map<std::string, std::string> live_key_of_;  // live run id -> its key, until it ends
  // Live and practice runs queued or being judged: their stop flags (see Cancel).
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> stops_;
  size_t reserved_ = 0, live_reserved_ = 0;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // set stop_grace after Stop(): gradings stop between tests
  std::vector<std::thread> workers_;
  // Submissions whose judging the host broke, waiting to be judged again.
  std::multimap<std::chrono::steady_clock::time_point, judge::v1::Submission> rejudge_;
  std::map<std::string, int> rejudged_;  // id -> times judged again
  std::thread rejudger_;
  std::mutex similarity_mu_;  // one submission indexed at a time: no pair is missed
  using ReferenceKey = std::pair<std::string, std::string>;      // challenge, language
  std::map<ReferenceKey, std::vector<uint32_t>> reference_cpu_;  // guarded by mu_
  std::set<ReferenceKey> reference_asked_;
  std::deque<std::function<void()>> to_measure_;         // background measurements, in order
  std::map<std::string, std::optional<Growth>> growth_;  // key -> result (nullopt: queued)
  std::thread measurer_;
  std::thread retention_;
};

}  // namespace judge
