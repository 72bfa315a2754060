// JUDGE_-prefixed status macros: Debian's abseil 20220623 has no RETURN_IF_ERROR, and protobuf
// already defines unprefixed ones.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define JUDGE_CONCAT_INNER_(a, b) a##b
#define JUDGE_CONCAT_(a, b) JUDGE_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define JUDGE_RETURN_IF_ERROR(expr)            \
  do {                                         \
    ::absl::Status judge_status_ = (expr);     \
    if (!judge_status_.ok()) return judge_status_; \
  } while (0)

// `lhs = value of expr` if expr (an absl::StatusOr) is OK, else returns its status.
#define JUDGE_ASSIGN_OR_RETURN(lhs, expr) \
  JUDGE_ASSIGN_OR_RETURN_IMPL_(JUDGE_CONCAT_(judge_statusor_, __LINE__), lhs, expr)
#define JUDGE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();     \
  lhs = std::move(tmp).value()
