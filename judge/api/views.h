// What each caller may read and sees of a submission: the front door's visibility rules in one
// place. A candidate reads only its own take-home submissions and practice runs, never an
// interviewer's live run (even one filed under its id), and sees hidden tests only as hidden-N:
// no names, traps, input or output heads, nor the key that submitted. Everyone else sees all.
#pragma once

#include <functional>

#include "judge/api/auth.h"
#include "judge/api/engine.h"
#include "judge/v1/judge.pb.h"

namespace judge {

// Whether `who` may read `s` at all. A candidate's "no" must look exactly like an id that does
// not exist (ids are time-ordered: PERMISSION_DENIED would confirm a guess).
bool MayRead(const Principal& who, const judge::v1::Submission& s);
// Whether `s` is listed for `who` (practice runs are nobody's submissions: never listed).
bool Listed(const Principal& who, const judge::v1::Submission& s);
// `s` as `who` may see it.
void ViewFor(const Catalog& challenges, const Principal& who, judge::v1::Submission* s);
// The same for the events of a feed; nullptr when `who` sees them as they are.
std::function<void(judge::v1::SubmissionEvent*)> EventViewFor(const Catalog& challenges,
                                                              const Principal& who,
                                                              const std::string& challenge_id);

}  // namespace judge
