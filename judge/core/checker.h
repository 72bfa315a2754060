// Output checkers that run in the judge's own process: exact, tokens, float and sql_result.
// (The `program` checker runs in the sandbox; see grader.h.) Every checker takes arbitrary bytes
// (empty, no final newline, NUL bytes, invalid UTF-8, huge lines) and never crashes.
#pragma once

#include <string>

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

// A printable, capped excerpt of untrusted bytes (control bytes and invalid UTF-8 escaped).
std::string Excerpt(const std::string& s, size_t max_bytes = 80);

}  // namespace judge
