#include "judge/api/reports.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "judge/core/similarity.h"

namespace judge {

absl::StatusOr<judge::v1::SubmissionReport> Reports::GetReport(
    const Principal& who, const judge::v1::GetReportRequest& req) {
  if (who.role == Role::kCandidate) {
    return absl::PermissionDeniedError("reports are for interviewers, platforms and admins");
  }
  absl::StatusOr<std::string> remote = RemoteOwner(*ctx_, req.submission_id());
  if (!remote.ok()) return remote.status();
  if (!remote->empty()) {
    return FromOwner(ctx_->peers->GetReport(*remote, who, req), req.submission_id());
  }
  absl::StatusOr<judge::v1::Submission> s = reads_->ReadableSubmission(who, req.submission_id());
  if (!s.ok()) return s.status();
  judge::v1::SubmissionReport resp;
  judge::v1::Submission sub = *s;
  sub.clear_source();
  if (sub.state() != judge::v1::SUBMISSION_STATE_FINISHED) ctx_->hub->Progress(sub.id(), &sub);
  const std::vector<uint32_t> reference =
      ctx_->engine->ReferenceCpu(sub.challenge_id(), sub.language());
  uint64_t cpu = 0, ref = 0;
  for (const judge::v1::TestResult& t : sub.tests()) {
    judge::v1::ReportTest* rt = resp.add_tests();
    *rt->mutable_test() = t;
    if (t.index() >= 1 && t.index() <= reference.size()) {
      const uint32_t r = reference[t.index() - 1];
      rt->set_reference_cpu_ms(r);
      rt->set_cpu_ratio(static_cast<double>(t.cpu_ms()) / std::max<uint32_t>(r, 1));
      cpu += t.cpu_ms();
      ref += r;
    }
  }
  if (ref > 0) resp.set_cpu_ratio(static_cast<double>(cpu) / static_cast<double>(ref));
  if (reference.empty()) {
    resp.set_note(absl::StrCat("no reference time in ", sub.language(),
                               " yet: it is measured the first time a language is judged; ask "
                               "again in a moment"));
  }
  auto fill = [](const std::optional<Growth>& g, judge::v1::GrowthEstimate* out) {
    if (!g) {
      out->set_note("being measured on the challenge's scaling series; ask again in a moment");
      return;
    }
    out->set_fitted(g->fitted);
    out->set_exponent(g->exponent);
    out->set_low(g->low);
    out->set_high(g->high);
    out->set_note(g->note);
    for (const GrowthPoint& p : g->points) {
      judge::v1::GrowthPoint* gp = out->add_points();
      gp->set_n(p.n);
      gp->set_cpu_ms(p.cpu_ms);
      gp->set_over_cap(p.over_limit);
    }
  };
  std::shared_ptr<const LoadedChallenge> ch = ctx_->challenges->Find(sub.challenge_id());
  if (ch != nullptr && !ch->scaling.empty() &&
      sub.state() == judge::v1::SUBMISSION_STATE_FINISHED && !sub.use_custom_stdin()) {
    fill(ctx_->engine->SubmissionGrowth(*s), resp.mutable_growth());
    fill(ctx_->engine->ReferenceGrowth(sub.challenge_id(), sub.language()),
         resp.mutable_reference_growth());
  }
  absl::StatusOr<std::vector<judge::v1::SimilarPair>> pairs =
      ctx_->store->ListSimilar(sub.challenge_id());
  if (pairs.ok()) {
    for (judge::v1::SimilarPair& p : *pairs) {
      if (p.score() >= kSimilarFromScore &&
          (p.submission_a() == sub.id() || p.submission_b() == sub.id())) {
        *resp.add_similar() = std::move(p);
      }
    }
  }
  *resp.mutable_submission() = std::move(sub);
  return resp;
}

}  // namespace judge
