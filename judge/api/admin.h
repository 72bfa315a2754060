// Admin calls: erasing a candidate's data everywhere it is kept, and backups of the store.
#pragma once

#include "judge/api/api_context.h"
#include "judge/api/sessions.h"

namespace judge {

class Admin {
 public:
  Admin(ApiContext* ctx, Sessions* sessions) : ctx_(ctx), sessions_(sessions) {}
  absl::StatusOr<judge::v1::EraseCandidateResponse> EraseCandidate(
      const Principal& who, const judge::v1::EraseCandidateRequest& req);
  absl::StatusOr<judge::v1::BackupResponse> Backup(const Principal& who,
                                                   const judge::v1::BackupRequest& req);

 private:
  ApiContext* ctx_;
  Sessions* sessions_;  // an erased candidate's interview sessions go too
};

}  // namespace judge
