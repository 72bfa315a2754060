// Problem packages in the Kattis/ICPC problem package format (the legacy version and the 2023-07
// draft) turned into the judge's own challenge form: a challenge.textproto and a statement.md
// written beside the package's own files, which the loader then reads like any challenge.
//   problem.yaml                    name, type, validation, validator_flags, limits
//   .timelimit                      the time limit in seconds (legacy)
//   data/sample/*.in + .ans         sample tests (shown to candidates)
//   data/secret/**/*.in + .ans      hidden tests; each folder holding tests is a group
//   **/testdata.yaml                output_validator_flags, on_reject (inherited downwards)
//   output_validators/<one>/ or output_validator/   a validator in the Kattis interface
//   problem_statement/ or statement/  problem[.<lang>].md, or .tex (shown as its source)
//   submissions/<expected verdict>/<file>           verified at import
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "judge/v1/challenge.pb.h"
#include "judge/v1/judge.pb.h"

namespace judge {

// One of the package's own submissions, to judge at import.
struct PackageSubmission {
  std::string path;  // relative to the package: submissions/accepted/sol.py
  std::string language;
  std::string source;
  // The verdicts it may get: its folder's, or its @EXPECTED_RESULTS@ tag's.
  std::vector<judge::v1::Verdict> expected;
  // A submission of several files (a folder): the others, beside `source` (the entry).
  google::protobuf::RepeatedPtrField<judge::v1::SourceFile> files;
  // A scoring problem's @EXPECTED_SCORE@ tag.
  std::optional<double> expected_score;
};

struct ConvertedPackage {
  std::string format;  // "problem package" or "challenge.textproto"
  std::vector<PackageSubmission> submissions;
  std::vector<std::string> warnings;
  // The time limit for the fastest languages when the package states it (.timelimit,
  // limits.time_limit), with where it came from; 0 when it is to be computed from the
  // accepted submissions' slowest run times `ac_to_time_limit`.
  uint32_t time_limit_ms = 0;
  std::string time_limit_source;
  double ac_to_time_limit = 0;
};

// Converts the package in `dir` (whose last component must be `id`) in place: writes
// dir/challenge.textproto and dir/statement.md (a package in the judge's own form keeps its
// manifest, with `id` set). InvalidArgument names the file and the first problem ("problem.yaml:
// limits: unknown key \"tim_limit\"", "data/secret/3.in has no data/secret/3.ans");
// Unimplemented names a feature of the format this judge does not run.
[[nodiscard]] absl::StatusOr<ConvertedPackage> ConvertPackage(const std::string& dir,
                                                              const std::string& id);

// Changes the converted manifest (its version, the time limit computed from the package's
// accepted submissions) and writes it back.
[[nodiscard]] absl::Status EditManifest(const std::string& dir,
                                        const std::function<void(judge::v1::Challenge*)>& edit);

// The language of a source file by its extension ("" when none runs it).
std::string LanguageOfFile(const std::string& name);

}  // namespace judge
