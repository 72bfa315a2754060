// Submissions and verdicts in an embedded RocksDB. Values are serialized protos; every state
// change is one WriteBatch; a new submission is durable (synced WAL) before Create returns.
//
// Thread safety: all methods may be called concurrently. Close() must be called before
// destruction to see errors; the destructor closes too, discarding them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "judge/v1/judge.pb.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace judge {

// Column families, declared once: the enum and the name table are in the same order.
enum class Cf : int {
  kDefault = 0,
  kSubmissions,    // id -> Submission without test results (what listings show)
  kResults,        // id -> Submission with compile output and per-test results (finished only)
  kByCandidate,    // candidate_id \0 id -> ""
  kByChallenge,    // challenge_id \0 id -> ""
  kRequests,       // caller \0 request_id -> id (idempotent Submit)
  kPending,        // id -> "" while not finished (judged again at start)
  kPrints,         // id -> the submission's similarity fingerprints (encoded)
  kPrintIndex,     // challenge \0 language \0 hash (8 bytes) \0 id -> ""
  kSimilar,        // challenge \0 id_a \0 id_b -> SimilarPair
  kOutbox,         // id -> key id \t enqueued (ms since the epoch): a webhook delivery to make
  kSessions,       // session id -> Session (its document and version as of its last event)
  kSessionEvents,  // session id \0 seq (8 bytes, big-endian) -> SessionEvent
  kBlobs,          // sha256 hex -> the bytes of an imported challenge's file
  kChallenges,     // challenge id \0 version (4 bytes, big-endian) -> StoredChallenge
  kCount,
};

class Store {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& dir);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Returns the error of closing, if any. Idempotent.
  [[nodiscard]] absl::Status Close();

  // A new id: time-ordered (microseconds since the epoch, then a counter), unique in this store.
  std::string NewId();

  struct Created {
    judge::v1::Submission submission;
    bool is_new = true;  // false: an earlier submission with the same request key
  };
  // Stores a new submission (state QUEUED) with its indexes and pending marker, synced. When
  // `request_key` names an earlier submission, that one is returned and nothing is written.
  [[nodiscard]] absl::StatusOr<Created> Create(const judge::v1::Submission& submission,
                                               const std::string& request_key);

  // The submission an earlier Create stored under `request_key`; NotFound when none.
  [[nodiscard]] absl::StatusOr<judge::v1::Submission> FindRequest(
      const std::string& request_key) const;

  // What a stored verdict is: final, or the judge's own failure (INTERNAL_ERROR), shown
  // meanwhile but judged again later and at the next start (the pending marker stays).
  enum class Verdict { kFinal, kJudgeAgain };
  // Records the final state and results and clears the pending marker, in one batch. With a
  // `notify` key id (a final verdict only), a webhook delivery to it is queued in the same batch:
  // a crash right after the verdict still delivers it.
  [[nodiscard]] absl::Status Finish(const judge::v1::Submission& submission,
                                    Verdict verdict = Verdict::kFinal,
                                    const std::string& notify = "");

  // Webhook deliveries still to make (see Finish), oldest first.
  struct Delivery {
    std::string submission_id;
    std::string key_id;
    int64_t enqueued_ms = 0;
  };
  [[nodiscard]] absl::StatusOr<std::vector<Delivery>> Outbox() const;
  // The delivery was made, or given up.
  [[nodiscard]] absl::Status Delivered(const std::string& submission_id);

  // The submission with its results. NotFound when unknown.
  [[nodiscard]] absl::StatusOr<judge::v1::Submission> Get(const std::string& id) const;

  // Every unfinished submission, oldest first.
  [[nodiscard]] absl::StatusOr<std::vector<judge::v1::Submission>> Pending() const;

  // Similarity. Stores a submission's fingerprints (hashes as 8-byte keys) and indexes them.
  [[nodiscard]] absl::Status PutFingerprints(const judge::v1::Submission& submission,
                                             const std::vector<std::string>& hashes,
                                             const std::string& encoded);
  [[nodiscard]] bool HasFingerprints(const std::string& id) const;
  // Ids of other submissions to the same challenge and language sharing each of the hashes,
  // with how many they share.
  [[nodiscard]] absl::StatusOr<std::vector<std::pair<std::string, int>>> SharingFingerprints(
      const std::string& challenge_id, const std::string& language,
      const std::vector<std::string>& hashes) const;
  [[nodiscard]] absl::StatusOr<std::string> GetFingerprints(const std::string& id) const;
  [[nodiscard]] absl::Status PutSimilarPair(const judge::v1::SimilarPair& pair);
  [[nodiscard]] absl::StatusOr<std::vector<judge::v1::SimilarPair>> ListSimilar(
      const std::string& challenge_id) const;

  // Every submission of a candidate (with its results), oldest first.
  [[nodiscard]] absl::StatusOr<std::vector<judge::v1::Submission>> AllOf(
      const std::string& candidate_id) const;
  // Deletes these submissions and everything that refers to them (results, indexes, pending
  // markers, request ids, fingerprints, similar pairs) in one synced batch, then flushes and
  // compacts every column family, so that no file of the store holds them any more.
  [[nodiscard]] absl::Status Erase(const std::vector<judge::v1::Submission>& submissions);

  // Retention: drops the source of every finished submission created before `cutoff` (the
  // verdict, tests and fingerprints stay; `source_dropped_at` is set), then flushes and compacts
  // so that the text leaves the files. Returns the submissions dropped, with their sources (for
  // the compile cache to forget).
  [[nodiscard]] absl::StatusOr<std::vector<judge::v1::Submission>> DropSources(
      std::chrono::system_clock::time_point cutoff);
  // A consistent copy of the store in `dir` (RocksDB's BackupEngine; incremental when `dir`
  // holds earlier backups), taken while writes go on.
  struct BackupInfo {
    uint32_t backup_id = 0;
    uint64_t size_bytes = 0;
  };
  [[nodiscard]] absl::StatusOr<BackupInfo> Backup(const std::string& dir);
  // Restores the latest backup in `backup_dir` as a new store in `db_dir` (which must not hold
  // one).
  [[nodiscard]] static absl::Status Restore(const std::string& backup_dir,
                                            const std::string& db_dir);
  uint64_t CountSubmissions() const;

  // Interview sessions. A new session is stored synced; events go with the session's new state
  // in one batch (the WAL unsynced: an edit survives judged's crash, not the machine's).
  [[nodiscard]] absl::Status PutSession(const judge::v1::Session& session, bool sync);
  [[nodiscard]] absl::Status AppendSessionEvents(
      const judge::v1::Session& session, const std::vector<judge::v1::SessionEvent>& events);
  [[nodiscard]] absl::StatusOr<judge::v1::Session> GetSession(const std::string& id) const;
  // Every event of a session, in order.
  [[nodiscard]] absl::StatusOr<std::vector<judge::v1::SessionEvent>> SessionEvents(
      const std::string& id) const;
  // Deletes every session naming the candidate and its timeline (synced); how many. Erase
  // (which compacts) then takes the bytes out of the files.
  [[nodiscard]] absl::StatusOr<uint32_t> EraseSessionsOf(const std::string& candidate_id);
  struct SessionPage {
    std::vector<judge::v1::Session> sessions;  // newest first
    std::string next_page_token;
  };
  // candidate_id "" : every session; page_token is a previous next_page_token.
  [[nodiscard]] absl::StatusOr<SessionPage> ListSessions(const std::string& candidate_id,
                                                         uint32_t page_size,
                                                         const std::string& page_token) const;

  // Imported challenges. Stores a version's record and those of its files' bytes the store
  // lacks (by sha256), in one synced batch; returns the bytes that were new.
  [[nodiscard]] absl::StatusOr<uint64_t> PutChallengeVersion(
      const judge::v1::StoredChallenge& record, const std::map<std::string, std::string>& blobs);
  // Which of these hashes the store holds already.
  [[nodiscard]] bool HasBlob(const std::string& sha256) const;
  [[nodiscard]] absl::StatusOr<std::string> GetBlob(const std::string& sha256) const;
  // The newest version of every imported challenge, by id.
  [[nodiscard]] absl::StatusOr<std::vector<judge::v1::StoredChallenge>> LatestChallenges() const;
  // The newest version number of `id` (0: never imported).
  [[nodiscard]] absl::StatusOr<uint32_t> LatestVersion(const std::string& id) const;
  // Queues a finished submission to be judged again: its state QUEUED, its pending marker set
  // (synced); its earlier verdict kept in `earlier`.
  [[nodiscard]] absl::Status Requeue(const judge::v1::Submission& submission);

  struct Page {
    std::vector<judge::v1::Submission> submissions;  // newest first, without source and tests
    std::string next_page_token;
  };
  // Filters are optional; page_token is a previous next_page_token.
  [[nodiscard]] absl::StatusOr<Page> List(const std::string& candidate_id,
                                          const std::string& challenge_id, uint32_t page_size,
                                          const std::string& page_token) const;

 private:
  Store() = default;
  rocksdb::ColumnFamilyHandle* cf(Cf c) const { return handles_[static_cast<int>(c)]; }
  // Flushes the memtables and rewrites every level: deleted or overwritten data leaves the files.
  absl::Status FlushAndCompact(const std::string& why);
  std::mutex rewrite_mu_;  // Erase and DropSources, one at a time

  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::mutex create_mu_;  // request-id check and insert are one step
  std::mutex id_mu_;
  uint64_t last_micros_ = 0;
  uint32_t seq_ = 0;
};

}  // namespace judge
