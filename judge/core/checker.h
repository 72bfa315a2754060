// Output checkers that run in the judge's own process: exact, tokens, float and sql_result.
// (The `program` checker runs in the sandbox; see grader.h.) Every checker takes arbitrary bytes
// (empty, no final newline, NUL bytes, invalid UTF-8, huge lines) and never crashes.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "judge/v1/challenge.pb.h"

namespace judge {

struct CheckOutcome {
  bool accepted = false;
  // Why not (first difference, expected vs got), at most ~300 bytes; for candidates' eyes only on
  // sample tests.
  std::string message;
};

// `expected` is the answer file's content; `output` the program's stdout.
CheckOutcome RunBuiltinChecker(const judge::v1::Checker& checker, const std::string& expected,
                               const std::string& output);

CheckOutcome CheckExact(const std::string& expected, const std::string& output);
CheckOutcome CheckTokens(const std::string& expected, const std::string& output);
CheckOutcome CheckFloat(const std::string& expected, const std::string& output, double abs_eps,
                        double rel_eps);
CheckOutcome CheckSqlResult(const std::string& expected, const std::string& output, bool ordered);
// The problem package format's default output validator, with the flags set in `flags`
// (case_sensitive, space_change_sensitive, abs_epsilon, rel_epsilon).
CheckOutcome CheckDefaultValidator(const std::string& expected, const std::string& output,
                                   const judge::v1::Checker& flags);
// The default validator's flags (`float_tolerance 1e-6 case_sensitive`, as a package's
// output_validator_flags give them, split on spaces) applied to `checker`; InvalidArgument
// naming an unknown flag or a missing number.
[[nodiscard]] absl::StatusOr<judge::v1::Checker> WithValidatorFlags(
    judge::v1::Checker checker, const google::protobuf::RepeatedPtrField<std::string>& flags);

// A printable, capped excerpt of untrusted bytes (control bytes and invalid UTF-8 escaped).
std::string Excerpt(const std::string& s, size_t max_bytes = 80);

}  // namespace judge
