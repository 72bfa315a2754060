#include "judge/api/reads.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "judge/api/cluster_list.h"
#include "judge/api/views.h"
#include "judge/core/similarity.h"

namespace judge {

absl::StatusOr<judge::v1::Submission> Reads::ReadableSubmission(const Principal& who,
                                                                const std::string& id) const {
  if (!ValidName(id, 64)) return absl::InvalidArgumentError("submission_id is malformed");
  absl::StatusOr<judge::v1::Submission> s = ctx_->store->Get(id);
  if (!s.ok()) {
    if (absl::IsNotFound(s.status())) return absl::NotFoundError("no submission " + id);
    return s.status();
  }
  // A candidate learns nothing of what is not theirs (views.h).
  if (!MayRead(who, *s)) return absl::NotFoundError("no submission " + id);
  return s;
}

absl::StatusOr<judge::v1::Submission> Reads::GetSubmission(
    const Principal& who, const judge::v1::GetSubmissionRequest& req) const {
  absl::StatusOr<std::string> remote = RemoteOwner(*ctx_, req.submission_id());
  if (!remote.ok()) return remote.status();
  if (!remote->empty()) {
    return FromOwner(ctx_->peers->GetSubmission(*remote, who, req), req.submission_id());
  }
  absl::StatusOr<judge::v1::Submission> s = ReadableSubmission(who, req.submission_id());
  if (!s.ok()) return s.status();
  // Being judged: COMPILING or RUNNING and the tests so far, as WatchSubmission shows them.
  if (s->state() != judge::v1::SUBMISSION_STATE_FINISHED) ctx_->hub->Progress(s->id(), &*s);
  ViewFor(*ctx_->challenges, who, &*s);
  return s;
}

absl::StatusOr<judge::v1::ListSubmissionsResponse> Reads::ListSubmissions(
    const Principal& who, const judge::v1::ListSubmissionsRequest& req) const {
  if (ctx_->cluster != nullptr && !who.this_node_only)
    return ListEverywhere(
        *ctx_->cluster, ctx_->peers, who, req,
        [this](const Principal& here, const auto& r) { return ListSubmissions(here, r); });
  std::string candidate = req.candidate_id();
  if (who.role == Role::kCandidate) {
    if (!candidate.empty() && candidate != who.candidate_id) {
      return absl::PermissionDeniedError("a candidate may only list its own submissions");
    }
    candidate = who.candidate_id;
  }
  uint32_t page_size = req.page_size() == 0 ? 20 : req.page_size();
  if (page_size > 100) return absl::InvalidArgumentError("page_size must be between 1 and 100");
  if (!req.page_token().empty() && !ValidName(req.page_token(), 100)) {
    return absl::InvalidArgumentError("page_token is not one this server gave out");
  }
  absl::StatusOr<Store::Page> page =
      ctx_->store->List(candidate, req.challenge_id(), page_size, req.page_token());
  if (!page.ok()) return page.status();
  judge::v1::ListSubmissionsResponse resp;
  for (judge::v1::Submission& s : page->submissions) {
    if (!Listed(who, s)) continue;  // views.h
    ViewFor(*ctx_->challenges, who, &s);
    *resp.add_submissions() = std::move(s);
  }
  resp.set_next_page_token(page->next_page_token);
  return resp;
}

absl::StatusOr<judge::v1::ListSimilarSubmissionsResponse> Reads::ListSimilarSubmissions(
    const Principal& who, const judge::v1::ListSimilarSubmissionsRequest& req) const {
  if (who.role == Role::kCandidate) {
    return absl::PermissionDeniedError(
        "similar submissions are for interviewers, platforms and admins");
  }
  if (ctx_->challenges->Find(req.challenge_id()) == nullptr) {
    return absl::NotFoundError("no challenge \"" + req.challenge_id().substr(0, 80) + "\"");
  }
  const double min_score = req.min_score() > 0 ? req.min_score() : kSimilarFromScore;
  if (min_score > 1) return absl::InvalidArgumentError("min_score is between 0 and 1");
  absl::StatusOr<std::vector<judge::v1::SimilarPair>> pairs =
      ctx_->store->ListSimilar(req.challenge_id());
  if (!pairs.ok()) return pairs.status();
  std::vector<judge::v1::SimilarPair> kept;
  for (judge::v1::SimilarPair& p : *pairs) {
    if (p.score() < min_score) continue;
    if (!req.candidate_id().empty() && p.candidate_a() != req.candidate_id() &&
        p.candidate_b() != req.candidate_id()) {
      continue;
    }
    kept.push_back(std::move(p));
  }
  std::sort(kept.begin(), kept.end(),
            [](const judge::v1::SimilarPair& a, const judge::v1::SimilarPair& b) {
              return a.score() > b.score();
            });
  judge::v1::ListSimilarSubmissionsResponse resp;
  for (judge::v1::SimilarPair& p : kept) *resp.add_pairs() = std::move(p);
  return resp;
}

}  // namespace judge
