// Challenges that arrive at run time (ImportChallenge, POST /v1/challenges, judgectl challenges
// import): a problem package or the judge's own challenge folder, as an archive. An import
// unpacks it with bounds, converts and validates it, compiles its validator, computes its time
// limit when the package does not state one, verifies it against its own submissions/ (all
// workers' worth in parallel), stores it as a new version (files content-addressed in the
// store) and serves it at once. At start, the newest version of every imported challenge is
// served again, rebuilt from the store when its folder is gone.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "judge/api/api_context.h"
#include "judge/api/catalog.h"
#include "judge/core/grader.h"

namespace judge {

struct ImportOptions {
  std::string data_dir;  // imported/<id>/<version>/<id>/ and imports/ (staging) under it
  int parallel = 2;      // submissions judged at once while verifying
  uint64_t max_archive_bytes = 256ull << 20;
};

struct ImportRequest {
  std::string archive;  // .zip or .tar(.gz) bytes
  std::string challenge_id;
  bool strict = false;
  std::string file_name;
};

class Imports {
 public:
  Imports(ApiContext* ctx, Catalog* catalog, Grader* grader, ImportOptions options)
      : ctx_(ctx), catalog_(catalog), grader_(grader), options_(std::move(options)) {}

  // Serves the newest stored version of every imported challenge (start).
  [[nodiscard]] absl::Status LoadStored();
  // A cluster node: imports are shared through `cluster` (PublishChallenge); versions other
  // nodes import are installed here as they are told of, and a challenge this node lacks is
  // fetched when asked for.
  void JoinCluster(ClusterLink* cluster);
  // Installs a version shared by the cluster (its files fetched, stored and served), unless
  // this node has it or a newer one.
  absl::Status Install(const judge::v1::StoredChallenge& record);

  absl::StatusOr<judge::v1::ImportChallengeResponse> Import(const Principal& who,
                                                            const ImportRequest& req);
  absl::StatusOr<judge::v1::RejudgeChallengeResponse> Rejudge(
      const Principal& who, const judge::v1::RejudgeChallengeRequest& req);

  // Stops imports in progress (their gradings stop between tests; they fail with CANCELLED) and
  // waits until none runs. Before the doors close: an import's call then ends.
  void Stop();

  const ImportOptions& options() const { return options_; }

 private:
  // The folder a version is served from.
  std::string VersionDir(const std::string& id, uint32_t version) const;
  // Judges the package's submissions on `challenge`, `parallel` at a time.
  std::vector<judge::v1::SubmissionCheck> Verify(
      const std::shared_ptr<const LoadedChallenge>& challenge,
      const std::vector<struct PackageSubmission>& subs);

  ApiContext* ctx_;
  Catalog* catalog_;
  Grader* grader_;
  const ImportOptions options_;
  std::mutex import_mu_;   // one import at a time: versions are numbered in order
  std::mutex install_mu_;  // one install from the cluster at a time
  ClusterLink* cluster_ = nullptr;
  std::atomic<bool> cancel_{false};
  std::mutex running_mu_;
  std::condition_variable running_cv_;
  int running_ = 0;
};

}  // namespace judge
