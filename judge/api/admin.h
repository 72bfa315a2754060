// Admin calls: erasing a candidate's data everywhere it is kept, and backups of the store.
#pragma once

#include "judge/api/api_context.h"

namespace judge {

class Admin {
 public:
  explicit Admin(ApiContext* ctx) : ctx_(ctx) {}
  absl::StatusOr<judge::v1::EraseCandidateResponse> EraseCandidate(
      const Principal& who, const judge::v1::EraseCandidateRequest& req);
  absl::StatusOr<judge::v1::BackupResponse> Backup(const Principal& who,
                                                   const judge::v1::BackupRequest& req);

 private:
  ApiContext* ctx_;
};

}  // namespace judge
