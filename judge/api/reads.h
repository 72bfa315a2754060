// Reading submissions: one (its progress while judged), a page of them (across a cluster's
// nodes), and the pairs similarity found. Each caller sees what views.h lets it see.
#pragma once

#include "judge/api/api_context.h"

namespace judge {

class Reads {
 public:
  explicit Reads(ApiContext* ctx) : ctx_(ctx) {}
  absl::StatusOr<judge::v1::Submission> GetSubmission(
      const Principal& who, const judge::v1::GetSubmissionRequest& req) const;
  absl::StatusOr<judge::v1::ListSubmissionsResponse> ListSubmissions(
      const Principal& who, const judge::v1::ListSubmissionsRequest& req) const;
  absl::StatusOr<judge::v1::ListSimilarSubmissionsResponse> ListSimilarSubmissions(
      const Principal& who, const judge::v1::ListSimilarSubmissionsRequest& req) const;
  // The stored submission when `who` may read it; NOT_FOUND when it may not (as when absent).
  absl::StatusOr<judge::v1::Submission> ReadableSubmission(const Principal& who,
                                                           const std::string& id) const;

 private:
  ApiContext* ctx_;
};

}  // namespace judge
