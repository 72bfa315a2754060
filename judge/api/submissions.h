// Taking submissions: what a request must be (role, ids, challenge, language, source), its
// idempotency (request_id, cluster-wide on a cluster), the rate limit, storing it and queueing it.
#pragma once

#include "judge/api/api_context.h"
#include "judge/api/reads.h"

namespace judge {

class Submissions {
 public:
  Submissions(ApiContext* ctx, const Reads* reads) : ctx_(ctx), reads_(reads) {}
  absl::StatusOr<judge::v1::Submission> Submit(const Principal& who,
                                               const judge::v1::SubmitRequest& req);
  // The challenge and language exist, the source is within bounds and UTF-8 (also for RunLive).
  absl::Status CheckCode(const std::string& challenge_id, const std::string& language,
                         const std::string& source) const;
  // A QUEUED submission with a fresh id; the challenge must exist (checked by CheckCode).
  judge::v1::Submission NewSubmission(const Principal& who, const std::string& candidate,
                                      const std::string& challenge_id, const std::string& language,
                                      const std::string& source,
                                      judge::v1::SubmissionMode mode) const;

 private:
  // An earlier Submit with the same key and request_id: that submission when the request is the
  // same, ALREADY_EXISTS naming what differs, NotFound when there was none.
  absl::StatusOr<judge::v1::Submission> EarlierRequest(const std::string& request_key,
                                                       const std::string& candidate,
                                                       const judge::v1::SubmitRequest& req) const;
  // Submit's answer to a retry of a request claimed cluster-wide under `key` as `claimed`
  // ("<id> <digest>").
  absl::StatusOr<judge::v1::Submission> ClaimedRequest(const Principal& who, const std::string& key,
                                                       const std::string& claimed,
                                                       const std::string& digest,
                                                       const std::string& request_id) const;
  // Submit with `req.source` the entry and `req.files` the others (see Submit's files).
  absl::StatusOr<judge::v1::Submission> SubmitEntry(const Principal& who,
                                                    const judge::v1::SubmitRequest& req);
  ApiContext* ctx_;
  const Reads* reads_;
};

}  // namespace judge
