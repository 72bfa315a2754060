// Loads and validates challenges/<id>/challenge.textproto (schema: proto/judge/v1/challenge.proto).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "judge/core/language.h"
#include "judge/v1/challenge.pb.h"
#include "judge/v1/judge.pb.h"
#include "sandbox/spec.h"

namespace judge {

struct LoadedTest {
  std::string name;
  std::string group;
  bool sample = false;
  std::string input_path;  // absolute host paths, checked to stay inside the challenge dir
  std::string answer_path;
  std::string fixture_path;                       // sql only
  std::string trap;                               // the test's own, else its group's
  std::vector<judge::v1::Verdict> trap_verdicts;  // what the trap explains (never empty)
  // The checker as it applies to this test: for the default validator, with the challenge's and
  // the group's flags applied; for an output validator, the flags it is run with.
  judge::v1::Checker checker;
  std::vector<std::string> validator_flags;
  // A scoring problem: the points of an accepted and of a rejected run (its folder's).
  double accept_score = 1, reject_score = 0;
};

struct LoadedChallenge {
  judge::v1::Challenge manifest;
  std::string dir;                // absolute
  std::string statement;          // statement.md
  std::vector<LoadedTest> tests;  // in judging order
  std::map<std::string, uint32_t> group_points;
  uint32_t max_score = 0;
  std::string checker_source;  // program checker or output validator: absolute path
  // An output validator's language: the built-in one with the validator's other files beside
  // its main one (null unless the checker is CHECKER_KIND_OUTPUT_VALIDATOR).
  std::shared_ptr<const Language> validator_language;

  // What a candidate sees instead of a hidden test's or hidden group's name: hidden-N in test
  // order, hidden-group-N for a group whose tests are all hidden. Empty when the challenge shows
  // hidden names.
  std::map<std::string, std::string> candidate_names;

  // The scaling series (manifest `scaling`): each size with its input's absolute path.
  struct ScalePoint {
    uint64_t n;
    std::string input_path;
  };
  std::vector<ScalePoint> scaling;

  // The class form (manifest `harnesses`): per language, the language as the challenge compiles
  // and runs it (the candidate's file name, the harness's files, its commands) and the editor's
  // stub. Empty for a stdin/stdout challenge.
  std::map<std::string, Language> harness_languages;
  std::map<std::string, std::string> stubs;
  // The language a submission in `language` is compiled and run as: the challenge's class-form
  // variant, else the built-in one; nullptr when unknown.
  const Language* LanguageFor(const std::string& language) const;

  // Effective multiplier for a language.
  double TimeMultiplier(const std::string& language) const;
  // The limits a run gets in `language`: the manifest's, time scaled by TimeMultiplier, wall
  // time defaulted by DefaultWallTimeMs. The one place they are computed: the grader runs with
  // them, GetChallenge and the statements show them ("" gives the challenge's own, unscaled).
  struct RunLimits {
    uint64_t cpu_time_ms = 0;
    uint64_t wall_time_ms = 0;
    uint64_t memory_kib = 0;
    uint64_t output_kib = 0;
    uint32_t processes = 64;  // the candidate's own; a runtime's threads come on top
  };
  RunLimits LimitsFor(const std::string& language) const;
};

using sandbox::DefaultWallTimeMs;

// Rewrites a submission (its tests and its message) or an event for a candidate's eyes: hidden
// test and group names become their aliases (see LoadedChallenge::candidate_names).
void HideTestNames(const LoadedChallenge& challenge, judge::v1::Submission* submission);
void HideTestNames(const LoadedChallenge& challenge, judge::v1::SubmissionEvent* event);

// Reads one challenge directory. Errors name the file, the field and the reason, e.g.
// "challenges/x/challenge.textproto: groups[0].tests[2].input: path leaves the challenge dir".
[[nodiscard]] absl::StatusOr<std::shared_ptr<const LoadedChallenge>> LoadChallenge(
    const std::string& dir);

// Every subdirectory of `root` holding a challenge.textproto, sorted by id. One bad challenge
// fails the whole load: the judge must not start with a broken challenge.
[[nodiscard]] absl::StatusOr<std::vector<std::shared_ptr<const LoadedChallenge>>> LoadChallenges(
    const std::string& root);

// Reads a whole regular file (no symlink at the last component), at most max_bytes.
[[nodiscard]] absl::StatusOr<std::string> ReadTextFile(const std::string& path,
                                                       uint64_t max_bytes = 64ull << 20);

}  // namespace judge
