#include "judge/api/submissions.h"

#include <algorithm>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "judge/api/log.h"
#include "judge/core/language.h"
#include "judge/core/multi_file.h"
#include "judge/core/sha256.h"

namespace judge {

absl::Status Submissions::CheckCode(const std::string& challenge_id, const std::string& language,
                                    const std::string& source) const {
  const std::shared_ptr<const LoadedChallenge> ch =
      ctx_->challenges->Find(challenge_id);  // fetches
  if (ch == nullptr) {
    std::vector<std::string> ids;
    for (const auto& [id, known] : *ctx_->challenges->All()) ids.push_back(id);
    return absl::InvalidArgumentError(absl::StrCat("unknown challenge \"",
                                                   challenge_id.substr(0, 80),
                                                   "\" (known: ", absl::StrJoin(ids, ", "), ")"));
  }
  const auto& langs = ch->manifest.languages();
  if (FindLanguage(language) == nullptr ||
      std::find(langs.begin(), langs.end(), language) == langs.end()) {
    return absl::InvalidArgumentError(absl::StrCat("language \"", language.substr(0, 40),
                                                   "\" is not offered by ", challenge_id,
                                                   " (offered: ", absl::StrJoin(langs, ", "), ")"));
  }
  if (source.find_first_not_of(" \t\r\n") == std::string::npos) {
    return absl::InvalidArgumentError("source is empty");
  }
  if (source.size() > ctx_->options.max_source_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "source is ", source.size(), " bytes; the limit is ", ctx_->options.max_source_bytes));
  }
  // A NUL byte is valid UTF-8: the grader reports it as a compile error, with its line.
  if (!ValidUtf8(source)) return absl::InvalidArgumentError("source is not valid UTF-8");
  return absl::OkStatus();
}

absl::StatusOr<judge::v1::Submission> Submissions::EarlierRequest(
    const std::string& request_key, const std::string& candidate,
    const judge::v1::SubmitRequest& req) const {
  absl::StatusOr<judge::v1::Submission> prior = ctx_->store->FindRequest(request_key);
  if (!prior.ok()) return prior.status();
  std::vector<std::string> differs;
  if (prior->candidate_id() != candidate) differs.push_back("candidate_id");
  if (prior->challenge_id() != req.challenge_id()) differs.push_back("challenge_id");
  if (prior->language() != req.language()) differs.push_back("language");
  if (prior->source() != req.source()) differs.push_back("source");
  if (!differs.empty()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id \"", req.request_id(), "\" was already used for submission ", prior->id(),
        " with another ", absl::StrJoin(differs, ", "),
        "; a retry must repeat the request exactly, a new submission needs a new request_id"));
  }
  return prior;
}

judge::v1::Submission Submissions::NewSubmission(const Principal& who, const std::string& candidate,
                                                 const std::string& challenge_id,
                                                 const std::string& language,
                                                 const std::string& source,
                                                 judge::v1::SubmissionMode mode) const {
  judge::v1::Submission sub;
  sub.set_id(ctx_->cluster != nullptr
                 ? absl::StrCat(ctx_->store->NewId(), ".", ctx_->cluster->node_id())
                 : ctx_->store->NewId());
  sub.set_candidate_id(candidate);
  sub.set_challenge_id(challenge_id);
  sub.set_language(language);
  sub.set_source(source);
  sub.set_mode(mode);
  sub.set_state(judge::v1::SUBMISSION_STATE_QUEUED);
  std::shared_ptr<const LoadedChallenge> ch = ctx_->challenges->Find(challenge_id);
  sub.set_max_score(ch->max_score);
  // An imported challenge: the version it is submitted on (judged on it or a newer one).
  sub.set_challenge_version(ch->manifest.version());
  sub.set_submitted_by(who.key_id);
  *sub.mutable_created_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  return sub;
}

absl::StatusOr<judge::v1::Submission> Submissions::Submit(const Principal& who,
                                                          const judge::v1::SubmitRequest& req) {
  if (req.files().empty()) return SubmitEntry(who, req);
  // Several files: the entry becomes the source, the others stay files.
  if (!req.source().empty()) {
    return absl::InvalidArgumentError("give source or files, not both");
  }
  if (req.files_size() > 32) {
    return absl::InvalidArgumentError(
        absl::StrCat(req.files_size(), " files; a submission has at most 32"));
  }
  size_t total = 0;
  for (const judge::v1::SourceFile& f : req.files()) {
    total += f.content().size();
    if (!ValidUtf8(f.content())) {
      return absl::InvalidArgumentError(
          absl::StrCat("file ", f.name().substr(0, 64), " is not valid UTF-8"));
    }
  }
  if (total > ctx_->options.max_source_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the files are ", total, " bytes together; the limit is ", ctx_->options.max_source_bytes));
  }
  absl::StatusOr<int> entry = ChooseMain(req.language(), req.files());
  if (!entry.ok()) return entry.status();
  judge::v1::SubmitRequest one = req;
  one.set_source(req.files(*entry).content());
  one.clear_files();
  for (int i = 0; i < req.files_size(); ++i) {
    if (i != *entry) *one.add_files() = req.files(i);
  }
  if (const Language* lang = FindLanguage(req.language())) {
    if (absl::StatusOr<Language> with = WithFiles(*lang, one.files()); !with.ok()) {
      return with.status();
    }
  }
  return SubmitEntry(who, one);
}

absl::StatusOr<judge::v1::Submission> Submissions::SubmitEntry(
    const Principal& who, const judge::v1::SubmitRequest& req) {
  std::string candidate = req.candidate_id();
  switch (who.role) {
    case Role::kInterviewer:
      return absl::PermissionDeniedError(
          "interviewers run code with RunLive; Submit is for candidates and platforms");
    case Role::kCandidate:
      if (!candidate.empty() && candidate != who.candidate_id) {
        return absl::PermissionDeniedError("a candidate may only submit as itself");
      }
      candidate = who.candidate_id;
      break;
    default:
      if (candidate.empty()) {
        return absl::InvalidArgumentError("candidate_id is required for this token");
      }
  }
  if (!ValidName(candidate, 128)) {
    return absl::InvalidArgumentError(
        "candidate_id must be 1-128 of letters, digits, '-', '_', '.', '@', ':'");
  }
  if (absl::Status s = CheckCode(req.challenge_id(), req.language(), req.source()); !s.ok()) {
    ctx_->metrics->AddRejected("invalid");
    return s;
  }
  if (req.request_id().size() > 128) {
    return absl::InvalidArgumentError("request_id is longer than 128 bytes");
  }
  // Request ids are scoped to the caller's key, so two callers never collide. A retry of an
  // acknowledged Submit is answered before the rate limit and the queue are consulted: a
  // client retrying under pressure gets its submission back, not RESOURCE_EXHAUSTED.
  std::string request_key = req.request_id().empty()
                                ? ""
                                : absl::StrCat(who.key_id, std::string(1, '\0'), req.request_id());
  // The answer to a retry: the earlier submission as Submit returned it.
  auto answer_retry = [](judge::v1::Submission prior) {
    prior.clear_tests();
    return prior;
  };
  if (!request_key.empty()) {
    absl::StatusOr<judge::v1::Submission> prior = EarlierRequest(request_key, candidate, req);
    if (prior.ok()) return answer_retry(*std::move(prior));
    if (!absl::IsNotFound(prior.status())) return prior.status();
  }
  // In a cluster the request id is claimed cluster-wide (a retry may come through any node):
  // the key names the caller's key and request id, the value the submission and a digest of
  // what was asked, so that a retry with other content is told apart.
  std::string cluster_key, digest;
  if (ctx_->cluster != nullptr) {
    if (!ctx_->cluster->Connected()) {
      return absl::UnavailableError(absl::StrCat("node ", ctx_->cluster->node_id(),
                                                 " cannot reach NATS and cannot queue work now; "
                                                 "retry through another node"));
    }
    if (!request_key.empty()) {
      cluster_key = Sha256Hex(request_key);
      digest = Sha256Hex(absl::StrCat(candidate, std::string(1, '\0'), req.challenge_id(),
                                      std::string(1, '\0'), req.language(), std::string(1, '\0'),
                                      req.source()))
                   .substr(0, 16);
      absl::StatusOr<std::string> claimed = ctx_->cluster->LookupRequest(cluster_key);
      if (claimed.ok()) return ClaimedRequest(who, cluster_key, *claimed, digest, req.request_id());
      if (!absl::IsNotFound(claimed.status())) return claimed.status();
    }
  }
  if (absl::Status s = ctx_->rates.Submit(who); !s.ok()) return s;
  if (absl::Status s = ctx_->engine->Reserve(judge::v1::SUBMISSION_MODE_TAKE_HOME); !s.ok()) {
    ctx_->metrics->AddRejected("queue_full");
    return s;
  }
  judge::v1::Submission sub = NewSubmission(who, candidate, req.challenge_id(), req.language(),
                                            req.source(), judge::v1::SUBMISSION_MODE_TAKE_HOME);
  sub.set_request_id(req.request_id());
  *sub.mutable_files() = req.files();
  if (!cluster_key.empty()) {
    const std::string mine = absl::StrCat(sub.id(), " ", digest);
    absl::StatusOr<std::string> claimed = ctx_->cluster->ClaimRequest(cluster_key, mine);
    if (!claimed.ok() || *claimed != mine) {
      ctx_->engine->Release(judge::v1::SUBMISSION_MODE_TAKE_HOME);
      if (!claimed.ok()) return claimed.status();
      // Another node won.
      return ClaimedRequest(who, cluster_key, *claimed, digest, req.request_id());
    }
  }
  absl::StatusOr<Store::Created> created = ctx_->store->Create(sub, request_key);
  if (!created.ok()) {
    ctx_->engine->Release(judge::v1::SUBMISSION_MODE_TAKE_HOME);
    if (!cluster_key.empty()) ctx_->cluster->ForgetRequest(cluster_key);
    spdlog::error("submit failed: {}", std::string(created.status().message()));
    return created.status();
  }
  if (!created->is_new) {
    // A concurrent request with the same id won the race: the same rule as above.
    ctx_->engine->Release(judge::v1::SUBMISSION_MODE_TAKE_HOME);
    absl::StatusOr<judge::v1::Submission> prior = EarlierRequest(request_key, candidate, req);
    if (!prior.ok()) return prior.status();
    return answer_retry(*std::move(prior));
  }
  if (absl::Status queued = ctx_->engine->Push(created->submission, true); !queued.ok()) {
    // Not acknowledged, so not kept: the caller retries (through another node).
    (void)ctx_->store->Erase({created->submission});
    if (!cluster_key.empty()) ctx_->cluster->ForgetRequest(cluster_key);
    if (absl::IsResourceExhausted(queued)) {  // the cluster's queue is full
      ctx_->metrics->AddRejected("queue_full");
      return queued;
    }
    return absl::UnavailableError(absl::StrCat(
        "node ", ctx_->cluster != nullptr ? ctx_->cluster->node_id() : "", " could not queue ",
        "the submission (", queued.message(), "); retry through another node"));
  }
  spdlog::info("submission={} queued candidate={} challenge={} language={} key={}", sub.id(),
               candidate, sub.challenge_id(), sub.language(), who.key_id);
  // The submission as stored, its source included (an empty "source" read as if it were lost).
  return created->submission;
}

absl::StatusOr<judge::v1::Submission> Submissions::ClaimedRequest(
    const Principal& who, const std::string& key, const std::string& claimed,
    const std::string& digest, const std::string& request_id) const {
  std::vector<std::string> parts = absl::StrSplit(claimed, ' ');
  if (parts.size() != 2) return absl::InternalError("a malformed request record in NATS");
  if (parts[1] != digest) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id \"", request_id, "\" was already used for submission ", parts[0],
        " with another candidate_id, challenge_id, language or source; a retry must repeat "
        "the request exactly, a new submission needs a new request_id"));
  }
  judge::v1::GetSubmissionRequest get;
  get.set_submission_id(parts[0]);
  absl::StatusOr<judge::v1::Submission> prior = reads_->GetSubmission(who, get);
  // The node that claimed it may be storing it right now (claim, then store): a moment.
  for (int wait_ms = 10; absl::IsNotFound(prior.status()) && wait_ms <= 640; wait_ms *= 2) {
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    prior = reads_->GetSubmission(who, get);
  }
  if (absl::IsNotFound(prior.status())) {
    // Claimed by a node that stopped before storing it: nothing was acknowledged. The claim
    // goes, so that the next retry makes the submission.
    ctx_->cluster->ForgetRequest(key);
    return absl::UnavailableError("an earlier attempt of this request did not complete; retry");
  }
  if (!prior.ok()) return prior.status();
  prior->clear_source();
  prior->clear_tests();
  return prior;
}

}  // namespace judge
