#include "judge/api/live_runs.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "judge/api/log.h"
#include "judge/api/views.h"

namespace judge {

using judge::v1::SubmissionEvent;

absl::StatusOr<std::unique_ptr<EventFeed>> LiveRuns::OpenFeed(const Principal& who,
                                                              const std::string& id,
                                                              const std::string& challenge_id,
                                                              EventFeed::Deliver deliver) const {
  std::function<void(SubmissionEvent*)> view = EventViewFor(*ctx_->challenges, who, challenge_id);
  auto relay = std::make_shared<EventFeed::Relay>(std::move(deliver), std::move(view));
  std::unique_ptr<EventFeed> feed(new EventFeed(ctx_->hub, id, relay));
  if (ctx_->hub->Subscribe(id, relay)) return feed;
  // Not being judged: it finished (or finished between our read and now).
  absl::StatusOr<judge::v1::Submission> now = ctx_->store->Get(id);
  if (now.ok() && now->state() == judge::v1::SUBMISSION_STATE_FINISHED) {
    SubmissionEvent done;
    done.set_submission_id(now->id());
    done.set_state(judge::v1::SUBMISSION_STATE_FINISHED);
    done.set_tests_total(static_cast<uint32_t>(now->tests_size()));
    now->clear_source();
    *done.mutable_submission() = *std::move(now);
    relay->OnEvent(done);
    return feed;
  }
  return absl::UnavailableError("the submission is not queued yet; retry in a moment");
}

absl::StatusOr<std::unique_ptr<EventFeed>> LiveRuns::WatchSubmission(
    const Principal& who, const judge::v1::WatchSubmissionRequest& req, EventFeed::Deliver deliver,
    EventFeed::Broken broken) const {
  absl::StatusOr<std::string> remote = RemoteOwner(*ctx_, req.submission_id());
  if (!remote.ok()) return remote.status();
  if (!remote->empty()) {
    auto on_broken = [broken = std::move(broken), id = req.submission_id()](const absl::Status& s) {
      if (broken) broken(FromOwner(absl::StatusOr<bool>(s), id).status());
    };
    absl::StatusOr<std::function<void()>> stop =
        FromOwner(ctx_->peers->Watch(*remote, who, req, std::move(deliver), std::move(on_broken)),
                  req.submission_id());
    if (!stop.ok()) return stop.status();
    return std::unique_ptr<EventFeed>(new EventFeed(req.submission_id(), *std::move(stop)));
  }
  absl::StatusOr<judge::v1::Submission> s = reads_->ReadableSubmission(who, req.submission_id());
  if (!s.ok()) return s.status();
  return OpenFeed(who, s->id(), s->challenge_id(), std::move(deliver));
}

absl::StatusOr<std::unique_ptr<EventFeed>> LiveRuns::RunLive(const Principal& who,
                                                             const judge::v1::RunLiveRequest& req,
                                                             EventFeed::Deliver deliver,
                                                             EventFeed::Broken broken) {
  // A run in a session another node keeps is that node's: it runs there, beside the pad it
  // shows on, and its events come back through it.
  if (!req.session_id().empty()) {
    absl::StatusOr<std::string> remote = RemoteOwner(*ctx_, req.session_id(), "session");
    if (!remote.ok()) return remote.status();
    if (!remote->empty()) {
      auto on_broken = [broken = std::move(broken), id = req.session_id()](const absl::Status& s) {
        if (broken) broken(FromOwner(absl::StatusOr<bool>(s), id, "session").status());
      };
      absl::StatusOr<std::function<void()>> stop = FromOwner(
          ctx_->peers->RunLive(*remote, who, req, std::move(deliver), std::move(on_broken)),
          req.session_id(), "session");
      if (!stop.ok()) return stop.status();
      return std::unique_ptr<EventFeed>(new EventFeed(req.session_id(), *std::move(stop)));
    }
  }
  // A candidate's Run is practice before a graded Submit: the samples or their own input, on
  // the live queue, never a submission (never listed, graded or compared), at a rate of its own.
  const bool practice = who.role == Role::kCandidate;
  if (who.role == Role::kPlatform) {
    return absl::PermissionDeniedError("RunLive is for interviewers and candidates");
  }
  std::string candidate = req.candidate_id();
  if (practice) {
    if (!candidate.empty() && candidate != who.candidate_id) {
      return absl::PermissionDeniedError("a candidate may only run code as itself");
    }
    candidate = who.candidate_id;
  }
  if (!candidate.empty() && !ValidName(candidate, 128)) {
    return absl::InvalidArgumentError("candidate_id is malformed");
  }
  if (absl::Status s = submissions_->CheckCode(req.challenge_id(), req.language(), req.source());
      !s.ok()) {
    return s;
  }
  if (!req.session_id().empty()) {
    if (absl::Status s = sessions_->CheckRun(who, req.session_id(), req.challenge_id()); !s.ok()) {
      return s;
    }
  }

  if (req.custom_stdin().size() > ctx_->options.max_custom_stdin_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("custom_stdin is larger than ",
                                                   ctx_->options.max_custom_stdin_bytes, " bytes"));
  }
  if (!req.use_custom_stdin() && !req.custom_stdin().empty()) {
    return absl::InvalidArgumentError("custom_stdin is set but use_custom_stdin is not");
  }
  if (req.use_custom_stdin()) {
    std::shared_ptr<const LoadedChallenge> ch = ctx_->challenges->Find(req.challenge_id());
    if (ch != nullptr && ch->manifest.interactive()) {
      return absl::InvalidArgumentError(
          "an interactive challenge takes no custom input: the program talks with its validator");
    }
  }
  if (absl::Status s = practice ? ctx_->rates.Practice(who) : ctx_->rates.Submit(who); !s.ok())
    return s;
  const judge::v1::SubmissionMode mode =
      practice ? judge::v1::SUBMISSION_MODE_PRACTICE : judge::v1::SUBMISSION_MODE_LIVE;
  // Live runs have a queue of their own: a full take-home queue never refuses an interviewer.
  if (absl::Status s = ctx_->engine->Reserve(mode, who.key_id); !s.ok()) {
    ctx_->metrics->AddRejected(absl::StrContains(s.message(), "this key") ? "live_runs_per_key"
                                                                          : "live_queue_full");
    return s;
  }
  judge::v1::Submission sub = submissions_->NewSubmission(who, candidate, req.challenge_id(),
                                                          req.language(), req.source(), mode);
  sub.set_use_custom_stdin(req.use_custom_stdin());
  sub.set_custom_stdin(req.custom_stdin());
  sub.set_samples_only(practice || req.samples_only());
  if (sub.samples_only() || sub.use_custom_stdin()) sub.set_max_score(0);
  absl::StatusOr<Store::Created> created = ctx_->store->Create(sub, "");
  if (!created.ok()) {
    ctx_->engine->Release(mode, who.key_id);
    return created.status();
  }
  // Queued first (the hub keeps its history), then subscribed: the stream misses nothing, and
  // a run that already finished is answered from the store.
  (void)ctx_->engine->Push(sub, true);  // live runs stay local: never refused
  spdlog::info("submission={} {} challenge={} language={} key={}", sub.id(),
               practice ? "practice run" : "live run", sub.challenge_id(), sub.language(),
               who.key_id);
  absl::StatusOr<std::unique_ptr<EventFeed>> feed =
      OpenFeed(who, sub.id(), sub.challenge_id(), std::move(deliver));
  if (!feed.ok()) {
    ctx_->engine->Cancel(sub.id());
    return feed.status();
  }
  // Its client gone (the stream closed, the call cancelled), the run stops: it would hold a
  // worker for nobody.
  (*feed)->on_close_ = [engine = ctx_->engine, id = sub.id()] { engine->Cancel(id); };
  if (!req.session_id().empty()) sessions_->RunStarted(who, req.session_id(), sub);
  return feed;
}

}  // namespace judge
