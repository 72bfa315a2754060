// The event streams: watching a submission (its history, then each event; another node's
// through Peers) and live or practice runs (judged on this node's live queue, stopped when their
// client goes).
#pragma once

#include <memory>

#include "judge/api/api_context.h"
#include "judge/api/event_feed.h"
#include "judge/api/reads.h"
#include "judge/api/sessions.h"
#include "judge/api/submissions.h"

namespace judge {

class LiveRuns {
 public:
  LiveRuns(ApiContext* ctx, const Reads* reads, const Submissions* submissions, Sessions* sessions)
      : ctx_(ctx), reads_(reads), submissions_(submissions), sessions_(sessions) {}
  absl::StatusOr<std::unique_ptr<EventFeed>> WatchSubmission(
      const Principal& who, const judge::v1::WatchSubmissionRequest& req,
      EventFeed::Deliver deliver, EventFeed::Broken broken) const;
  absl::StatusOr<std::unique_ptr<EventFeed>> RunLive(const Principal& who,
                                                     const judge::v1::RunLiveRequest& req,
                                                     EventFeed::Deliver deliver,
                                                     EventFeed::Broken broken = nullptr);

 private:
  // Subscribes a feed for `who` to submission `id`: its history then live events, or the
  // stored FINISHED submission.
  absl::StatusOr<std::unique_ptr<EventFeed>> OpenFeed(const Principal& who, const std::string& id,
                                                      const std::string& challenge_id,
                                                      EventFeed::Deliver deliver) const;
  ApiContext* ctx_;
  const Reads* reads_;
  const Submissions* submissions_;
  Sessions* sessions_;  // a run in a session is shown on its pad
};

}  // namespace judge
