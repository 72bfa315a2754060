#include "judge/api/imports.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/util/time_util.h"
#include "judge/core/archive.h"
#include "judge/core/package.h"
#include "judge/core/sha256.h"
#include "spdlog/spdlog.h"

namespace judge {
namespace {

namespace fs = std::filesystem;
using judge::v1::Verdict;

// A folder removed when it goes out of scope (the staging of an import that failed or moved on).
struct TempDir {
  std::string path;
  ~TempDir() {
    if (path.empty()) return;
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

bool ValidChallengeId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

// The id a package gets when the caller names none: its folder's name, lower-cased.
std::string DefaultId(const Unpacked& unpacked, const std::string& file_name) {
  std::string name = unpacked.top_folder;
  if (name.empty()) {
    name = file_name.substr(file_name.rfind('/') + 1);
    for (const char* ext : {".tar.gz", ".tgz", ".tar.xz", ".tar", ".zip"}) {
      if (absl::EndsWith(name, ext)) {
        name.resize(name.size() - strlen(ext));
        break;
      }
    }
  }
  return absl::AsciiStrToLower(name);
}

// Every regular file under `root`, relative, sorted.
absl::Status Walk(const std::string& root, const std::string& rel, std::vector<std::string>* out) {
  const std::string path = rel.empty() ? root : root + "/" + rel;
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(path, ec)) names.push_back(e.path().filename());
  if (ec) return absl::InternalError(absl::StrCat(path, ": ", ec.message()));
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    const std::string r = rel.empty() ? n : rel + "/" + n;
    struct stat st;
    if (lstat((root + "/" + r).c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (absl::Status s = Walk(root, r, out); !s.ok()) return s;
    } else if (S_ISREG(st.st_mode)) {
      out->push_back(r);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return absl::InternalError(absl::StrCat("cannot read ", path));
  return std::string(std::istreambuf_iterator<char>(f), {});
}

absl::Status WriteAll(const std::string& path, const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
  f.close();
  if (!f) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

std::string VerdictName(Verdict v) {
  std::string name = judge::v1::Verdict_Name(v);
  return absl::StartsWith(name, "VERDICT_") ? name.substr(8) : name;
}

// The verification as a table, for a refused strict import's message.
std::string Table(const std::vector<judge::v1::SubmissionCheck>& checks) {
  std::string out;
  for (const auto& c : checks) {
    absl::StrAppend(&out, "\n  ", c.ok() ? "ok  " : "FAIL", "  ", c.path(), ": expected ",
                    VerdictName(c.expected()), ", got ", VerdictName(c.got()),
                    c.note().empty() ? "" : " (" + c.note() + ")");
  }
  return out;
}

}  // namespace

std::string Imports::VersionDir(const std::string& id, uint32_t version) const {
  return absl::StrCat(options_.data_dir, "/imported/", id, "/", version, "/", id);
}

std::vector<judge::v1::SubmissionCheck> Imports::Verify(
    const std::shared_ptr<const LoadedChallenge>& challenge,
    const std::vector<PackageSubmission>& subs) {
  std::vector<judge::v1::SubmissionCheck> checks(subs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < subs.size(); i = next++) {
      const PackageSubmission& sub = subs[i];
      judge::v1::SubmissionCheck& c = checks[i];
      c.set_path(sub.path);
      c.set_language(sub.language);
      c.set_expected(sub.expected.front());
      GradeRequest request;
      request.challenge = challenge;
      request.language = sub.language;
      request.source = sub.source;
      request.files = sub.files;
      request.cancel = &cancel_;
      judge::v1::Submission out;
      absl::Status s = grader_->Grade(request, nullptr, &out);
      if (!s.ok()) {
        c.set_got(judge::v1::VERDICT_INTERNAL_ERROR);
        c.set_note(std::string(s.message()).substr(0, 300));
        continue;
      }
      c.set_got(out.verdict());
      uint32_t max_cpu = 0;
      for (const judge::v1::TestResult& t : out.tests()) max_cpu = std::max(max_cpu, t.cpu_ms());
      c.set_max_cpu_ms(max_cpu);
      c.set_ok(std::find(sub.expected.begin(), sub.expected.end(), out.verdict()) !=
               sub.expected.end());
      c.set_points(out.points());
      if (sub.expected_score) {
        c.set_has_expected_points(true);
        c.set_expected_points(*sub.expected_score);
        if (std::fabs(out.points() - *sub.expected_score) > 1e-6) {
          c.set_ok(false);
          c.set_note(absl::StrCat("points ", out.points(), ", expected ", *sub.expected_score));
          continue;
        }
      }
      if (!c.ok() || out.verdict() != judge::v1::VERDICT_ACCEPTED) {
        for (const judge::v1::TestResult& t : out.tests()) {
          if (t.verdict() != judge::v1::VERDICT_ACCEPTED) {
            c.set_note(absl::StrCat("test ", t.name(), t.message().empty() ? "" : ": ",
                                    t.message().substr(0, 200)));
            break;
          }
        }
        if (out.verdict() == judge::v1::VERDICT_COMPILATION_ERROR) {
          c.set_note(out.compile_output().substr(0, 300));
        }
      }
    }
  };
  std::vector<std::thread> threads;
  const int n = std::max(1, std::min<int>(options_.parallel, static_cast<int>(subs.size())));
  for (int i = 0; i < n; ++i) threads.emplace_back(work);
  for (std::thread& t : threads) t.join();
  return checks;
}

absl::StatusOr<judge::v1::ImportChallengeResponse> Imports::Import(const Principal& who,
                                                                   const ImportRequest& req) {
  if (who.role != Role::kAdmin && who.role != Role::kPlatform) {
    return absl::PermissionDeniedError("importing challenges takes an admin or platform token");
  }
  if (req.archive.empty()) return absl::InvalidArgumentError("no archive: the body is empty");
  if (req.archive.size() > options_.max_archive_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the archive is larger than ", options_.max_archive_bytes >> 20, " MiB"));
  }
  // One import at a time; another caller is told at once rather than held (and its archive
  // with it) for minutes.
  std::unique_lock<std::mutex> one_at_a_time(import_mu_, std::try_to_lock);
  if (!one_at_a_time.owns_lock()) {
    return absl::ResourceExhaustedError("another import is running; import again when it is done");
  }
  {
    std::lock_guard<std::mutex> lock(running_mu_);
    if (cancel_) return absl::UnavailableError("the judge is shutting down");
    ++running_;
  }
  struct Done {
    Imports* self;
    ~Done() {
      std::lock_guard<std::mutex> lock(self->running_mu_);
      --self->running_;
      self->running_cv_.notify_all();
    }
  } done{this};
  TempDir staging{absl::StrCat(options_.data_dir, "/imports/", ctx_->store->NewId())};
  std::error_code ec;
  fs::create_directories(staging.path + "/unpacked", ec);
  if (ec) return absl::InternalError(absl::StrCat("mkdir ", staging.path, ": ", ec.message()));
  absl::StatusOr<Unpacked> unpacked = Unpack(req.archive, staging.path + "/unpacked");
  if (!unpacked.ok()) return unpacked.status();

  const std::string id =
      req.challenge_id.empty() ? DefaultId(*unpacked, req.file_name) : req.challenge_id;
  if (!ValidChallengeId(id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "challenge id \"", id.substr(0, 64),
        "\" must be 1-64 of a-z, 0-9, '-' or '_' (name it with --id, or challenge_id)"));
  }
  if (catalog_->IsBuiltIn(id)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "\"", id, "\" is a built-in challenge of this judge; import under another id"));
  }
  const std::string dir = absl::StrCat(staging.path, "/", id);
  fs::rename(unpacked->root, dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("rename ", unpacked->root, ": ", ec.message()));
  // Messages name the package's own paths, never the judge's folders.
  auto tidy = [&](const absl::Status& s) {
    return absl::Status(s.code(), absl::StrReplaceAll(s.message(), {{dir + "/", ""}, {dir, id}}));
  };
  absl::StatusOr<ConvertedPackage> converted = ConvertPackage(dir, id);
  if (!converted.ok()) return tidy(converted.status());

  absl::StatusOr<uint32_t> latest = ctx_->store->LatestVersion(id);
  if (!latest.ok()) return latest.status();
  const uint32_t version = *latest + 1;
  // The package's time limit is its own in every language it has an accepted submission in (as
  // the format means: one limit); the judge's per-language multipliers apply only to the
  // languages it says nothing of.
  std::set<std::string> own_languages;
  if (converted->format == "problem package") {
    for (const PackageSubmission& s : converted->submissions) {
      if (s.expected.size() == 1 && s.expected[0] == judge::v1::VERDICT_ACCEPTED) {
        own_languages.insert(s.language);
      }
    }
  }
  if (absl::Status s = EditManifest(dir,
                                    [&](judge::v1::Challenge* m) {
                                      m->set_version(version);
                                      m->set_source_format(converted->format);
                                      for (const std::string& l : own_languages) {
                                        (*m->mutable_time_multiplier())[l] = 1.0;
                                      }
                                    });
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::shared_ptr<const LoadedChallenge>> loaded = LoadChallenge(dir);
  if (!loaded.ok()) return tidy(loaded.status());
  if (absl::Status s = grader_->CheckChecker(**loaded); !s.ok()) return tidy(s);

  judge::v1::ImportChallengeResponse resp;
  resp.set_version(version);
  for (const std::string& w : converted->warnings) resp.add_warnings(w);

  // The time limit: the package's, else its slowest accepted submission's times its multiplier
  // (rounded up to a whole second, as judges state limits).
  uint32_t limit_ms = converted->time_limit_ms;
  std::string limit_source = converted->time_limit_source;
  if (limit_ms == 0) {
    std::vector<PackageSubmission> accepted;
    for (const PackageSubmission& s : converted->submissions) {
      if (s.expected.size() == 1 && s.expected[0] == judge::v1::VERDICT_ACCEPTED) {
        accepted.push_back(s);
      }
    }
    if (accepted.empty()) {
      return absl::InvalidArgumentError(
          "no time limit: the package states none (limits.time_limit in problem.yaml, or "
          ".timelimit) and has no submissions/accepted/ to compute it from");
    }
    // Measured under a generous limit first.
    if (absl::Status s = EditManifest(
            dir, [](judge::v1::Challenge* m) { m->mutable_limits()->set_cpu_time_ms(10000); });
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::shared_ptr<const LoadedChallenge>> probe = LoadChallenge(dir);
    if (!probe.ok()) return tidy(probe.status());
    uint32_t slowest = 0;  // in the fastest languages' terms
    std::string slowest_path;
    for (const judge::v1::SubmissionCheck& c : Verify(*probe, accepted)) {
      if (cancel_) return absl::CancelledError("the judge is shutting down");
      if (c.got() != judge::v1::VERDICT_ACCEPTED) {
        return absl::FailedPreconditionError(
            absl::StrCat("no time limit: the package states none, and ", c.path(),
                         ", which must be accepted, got ", VerdictName(c.got()),
                         c.note().empty() ? "" : " (" + c.note() + ")",
                         " even with 10 s: fix it or state limits.time_limit"));
      }
      // Every accepted submission's language runs under the limit as it is (see above).
      if (c.max_cpu_ms() >= slowest) slowest = c.max_cpu_ms(), slowest_path = c.path();
    }
    const double mult = converted->ac_to_time_limit;
    limit_ms = static_cast<uint32_t>(std::max(1.0, std::ceil(slowest * mult / 1000.0)) * 1000);
    limit_source = absl::StrCat(mult, " x the slowest accepted submission (", slowest_path, ": ",
                                slowest, " ms), rounded up to a whole second");
    if (absl::Status s = EditManifest(
            dir, [&](judge::v1::Challenge* m) { m->mutable_limits()->set_cpu_time_ms(limit_ms); });
        !s.ok()) {
      return s;
    }
    loaded = LoadChallenge(dir);
    if (!loaded.ok()) return tidy(loaded.status());
  }
  resp.set_time_limit_ms(limit_ms);
  resp.set_time_limit_source(limit_source);

  // Verification: every submission gets the verdict its folder names.
  bool verified = true;
  for (judge::v1::SubmissionCheck& c : Verify(*loaded, converted->submissions)) {
    verified &= c.ok();
    *resp.add_checks() = std::move(c);
  }
  resp.set_verified(verified);
  if (cancel_) return absl::CancelledError("the judge is shutting down");
  if (req.strict && !verified) {
    return absl::FailedPreconditionError(
        absl::StrCat("strict import of ", id,
                     " refused: a submission of the package does not get "
                     "the verdict its folder names; nothing was stored.",
                     Table({resp.checks().begin(), resp.checks().end()})));
  }

  // Stored: the files by content, then the version's record, in one synced batch.
  std::vector<std::string> files;
  if (absl::Status s = Walk(dir, "", &files); !s.ok()) return s;
  judge::v1::StoredChallenge record;
  record.set_id(id);
  record.set_version(version);
  *record.mutable_imported_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  record.set_imported_by(who.key_id);
  std::map<std::string, std::string> blobs;
  uint64_t total = 0;
  for (const std::string& f : files) {
    absl::StatusOr<std::string> bytes = ReadAll(dir + "/" + f);
    if (!bytes.ok()) return bytes.status();
    judge::v1::StoredChallenge::File* file = record.add_files();
    file->set_path(f);
    file->set_sha256(Sha256Hex(*bytes));
    file->set_size(bytes->size());
    total += bytes->size();
    blobs.emplace(file->sha256(), *std::move(bytes));
  }
  resp.set_package_bytes(total);

  // Its own folder first, loaded from there; then the store; then it is served. A failure on
  // the way leaves neither a stored version nor a served one.
  const std::string final_dir = VersionDir(id, version);
  fs::remove_all(fs::path(final_dir).parent_path(), ec);
  fs::create_directories(fs::path(final_dir).parent_path(), ec);
  fs::rename(dir, final_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("rename to ", final_dir, ": ", ec.message()));
  auto unplace = [&] { fs::remove_all(fs::path(final_dir).parent_path(), ec); };
  absl::StatusOr<std::shared_ptr<const LoadedChallenge>> served = LoadChallenge(final_dir);
  if (!served.ok()) {
    unplace();
    return served.status();
  }
  // The files reach the disk before the marker that says the folder is whole.
  ::sync();
  if (absl::Status s = WriteAll(final_dir + "/../complete", ""); !s.ok()) {
    unplace();
    return s;
  }
  *record.mutable_report() = resp;
  // In a cluster, every node can have it before this one serves it. This node's own install
  // of what it shares waits until it is served (and then has nothing to do).
  std::lock_guard<std::mutex> no_install(install_mu_);
  if (cluster_ != nullptr) {
    if (absl::Status s = cluster_->PublishChallenge(record, blobs); !s.ok()) {
      unplace();
      return absl::UnavailableError(
          absl::StrCat("the cluster could not take the challenge (nothing stored): ", s.message()));
    }
  }
  absl::StatusOr<uint64_t> fresh = ctx_->store->PutChallengeVersion(record, blobs);
  if (!fresh.ok()) {
    unplace();
    return fresh.status();
  }
  resp.set_new_bytes(*fresh);
  catalog_->Put(*served);
  resp.mutable_challenge()->mutable_summary()->set_id(id);
  spdlog::info("imported {} version {} ({}, {} files, {} bytes, {} new; verified: {})", id, version,
               converted->format, files.size(), total, *fresh, verified);
  return resp;
}

namespace {

// A version's folder rebuilt from the store's bytes, each checked against its hash.
absl::Status Rebuild(Store* store, const judge::v1::StoredChallenge& record,
                     const std::string& dir) {
  std::error_code ec;
  fs::remove_all(fs::path(dir).parent_path(), ec);
  for (const auto& f : record.files()) {
    absl::StatusOr<std::string> bytes = store->GetBlob(f.sha256());
    if (!bytes.ok()) return bytes.status();
    if (Sha256Hex(*bytes) != f.sha256()) {
      return absl::DataLossError(absl::StrCat("stored bytes of ", f.path(), " do not match"));
    }
    if (absl::Status s = WriteAll(dir + "/" + f.path(), *bytes); !s.ok()) return s;
  }
  ::sync();
  return WriteAll(dir + "/../complete", "");
}

}  // namespace

absl::Status Imports::LoadStored() {
  // What a crashed import left half-unpacked goes.
  std::error_code ec;
  fs::remove_all(options_.data_dir + "/imports", ec);
  absl::StatusOr<std::vector<judge::v1::StoredChallenge>> stored = ctx_->store->LatestChallenges();
  if (!stored.ok()) return stored.status();
  for (const judge::v1::StoredChallenge& record : *stored) {
    if (catalog_->IsBuiltIn(record.id())) {
      spdlog::warn("imported challenge {} is not served: a built-in challenge has its id",
                   record.id());
      continue;
    }
    const std::string dir = VersionDir(record.id(), record.version());
    absl::StatusOr<std::shared_ptr<const LoadedChallenge>> ch = absl::NotFoundError("not unpacked");
    if (access((dir + "/../complete").c_str(), F_OK) == 0) ch = LoadChallenge(dir);
    if (!ch.ok()) {
      // Missing (a data dir restored from a backup, say) or damaged: rebuilt from the store.
      if (absl::Status s = Rebuild(ctx_->store, record, dir); s.ok()) {
        ch = LoadChallenge(dir);
      } else {
        ch = s;
      }
    }
    if (!ch.ok()) {
      // One broken challenge never keeps the judge from serving the others.
      spdlog::error("imported challenge {} version {} is not served: {}", record.id(),
                    record.version(), std::string(ch.status().message()));
      continue;
    }
    catalog_->Put(*ch);
  }
  return absl::OkStatus();
}

void Imports::JoinCluster(ClusterLink* cluster) {
  cluster_ = cluster;
  catalog_->SetFetcher([this](const std::string& id, uint32_t version) {
    if (!ValidChallengeId(id)) return;
    absl::StatusOr<judge::v1::StoredChallenge> record = cluster_->LatestChallenge(id);
    if (!record.ok()) return;
    if (absl::Status s = Install(*record); !s.ok()) {
      spdlog::error("challenge {} from the cluster: {}", id, std::string(s.message()));
    }
  });
  cluster_->WatchChallenges([this](const judge::v1::StoredChallenge& record) {
    if (absl::Status s = Install(record); !s.ok()) {
      spdlog::error("challenge {} version {} from the cluster: {}", record.id(), record.version(),
                    std::string(s.message()));
    }
  });
}

absl::Status Imports::Install(const judge::v1::StoredChallenge& record) {
  std::lock_guard<std::mutex> lock(install_mu_);
  if (catalog_->IsBuiltIn(record.id()) || !ValidChallengeId(record.id())) {
    return absl::OkStatus();
  }
  std::shared_ptr<const LoadedChallenge> served = catalog_->Lookup(record.id());
  if (served != nullptr && served->manifest.version() >= record.version()) {
    return absl::OkStatus();
  }
  // The files this node lacks, from the cluster.
  std::map<std::string, std::string> blobs;
  for (const auto& f : record.files()) {
    if (blobs.count(f.sha256()) || ctx_->store->HasBlob(f.sha256())) continue;
    absl::StatusOr<std::string> bytes = cluster_->FetchBlob(f.sha256(), f.size());
    if (!bytes.ok()) return bytes.status();
    if (Sha256Hex(*bytes) != f.sha256()) {
      return absl::DataLossError(absl::StrCat("shared bytes of ", f.path(), " do not match"));
    }
    blobs.emplace(f.sha256(), *std::move(bytes));
  }
  absl::StatusOr<uint32_t> latest = ctx_->store->LatestVersion(record.id());
  if (!latest.ok()) return latest.status();
  if (*latest < record.version()) {
    absl::StatusOr<uint64_t> fresh = ctx_->store->PutChallengeVersion(record, blobs);
    if (!fresh.ok()) return fresh.status();
  }
  const std::string dir = VersionDir(record.id(), record.version());
  if (absl::Status s = Rebuild(ctx_->store, record, dir); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const LoadedChallenge>> ch = LoadChallenge(dir);
  if (!ch.ok()) return ch.status();
  catalog_->Put(*ch);
  spdlog::info("challenge {} version {} installed from the cluster", record.id(), record.version());
  return absl::OkStatus();
}

void Imports::Stop() {
  std::unique_lock<std::mutex> lock(running_mu_);
  cancel_ = true;
  running_cv_.wait(lock, [this] { return running_ == 0; });
}

absl::StatusOr<judge::v1::RejudgeChallengeResponse> Imports::Rejudge(
    const Principal& who, const judge::v1::RejudgeChallengeRequest& req) {
  if (who.role != Role::kAdmin && who.role != Role::kPlatform) {
    return absl::PermissionDeniedError("re-judging takes an admin or platform token");
  }
  std::shared_ptr<const LoadedChallenge> ch = catalog_->Find(req.challenge_id());
  if (ch == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no challenge \"", req.challenge_id().substr(0, 64), "\""));
  }
  judge::v1::RejudgeChallengeResponse resp;
  resp.set_version(ch->manifest.version());
  std::string token;
  do {
    absl::StatusOr<Store::Page> page = ctx_->store->List("", req.challenge_id(), 500, token);
    if (!page.ok()) return page.status();
    for (const judge::v1::Submission& listed : page->submissions) {
      if (listed.state() != judge::v1::SUBMISSION_STATE_FINISHED ||
          listed.mode() != judge::v1::SUBMISSION_MODE_TAKE_HOME) {
        continue;
      }
      absl::StatusOr<judge::v1::Submission> full = ctx_->store->Get(listed.id());
      if (!full.ok()) return full.status();
      if (full->source().empty()) continue;  // its source was dropped: nothing to judge
      if (absl::Status s = ctx_->store->Requeue(*full); !s.ok()) return s;
      absl::StatusOr<judge::v1::Submission> queued = ctx_->store->Get(listed.id());
      if (!queued.ok()) return queued.status();
      if (absl::Status s = ctx_->engine->Push(*queued, false); !s.ok()) return s;
      resp.set_queued(resp.queued() + 1);
    }
    token = page->next_page_token;
  } while (!token.empty());
  return resp;
}

}  // namespace judge
