#include "judge/api/admin.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "judge/api/log.h"

namespace judge {

absl::StatusOr<judge::v1::EraseCandidateResponse> Admin::EraseCandidate(
    const Principal& who, const judge::v1::EraseCandidateRequest& req) {
  if (who.role != Role::kAdmin && who.role != Role::kPlatform) {
    return absl::PermissionDeniedError(
        "erasing a candidate's data is for admin and platform tokens");
  }
  const std::string& candidate = req.candidate_id();
  if (!ValidName(candidate, 128)) return absl::InvalidArgumentError("candidate_id is malformed");
  absl::StatusOr<std::vector<judge::v1::Submission>> subs = ctx_->store->AllOf(candidate);
  if (!subs.ok()) return subs.status();
  if (who.role == Role::kPlatform) {
    const size_t others = std::count_if(
        subs->begin(), subs->end(), [&](const auto& s) { return s.submitted_by() != who.key_id; });
    if (others > 0) {
      return absl::PermissionDeniedError(absl::StrCat(
          others, " of candidate ", candidate,
          "'s submissions were made with other keys; a platform token erases only candidates "
          "it submitted every submission for (an admin token erases any)"));
    }
  }
  absl::StatusOr<std::vector<judge::v1::Submission>> pending = ctx_->store->Pending();
  if (!pending.ok()) return pending.status();
  const size_t busy = std::count_if(pending->begin(), pending->end(),
                                    [&](const auto& s) { return s.candidate_id() == candidate; });
  if (busy > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(busy, " of candidate ", candidate,
                     "'s submissions are being judged or wait to be judged again; erase again once "
                     "they finish"));
  }
  absl::StatusOr<uint32_t> sessions = sessions_->EraseCandidate(candidate);
  if (!sessions.ok()) return sessions.status();
  if (absl::Status s = ctx_->store->Erase(*subs); !s.ok()) return s;
  for (const judge::v1::Submission& s : *subs) ctx_->engine->ForgetSource(s.language(), s.source());
  spdlog::info("candidate={} erased: {} submissions, {} sessions key={}", candidate, subs->size(),
               *sessions, who.key_id);
  judge::v1::EraseCandidateResponse resp;
  resp.set_candidate_id(candidate);
  resp.set_submissions_erased(static_cast<uint32_t>(subs->size()));
  resp.set_sessions_erased(*sessions);
  return resp;
}

absl::StatusOr<judge::v1::BackupResponse> Admin::Backup(const Principal& who,
                                                        const judge::v1::BackupRequest& req) {
  if (who.role != Role::kAdmin) return absl::PermissionDeniedError("backups are for admin tokens");
  const std::string& dir = req.dir();
  if (dir.empty() || dir[0] != '/' || dir.find("/../") != std::string::npos ||
      absl::EndsWith(dir, "/..")) {
    return absl::InvalidArgumentError("dir must be an absolute path on the judge's host");
  }
  const uint64_t submissions = ctx_->store->CountSubmissions();
  absl::StatusOr<Store::BackupInfo> info = ctx_->store->Backup(dir);
  if (!info.ok()) return info.status();
  spdlog::info("backup {} into {}: {} bytes, {} submissions, key={}", info->backup_id, dir,
               info->size_bytes, submissions, who.key_id);
  judge::v1::BackupResponse resp;
  resp.set_dir(dir);
  resp.set_backup_id(info->backup_id);
  resp.set_size_bytes(info->size_bytes);
  resp.set_submissions(submissions);
  return resp;
}

}  // namespace judge
