// The interviewer's report on a take-home submission: per-test CPU against the reference, the
// growth over the scaling series, traps hit, similar submissions.
#pragma once

#include "judge/api/api_context.h"
#include "judge/api/reads.h"

namespace judge {

class Reports {
 public:
  Reports(ApiContext* ctx, const Reads* reads) : ctx_(ctx), reads_(reads) {}
  absl::StatusOr<judge::v1::SubmissionReport> GetReport(const Principal& who,
                                                        const judge::v1::GetReportRequest& req);

 private:
  ApiContext* ctx_;
  const Reads* reads_;
};

}  // namespace judge
