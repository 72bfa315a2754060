// Scoring problems (the problem package format's `type: scoring`): each test's points, and the
// folders of tests aggregated bottom-up as their grading nodes say (challenge.proto's
// GradingNode): the submission's verdict and points are those of data/ itself.
#pragma once

#include "judge/core/challenge.h"
#include "judge/v1/judge.pb.h"

namespace judge {

// The folder a test belongs to in a scoring problem ("secret/group1" for the test
// "secret/group1/03"): its name up to the last '/'.
std::string GradingFolder(const std::string& test_name);

// The grading node of a folder: the manifest's, else the format's defaults (accept_score 1,
// reject_score 0, first_error and sum, on_reject break).
judge::v1::GradingNode GradingNodeFor(const judge::v1::Challenge& manifest,
                                      const std::string& folder);

// Sets `graded`'s verdict, points and max_points (and score, max_score rounded) from its tests'
// verdicts and points. Tests that did not run count for nothing.
void ScoreByGrading(const LoadedChallenge& challenge, judge::v1::Submission* graded);

}  // namespace judge
