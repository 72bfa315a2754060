#include "judge/store/store.h"

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/utilities/options_util.h"
#include "rocksdb/write_batch.h"

namespace judge {
namespace {

constexpr const char* kCfNames[] = {"default",        "submissions", "results",   "by_candidate",
                                    "by_challenge",   "requests",    "pending",   "prints",
                                    "print_index",    "similar",     "outbox",    "sessions",
                                    "session_events", "blobs",       "challenges"};
static_assert(sizeof(kCfNames) / sizeof(kCfNames[0]) == static_cast<int>(Cf::kCount));

// The one adapter from rocksdb::Status to the project's status.
absl::Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return absl::OkStatus();
  if (s.IsNotFound()) return absl::NotFoundError(what);
  return absl::InternalError(absl::StrCat(what, ": ", s.ToString()));
}

std::string IndexKey(const std::string& prefix, const std::string& id) {
  std::string k = prefix;
  k.push_back('\0');
  k += id;
  return k;
}

// Listings carry neither source nor per-test results.
judge::v1::Submission Summary(judge::v1::Submission s) {
  s.clear_source();
  s.clear_tests();
  s.clear_compile_output();
  s.clear_custom_stdout();
  s.clear_custom_stderr();
  return s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir) {
  std::unique_ptr<Store> store(new Store());
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 5;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.OptimizeForSmallDb();
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : kCfNames) cfs.emplace_back(name, cf_options);
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, cfs, &store->handles_, &store->db_);
  if (!s.ok()) return FromRocks(s, "opening the store in " + dir);
  return store;
}

Store::~Store() { (void)Close(); }

absl::Status Store::Close() {
  if (db_ == nullptr) return absl::OkStatus();
  absl::Status result;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    rocksdb::Status s = db_->DestroyColumnFamilyHandle(h);
    if (!s.ok() && result.ok()) result = FromRocks(s, "closing a column family");
  }
  handles_.clear();
  rocksdb::Status s = db_->Close();
  if (!s.ok() && result.ok()) result = FromRocks(s, "closing the store");
  delete db_;
  db_ = nullptr;
  return result;
}

std::string Store::NewId() {
  std::lock_guard<std::mutex> lock(id_mu_);
  uint64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  if (now <= last_micros_) {
    if (++seq_ == 0x10000) {
      seq_ = 0;
      ++last_micros_;
    }
    now = last_micros_;
  } else {
    seq_ = 0;
    last_micros_ = now;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%014llx%04x", static_cast<unsigned long long>(now), seq_);
  return buf;
}

absl::StatusOr<Store::Created> Store::Create(const judge::v1::Submission& submission,
                                             const std::string& request_key) {
  std::lock_guard<std::mutex> lock(create_mu_);
  if (!request_key.empty()) {
    std::string existing;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(Cf::kRequests), request_key, &existing);
    if (s.ok()) {
      absl::StatusOr<judge::v1::Submission> prior = Get(existing);
      if (!prior.ok()) return prior.status();
      return Created{*std::move(prior), false};
    }
    if (!s.IsNotFound()) return FromRocks(s, "reading a request id");
  }
  rocksdb::WriteBatch batch;
  const std::string& id = submission.id();
  batch.Put(cf(Cf::kSubmissions), id, submission.SerializeAsString());
  batch.Put(cf(Cf::kByCandidate), IndexKey(submission.candidate_id(), id), "");
  batch.Put(cf(Cf::kByChallenge), IndexKey(submission.challenge_id(), id), "");
  batch.Put(cf(Cf::kPending), id, "");
  if (!request_key.empty()) batch.Put(cf(Cf::kRequests), request_key, id);
  rocksdb::WriteOptions sync;
  sync.sync = true;  // durable before Submit answers
  absl::Status s = FromRocks(db_->Write(sync, &batch), "storing submission " + id);
  if (!s.ok()) return s;
  return Created{submission, true};
}

absl::StatusOr<judge::v1::Submission> Store::FindRequest(const std::string& request_key) const {
  std::string existing;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(Cf::kRequests), request_key, &existing);
  if (s.IsNotFound()) return absl::NotFoundError("no such request id");
  if (!s.ok()) return FromRocks(s, "reading a request id");
  return Get(existing);
}

absl::Status Store::Finish(const judge::v1::Submission& submission, Verdict verdict,
                           const std::string& notify) {
  rocksdb::WriteBatch batch;
  // The record keeps the source; results go to their own column family.
  judge::v1::Submission record = Summary(submission);
  record.set_source(submission.source());
  record.set_custom_stdin(submission.custom_stdin());
  batch.Put(cf(Cf::kSubmissions), submission.id(), record.SerializeAsString());
  judge::v1::Submission results = submission;
  results.clear_source();
  batch.Put(cf(Cf::kResults), submission.id(), results.SerializeAsString());
  if (verdict == Verdict::kFinal) batch.Delete(cf(Cf::kPending), submission.id());
  if (verdict == Verdict::kFinal && !notify.empty()) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    batch.Put(cf(Cf::kOutbox), submission.id(), absl::StrCat(notify, "\t", now_ms));
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocks(db_->Write(sync, &batch), "storing the verdict of " + submission.id());
}

absl::StatusOr<std::vector<Store::Delivery>> Store::Outbox() const {
  std::vector<Delivery> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kOutbox)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Delivery d;
    d.submission_id = it->key().ToString();
    const std::string value = it->value().ToString();
    const size_t tab = value.find('\t');
    d.key_id = value.substr(0, tab);
    if (tab != std::string::npos) (void)absl::SimpleAtoi(value.substr(tab + 1), &d.enqueued_ms);
    out.push_back(std::move(d));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the webhook outbox");
  return out;
}

absl::Status Store::Delivered(const std::string& submission_id) {
  return FromRocks(db_->Delete(rocksdb::WriteOptions(), cf(Cf::kOutbox), submission_id),
                   "clearing a webhook delivery");
}

namespace {
std::string PrintKey(const std::string& challenge, const std::string& language,
                     const std::string& hash) {
  std::string k = challenge;
  k.push_back('\0');
  k += language;
  k.push_back('\0');
  k += hash;
  k.push_back('\0');
  return k;
}
}  // namespace

absl::Status Store::PutFingerprints(const judge::v1::Submission& submission,
                                    const std::vector<std::string>& hashes,
                                    const std::string& encoded) {
  rocksdb::WriteBatch batch;
  batch.Put(cf(Cf::kPrints), submission.id(), encoded);
  for (const std::string& h : hashes) {
    batch.Put(cf(Cf::kPrintIndex),
              PrintKey(submission.challenge_id(), submission.language(), h) + submission.id(), "");
  }
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "storing fingerprints");
}

bool Store::HasFingerprints(const std::string& id) const {
  std::string value;
  return db_->Get(rocksdb::ReadOptions(), cf(Cf::kPrints), id, &value).ok();
}

absl::StatusOr<std::vector<std::pair<std::string, int>>> Store::SharingFingerprints(
    const std::string& challenge_id, const std::string& language,
    const std::vector<std::string>& hashes) const {
  std::map<std::string, int> counts;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kPrintIndex)));
  for (const std::string& h : hashes) {
    const std::string prefix = PrintKey(challenge_id, language, h);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      ++counts[it->key().ToString().substr(prefix.size())];
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading the fingerprint index");
  }
  return std::vector<std::pair<std::string, int>>(counts.begin(), counts.end());
}

absl::StatusOr<std::string> Store::GetFingerprints(const std::string& id) const {
  std::string value;
  absl::Status s = FromRocks(db_->Get(rocksdb::ReadOptions(), cf(Cf::kPrints), id, &value),
                             "fingerprints of " + id);
  if (!s.ok()) return s;
  return value;
}

absl::Status Store::PutSimilarPair(const judge::v1::SimilarPair& pair) {
  std::string key =
      IndexKey(IndexKey(pair.challenge_id(), pair.submission_a()), pair.submission_b());
  return FromRocks(
      db_->Put(rocksdb::WriteOptions(), cf(Cf::kSimilar), key, pair.SerializeAsString()),
      "storing a similar pair");
}

absl::StatusOr<std::vector<judge::v1::SimilarPair>> Store::ListSimilar(
    const std::string& challenge_id) const {
  std::vector<judge::v1::SimilarPair> out;
  const std::string prefix = challenge_id + std::string(1, '\0');
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kSimilar)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    judge::v1::SimilarPair pair;
    if (!pair.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt similar pair");
    }
    out.push_back(std::move(pair));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading similar pairs");
  return out;
}

absl::StatusOr<judge::v1::Submission> Store::Get(const std::string& id) const {
  std::string value;
  absl::Status s = FromRocks(db_->Get(rocksdb::ReadOptions(), cf(Cf::kSubmissions), id, &value),
                             "submission " + id);
  if (!s.ok()) return s;
  judge::v1::Submission sub;
  if (!sub.ParseFromString(value)) return absl::DataLossError("corrupt submission " + id);
  std::string results;
  rocksdb::Status r = db_->Get(rocksdb::ReadOptions(), cf(Cf::kResults), id, &results);
  if (r.ok()) {
    judge::v1::Submission full;
    if (!full.ParseFromString(results)) return absl::DataLossError("corrupt results of " + id);
    std::string source = sub.source();
    const bool dropped = sub.has_source_dropped_at();
    const google::protobuf::Timestamp dropped_at = sub.source_dropped_at();
    sub = std::move(full);
    sub.set_source(source);
    if (dropped) *sub.mutable_source_dropped_at() = dropped_at;
  } else if (!r.IsNotFound()) {
    return FromRocks(r, "results of " + id);
  }
  return sub;
}

absl::StatusOr<std::vector<judge::v1::Submission>> Store::Pending() const {
  std::vector<judge::v1::Submission> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kPending)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::StatusOr<judge::v1::Submission> s = Get(it->key().ToString());
    if (!s.ok()) return s.status();
    out.push_back(std::move(*s));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing pending submissions");
  return out;
}

absl::StatusOr<std::vector<judge::v1::Submission>> Store::AllOf(
    const std::string& candidate_id) const {
  std::vector<judge::v1::Submission> out;
  const std::string prefix = IndexKey(candidate_id, "");
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kByCandidate)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    absl::StatusOr<judge::v1::Submission> s = Get(it->key().ToString().substr(prefix.size()));
    if (!s.ok()) return s.status();
    out.push_back(*std::move(s));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing a candidate's submissions");
  return out;
}

namespace {

// Deletes the keys of `family` that start with `prefix` and for which `doomed` holds.
absl::Status DeleteMatching(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, const std::string& prefix,
    const std::function<bool(const rocksdb::Slice& key, const rocksdb::Slice& value)>& doomed,
    rocksdb::WriteBatch* batch) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), family));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (doomed(it->key(), it->value())) batch->Delete(family, it->key());
  }
  return FromRocks(it->status(), "scanning for erasure");
}

}  // namespace

absl::Status Store::Erase(const std::vector<judge::v1::Submission>& submissions) {
  std::lock_guard<std::mutex> lock(rewrite_mu_);
  std::set<std::string> ids;
  std::set<std::string> challenges, prints;  // challenge; challenge \0 language
  rocksdb::WriteBatch batch;
  for (const judge::v1::Submission& s : submissions) {
    const std::string& id = s.id();
    ids.insert(id);
    challenges.insert(s.challenge_id());
    prints.insert(IndexKey(s.challenge_id(), s.language()) + std::string(1, '\0'));
    for (Cf c : {Cf::kSubmissions, Cf::kResults, Cf::kPending, Cf::kPrints, Cf::kOutbox}) {
      batch.Delete(cf(c), id);
    }
    batch.Delete(cf(Cf::kByCandidate), IndexKey(s.candidate_id(), id));
    batch.Delete(cf(Cf::kByChallenge), IndexKey(s.challenge_id(), id));
  }
  auto ends_with_id = [&](const rocksdb::Slice& key, const rocksdb::Slice&) {
    const std::string k = key.ToString();
    const size_t cut = k.rfind('\0');
    return cut != std::string::npos && ids.count(k.substr(cut + 1)) > 0;
  };
  for (const std::string& prefix : prints) {
    if (absl::Status st = DeleteMatching(db_, cf(Cf::kPrintIndex), prefix, ends_with_id, &batch);
        !st.ok()) {
      return st;
    }
  }
  for (const std::string& challenge : challenges) {
    // challenge \0 id_a \0 id_b: a pair with either side erased goes.
    auto either = [&](const rocksdb::Slice& key, const rocksdb::Slice&) {
      std::vector<std::string> parts = absl::StrSplit(key.ToString(), '\0');
      return parts.size() == 3 && (ids.count(parts[1]) > 0 || ids.count(parts[2]) > 0);
    };
    if (absl::Status st =
            DeleteMatching(db_, cf(Cf::kSimilar), IndexKey(challenge, ""), either, &batch);
        !st.ok()) {
      return st;
    }
  }
  auto names_one = [&](const rocksdb::Slice&, const rocksdb::Slice& value) {
    return ids.count(value.ToString()) > 0;
  };
  if (absl::Status st = DeleteMatching(db_, cf(Cf::kRequests), "", names_one, &batch); !st.ok()) {
    return st;
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  if (absl::Status st = FromRocks(db_->Write(sync, &batch), "erasing"); !st.ok()) return st;
  return FlushAndCompact("erasure");
}

absl::Status Store::FlushAndCompact(const std::string& why) {
  // Out of every file: the memtables flushed (the write-ahead logs that held the data go with
  // them), then every level rewritten without the deleted or overwritten entries.
  rocksdb::FlushOptions flush;
  flush.wait = true;
  if (absl::Status st = FromRocks(db_->Flush(flush, handles_), "flushing after " + why); !st.ok()) {
    return st;
  }
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* h : handles_) {
    if (absl::Status st =
            FromRocks(db_->CompactRange(compact, h, nullptr, nullptr), "compacting after " + why);
        !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<judge::v1::Submission>> Store::DropSources(
    std::chrono::system_clock::time_point cutoff) {
  const int64_t cutoff_s =
      std::chrono::duration_cast<std::chrono::seconds>(cutoff.time_since_epoch()).count();
  const google::protobuf::Timestamp now = google::protobuf::util::TimeUtil::GetCurrentTime();
  std::lock_guard<std::mutex> lock(rewrite_mu_);  // an erasure meanwhile must not be undone
  std::vector<judge::v1::Submission> dropped;
  rocksdb::WriteBatch batch;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kSubmissions)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      judge::v1::Submission record;
      if (!record.ParseFromString(it->value().ToString())) continue;
      if (record.source().empty() || record.state() != judge::v1::SUBMISSION_STATE_FINISHED ||
          record.created_at().seconds() >= cutoff_s) {
        continue;
      }
      std::string pending;
      if (db_->Get(rocksdb::ReadOptions(), cf(Cf::kPending), record.id(), &pending).ok()) {
        continue;  // to be judged again: it needs its source
      }
      judge::v1::Submission kept = record;
      kept.clear_source();
      *kept.mutable_source_dropped_at() = now;
      batch.Put(cf(Cf::kSubmissions), record.id(), kept.SerializeAsString());
      dropped.push_back(std::move(record));
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading submissions for retention");
  }
  if (dropped.empty()) return dropped;
  rocksdb::WriteOptions sync;
  sync.sync = true;
  if (absl::Status st = FromRocks(db_->Write(sync, &batch), "dropping sources"); !st.ok()) {
    return st;
  }
  if (absl::Status st = FlushAndCompact("dropping sources"); !st.ok()) return st;
  return dropped;
}

absl::StatusOr<Store::BackupInfo> Store::Backup(const std::string& dir) {
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::Status s =
      rocksdb::BackupEngine::Open(rocksdb::Env::Default(), rocksdb::BackupEngineOptions(dir), &raw);
  if (!s.ok()) return FromRocks(s, "opening the backup directory " + dir);
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  // Flushed first: the backup holds table files only, no log to replay.
  s = engine->CreateNewBackup(db_, /*flush_before_backup=*/true);
  if (!s.ok()) return FromRocks(s, "backing up into " + dir);
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  if (infos.empty()) return absl::InternalError("the backup engine lists no backup");
  BackupInfo info;
  info.backup_id = infos.back().backup_id;
  info.size_bytes = infos.back().size;
  return info;
}

absl::Status Store::Restore(const std::string& backup_dir, const std::string& db_dir) {
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::Status s = rocksdb::BackupEngineReadOnly::Open(
      rocksdb::Env::Default(), rocksdb::BackupEngineOptions(backup_dir), &raw);
  if (!s.ok()) return FromRocks(s, "opening the backup directory " + backup_dir);
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  if (infos.empty()) {
    return absl::NotFoundError(absl::StrCat(backup_dir, " holds no backup of a judge store"));
  }
  s = engine->RestoreDBFromLatestBackup(db_dir, db_dir);
  return FromRocks(s, "restoring " + backup_dir + " into " + db_dir);
}

uint64_t Store::CountSubmissions() const {
  uint64_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kSubmissions)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

absl::StatusOr<Store::Page> Store::List(const std::string& candidate_id,
                                        const std::string& challenge_id, uint32_t page_size,
                                        const std::string& page_token) const {
  Page page;
  // Walk an index newest first: by candidate, by challenge, or every submission.
  Cf index = !candidate_id.empty()   ? Cf::kByCandidate
             : !challenge_id.empty() ? Cf::kByChallenge
                                     : Cf::kSubmissions;
  std::string prefix = index == Cf::kSubmissions   ? ""
                       : index == Cf::kByCandidate ? IndexKey(candidate_id, "")
                                                   : IndexKey(challenge_id, "");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(index)));
  if (page_token.empty()) {
    // The first key past the prefix's range, then step back.
    if (prefix.empty()) {
      it->SeekToLast();
    } else {
      std::string end = prefix;
      end.back() = '\x01';  // prefix ends in \0
      it->SeekForPrev(end);
    }
  } else {
    it->SeekForPrev(prefix + page_token);
    if (it->Valid() && it->key().ToString() == prefix + page_token) it->Prev();
  }
  std::string last_id;
  for (; it->Valid(); it->Prev()) {
    std::string key = it->key().ToString();
    if (!absl::StartsWith(key, prefix)) break;
    std::string id = key.substr(prefix.size());
    judge::v1::Submission sub;
    if (index == Cf::kSubmissions) {
      if (!sub.ParseFromString(it->value().ToString())) return absl::DataLossError("corrupt " + id);
    } else {
      std::string value;
      absl::Status s = FromRocks(db_->Get(rocksdb::ReadOptions(), cf(Cf::kSubmissions), id, &value),
                                 "submission " + id);
      if (!s.ok()) return s;
      if (!sub.ParseFromString(value)) return absl::DataLossError("corrupt " + id);
    }
    if (!challenge_id.empty() && sub.challenge_id() != challenge_id) continue;
    if (page.submissions.size() == page_size) {
      page.next_page_token = last_id;
      break;
    }
    page.submissions.push_back(Summary(std::move(sub)));
    last_id = id;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing submissions");
  return page;
}

namespace {
std::string SessionEventKey(const std::string& id, uint64_t seq) {
  std::string k = id;
  k.push_back('\0');
  for (int shift = 56; shift >= 0; shift -= 8)
    k.push_back(static_cast<char>((seq >> shift) & 0xff));
  return k;
}
}  // namespace

absl::Status Store::PutSession(const judge::v1::Session& session, bool sync) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  return FromRocks(db_->Put(options, cf(Cf::kSessions), session.id(), session.SerializeAsString()),
                   "storing session " + session.id());
}

absl::Status Store::AppendSessionEvents(const judge::v1::Session& session,
                                        const std::vector<judge::v1::SessionEvent>& events) {
  rocksdb::WriteBatch batch;
  batch.Put(cf(Cf::kSessions), session.id(), session.SerializeAsString());
  for (const judge::v1::SessionEvent& e : events) {
    batch.Put(cf(Cf::kSessionEvents), SessionEventKey(session.id(), e.seq()),
              e.SerializeAsString());
  }
  return FromRocks(db_->Write(rocksdb::WriteOptions(), &batch),
                   "storing events of session " + session.id());
}

absl::StatusOr<judge::v1::Session> Store::GetSession(const std::string& id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(Cf::kSessions), id, &value);
  if (s.IsNotFound()) return absl::NotFoundError("no session " + id);
  if (!s.ok()) return FromRocks(s, "session " + id);
  judge::v1::Session session;
  if (!session.ParseFromString(value)) return absl::DataLossError("corrupt session " + id);
  return session;
}

absl::StatusOr<std::vector<judge::v1::SessionEvent>> Store::SessionEvents(
    const std::string& id) const {
  std::vector<judge::v1::SessionEvent> events;
  const std::string prefix = id + std::string(1, '\0');
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kSessionEvents)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    judge::v1::SessionEvent e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a corrupt event of session " + id);
    }
    events.push_back(std::move(e));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "events of session " + id);
  return events;
}

absl::StatusOr<uint32_t> Store::EraseSessionsOf(const std::string& candidate_id) {
  rocksdb::WriteBatch batch;
  uint32_t erased = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kSessions)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    judge::v1::Session session;
    if (!session.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) ||
        session.candidate_id() != candidate_id) {
      continue;
    }
    batch.Delete(cf(Cf::kSessions), session.id());
    std::string from = session.id() + std::string(1, '\0');
    std::string to = session.id() + std::string(1, '\1');
    batch.DeleteRange(cf(Cf::kSessionEvents), from, to);
    ++erased;
  }
  if (erased == 0) return erased;
  rocksdb::WriteOptions sync;
  sync.sync = true;
  if (absl::Status s = FromRocks(db_->Write(sync, &batch), "erasing sessions"); !s.ok()) return s;
  return erased;
}

absl::StatusOr<Store::SessionPage> Store::ListSessions(const std::string& candidate_id,
                                                       uint32_t page_size,
                                                       const std::string& page_token) const {
  SessionPage page;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kSessions)));
  if (page_token.empty()) {
    it->SeekToLast();
  } else {
    it->SeekForPrev(page_token);
    if (it->Valid() && it->key().ToString() == page_token) it->Prev();
  }
  std::string last_id;
  for (; it->Valid(); it->Prev()) {
    judge::v1::Session session;
    if (!session.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt session " + it->key().ToString());
    }
    if (!candidate_id.empty() && session.candidate_id() != candidate_id) continue;
    if (page.sessions.size() == page_size) {
      page.next_page_token = last_id;
      break;
    }
    last_id = session.id();
    session.clear_document();
    session.clear_notes();
    page.sessions.push_back(std::move(session));
  }
  return page;
}

namespace {

std::string ChallengeKey(const std::string& id, uint32_t version) {
  std::string k = id;
  k.push_back('\0');
  for (int shift = 24; shift >= 0; shift -= 8) k.push_back(static_cast<char>(version >> shift));
  return k;
}

}  // namespace

absl::StatusOr<uint64_t> Store::PutChallengeVersion(
    const judge::v1::StoredChallenge& record, const std::map<std::string, std::string>& blobs) {
  rocksdb::WriteBatch batch;
  uint64_t fresh = 0;
  for (const auto& [sha, bytes] : blobs) {
    if (HasBlob(sha)) continue;
    batch.Put(cf(Cf::kBlobs), sha, bytes);
    fresh += bytes.size();
  }
  batch.Put(cf(Cf::kChallenges), ChallengeKey(record.id(), record.version()),
            record.SerializeAsString());
  rocksdb::WriteOptions options;
  options.sync = true;
  absl::Status s =
      FromRocks(db_->Write(options, &batch),
                absl::StrCat("storing challenge ", record.id(), " version ", record.version()));
  if (!s.ok()) return s;
  return fresh;
}

bool Store::HasBlob(const std::string& sha256) const {
  std::string value;
  if (!db_->KeyMayExist(rocksdb::ReadOptions(), cf(Cf::kBlobs), sha256, &value)) return false;
  return db_->Get(rocksdb::ReadOptions(), cf(Cf::kBlobs), sha256, &value).ok();
}

absl::StatusOr<std::string> Store::GetBlob(const std::string& sha256) const {
  std::string value;
  absl::Status s =
      FromRocks(db_->Get(rocksdb::ReadOptions(), cf(Cf::kBlobs), sha256, &value), "blob " + sha256);
  if (!s.ok()) return s;
  return value;
}

absl::StatusOr<std::vector<judge::v1::StoredChallenge>> Store::LatestChallenges() const {
  std::vector<judge::v1::StoredChallenge> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kChallenges)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    judge::v1::StoredChallenge record;
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt challenge record " + it->key().ToString());
    }
    // Keys sort by id, then version: the last of an id is its newest.
    if (!out.empty() && out.back().id() == record.id()) {
      out.back() = std::move(record);
    } else {
      out.push_back(std::move(record));
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "listing challenges");
  return out;
}

absl::StatusOr<uint32_t> Store::LatestVersion(const std::string& id) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Cf::kChallenges)));
  it->SeekForPrev(ChallengeKey(id, 0xffffffffu));
  if (!it->Valid()) return 0u;
  const std::string prefix = id + std::string(1, '\0');
  if (!it->key().starts_with(prefix) || it->key().size() != prefix.size() + 4) return 0u;
  judge::v1::StoredChallenge record;
  if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
    return absl::DataLossError("corrupt challenge record of " + id);
  }
  return record.version();
}

absl::Status Store::Requeue(const judge::v1::Submission& submission) {
  judge::v1::Submission listed = submission;
  judge::v1::Submission::Earlier* e = listed.add_earlier();
  e->set_challenge_version(submission.challenge_version());
  e->set_verdict(submission.verdict());
  e->set_score(submission.score());
  *e->mutable_finished_at() = submission.finished_at();
  listed.set_state(judge::v1::SUBMISSION_STATE_QUEUED);
  listed.set_verdict(judge::v1::VERDICT_UNSPECIFIED);
  listed.set_score(0);
  listed.clear_finished_at();
  listed.clear_tests();
  listed.clear_compile_output();
  listed.clear_message();
  rocksdb::WriteBatch batch;
  batch.Put(cf(Cf::kSubmissions), listed.id(), listed.SerializeAsString());
  batch.Delete(cf(Cf::kResults), listed.id());
  batch.Put(cf(Cf::kPending), listed.id(), "");
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(db_->Write(options, &batch), "queueing " + listed.id() + " again");
}

}  // namespace judge
