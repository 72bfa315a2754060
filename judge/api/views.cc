#include "judge/api/views.h"

namespace judge {

bool MayRead(const Principal& who, const judge::v1::Submission& s) {
  if (who.role != Role::kCandidate) return true;
  return s.candidate_id() == who.candidate_id && s.mode() != judge::v1::SUBMISSION_MODE_LIVE;
}

bool Listed(const Principal& who, const judge::v1::Submission& s) {
  return s.mode() != judge::v1::SUBMISSION_MODE_PRACTICE && MayRead(who, s);
}

void ViewFor(const Catalog& challenges, const Principal& who, judge::v1::Submission* s) {
  if (who.role != Role::kCandidate) return;
  s->clear_submitted_by();
  if (auto ch = challenges.Find(s->challenge_id())) HideTestNames(*ch, s);
}

std::function<void(judge::v1::SubmissionEvent*)> EventViewFor(const Catalog& challenges,
                                                              const Principal& who,
                                                              const std::string& challenge_id) {
  if (who.role != Role::kCandidate) return nullptr;
  std::shared_ptr<const LoadedChallenge> ch = challenges.Find(challenge_id);
  if (ch == nullptr) return nullptr;
  return [ch](judge::v1::SubmissionEvent* e) {
    HideTestNames(*ch, e);
    if (e->has_submission()) e->mutable_submission()->clear_submitted_by();  // as ViewFor
  };
}

}  // namespace judge
