#include "judge/api/engine.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "judge/api/backoff.h"
#include "judge/api/log.h"
#include "judge/core/similarity.h"

namespace judge {
namespace {

GradeRequest ReferenceRequest(std::shared_ptr<const LoadedChallenge> challenge,
                              const std::string& language, const std::string& source,
                              const std::atomic<bool>* cancel) {
  GradeRequest request;
  request.challenge = std::move(challenge);
  request.language = language;
  request.source = source;
  request.cancel = cancel;
  return request;
}

}  // namespace

Engine::Engine(Store* store, Grader* grader, const Catalog* challenges, Hub* hub, Metrics* metrics,
               EngineOptions options)
    : store_(store),
      grader_(grader),
      challenges_(challenges),
      hub_(hub),
      metrics_(metrics),
      options_(options) {}

Engine::~Engine() { Stop(); }

namespace {
// Live runs and candidates' practice runs share the live queue, stay on this node and can be
// stopped by their client.
bool IsLive(judge::v1::SubmissionMode mode) {
  return mode == judge::v1::SUBMISSION_MODE_LIVE || mode == judge::v1::SUBMISSION_MODE_PRACTICE;
}
}  // namespace

void Engine::Cancel(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stops_.find(id);
  if (it != stops_.end()) it->second->store(true);
  // Its key may start another run at once: a stopped run no longer counts as held.
  if (auto held = live_key_of_.find(id); held != live_key_of_.end()) {
    ReleaseKey(held->second);
    live_key_of_.erase(held);
  }
}

absl::Status Engine::Reserve(judge::v1::SubmissionMode mode, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return absl::UnavailableError("the judge is shutting down");
  if (IsLive(mode)) {
    if (live_.size() + live_reserved_ >= options_.live_queue_limit) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the live queue is full (", options_.live_queue_limit, " runs); retry in a moment"));
    }
    if (!key.empty() && live_by_key_[key] >= options_.live_runs_per_key) {
      return absl::ResourceExhaustedError(
          absl::StrCat("this key already has ", options_.live_runs_per_key,
                       " runs queued or running; stop one or wait for it to finish"));
    }
    if (!key.empty()) ++live_by_key_[key];
    ++live_reserved_;
    return absl::OkStatus();
  }
  if (take_home_.size() + reserved_ >= options_.queue_limit) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the queue is full (", options_.queue_limit, " submissions); retry later"));
  }
  ++reserved_;
  return absl::OkStatus();
}

void Engine::Release(judge::v1::SubmissionMode mode, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t& counter = IsLive(mode) ? live_reserved_ : reserved_;
  if (counter > 0) --counter;
  if (IsLive(mode) && !key.empty()) ReleaseKey(key);
}

void Engine::ReleaseKey(const std::string& key) {
  auto it = live_by_key_.find(key);
  if (it != live_by_key_.end() && --it->second == 0) live_by_key_.erase(it);
}

absl::Status Engine::Push(const judge::v1::Submission& submission, bool reserved) {
  const bool live = IsLive(submission.mode());
  // In a cluster a take-home submission goes to the shared queue: any node's workers take it
  // and the result comes back to us (ApplyResult).
  const bool shared = options_.cluster != nullptr && !live;
  if (shared) {
    int attempt = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (reserved && reserved_ > 0) --reserved_;
      auto again = rejudged_.find(submission.id());
      if (again != rejudged_.end()) attempt = again->second;
    }
    if (absl::Status s = options_.cluster->Enqueue(submission, attempt); !s.ok()) return s;
  }
  judge::v1::SubmissionEvent queued;
  queued.set_submission_id(submission.id());
  queued.set_state(judge::v1::SUBMISSION_STATE_QUEUED);
  hub_->Publish(queued);
  if (shared) return absl::OkStatus();
  {
    std::lock_guard<std::mutex> lock(mu_);
    size_t& counter = live ? live_reserved_ : reserved_;
    if (reserved && counter > 0) --counter;
    const auto now = std::chrono::steady_clock::now();
    if (live) {
      stops_.try_emplace(submission.id(), std::make_shared<std::atomic<bool>>(false));
      const std::string& key = submission.submitted_by();
      if (!key.empty() && live_key_of_.emplace(submission.id(), key).second && !reserved) {
        ++live_by_key_[key];  // requeued at a start: held as well
      }
      live_.push_back(submission);
      live_since_.push_back(now);
    } else {
      take_home_.push_back(submission);
      take_home_since_.push_back(now);
    }
    metrics_->SetQueueDepth(static_cast<int64_t>(live_.size() + take_home_.size()));
  }
  cv_.notify_all();  // a live-only worker may be the one to take it
  return absl::OkStatus();
}

void Engine::QueueLater(const judge::v1::Submission& submission, const absl::Status& why) {
  // Cluster, NATS unreachable: RejudgeLoop queues it again in 2 s.
  spdlog::error("submission={} not queued yet: {}", submission.id(), std::string(why.message()));
  {
    std::lock_guard<std::mutex> lock(mu_);
    rejudge_.emplace(std::chrono::steady_clock::now() + std::chrono::seconds(2), submission);
  }
  cv_.notify_all();
}

absl::Status Engine::Start() {
  absl::StatusOr<std::vector<judge::v1::Submission>> pending = store_->Pending();
  if (!pending.ok()) return pending.status();
  for (judge::v1::Submission& s : *pending) {
    s.set_state(judge::v1::SUBMISSION_STATE_QUEUED);
    s.clear_tests();
    spdlog::info("submission={} requeued after restart", s.id());
    if (absl::Status q = Push(s, false); !q.ok()) QueueLater(s, q);
  }
  if (options_.cluster != nullptr) {
    options_.cluster->ReceiveResults(
        [this](const judge::v1::SubmissionEvent& e) { return ApplyResult(e); });
  }
  rejudger_ = std::thread([this] { RejudgeLoop(); });
  measurer_ = std::thread([this] { MeasureLoop(); });
  if (options_.retain_sources.count() > 0) retention_ = std::thread([this] { RetentionLoop(); });
  for (int i = 0; i < options_.workers; ++i) {
    if (options_.cluster != nullptr) {
      workers_.emplace_back([this] { WorkShared(); });
    } else {
      workers_.emplace_back([this] { Work(false); });
    }
  }
  for (int i = 0; i < options_.live_workers; ++i) workers_.emplace_back([this] { Work(true); });
  return absl::OkStatus();
}

void Engine::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  // Running tests get stop_grace to finish; then gradings stop between tests (the running test
  // ends within its own time limit) and stay pending for the next start.
  std::thread grace([this] {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, options_.stop_grace, [&] { return workers_.empty(); })) {
      cancel_ = true;
    }
  });
  for (std::thread& t : workers_) t.join();
  if (rejudger_.joinable()) rejudger_.join();
  if (measurer_.joinable()) measurer_.join();
  if (retention_.joinable()) retention_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers_.clear();
  }
  cv_.notify_all();
  grace.join();
}

absl::StatusOr<std::string> Engine::ReferenceSource(const std::string& challenge_id,
                                                    const std::string& language) const {
  std::shared_ptr<const LoadedChallenge> ch = challenges_->Find(challenge_id);
  const Language* lang = FindLanguage(language);
  if (ch == nullptr || lang == nullptr) {
    return absl::NotFoundError(absl::StrCat("no challenge ", challenge_id, " in ", language));
  }
  const std::string& name = lang->source_name;
  return ReadTextFile(absl::StrCat(ch->dir, "/solutions/reference", name.substr(name.rfind('.'))));
}

std::vector<uint32_t> Engine::ReferenceCpu(const std::string& challenge_id,
                                           const std::string& language) {
  std::lock_guard<std::mutex> lock(mu_);
  const ReferenceKey key{challenge_id, language};
  auto it = reference_cpu_.find(key);
  if (it != reference_cpu_.end()) return it->second;
  if (reference_asked_.insert(key).second) {
    to_measure_.push_back([this, key] {
      // The challenge's own reference in that language, judged like a submission (not stored).
      absl::StatusOr<std::string> source = ReferenceSource(key.first, key.second);
      if (!source.ok()) return;
      std::shared_ptr<const LoadedChallenge> ch = challenges_->Find(key.first);
      if (ch == nullptr) return;
      std::vector<uint32_t> cpu;
      judge::v1::Submission out;
      absl::Status s =
          grader_->Grade(ReferenceRequest(ch, key.second, *source, &cancel_), nullptr, &out);
      if (!s.ok() || out.verdict() != judge::v1::VERDICT_ACCEPTED) return;
      for (const judge::v1::TestResult& t : out.tests()) cpu.push_back(t.cpu_ms());
      spdlog::info("reference of {} in {} measured: {} tests", key.first, key.second,
                   out.tests_size());
      std::lock_guard<std::mutex> inner(mu_);
      reference_cpu_[key] = std::move(cpu);
    });
    cv_.notify_all();
  }
  return {};
}

std::optional<Growth> Engine::SubmissionGrowth(const judge::v1::Submission& submission) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string key = "submission:" + submission.id();
  auto it = growth_.find(key);
  if (it != growth_.end()) return it->second;
  growth_[key] = std::nullopt;
  std::shared_ptr<const LoadedChallenge> challenge = challenges_->Find(submission.challenge_id());
  if (challenge == nullptr) return std::nullopt;
  const std::string language = submission.language(), source = submission.source();
  to_measure_.push_back([this, key, challenge, language, source] {
    absl::StatusOr<Growth> g = grader_->MeasureGrowth(*challenge, language, source);
    Growth result;
    if (g.ok()) {
      result = *g;
    } else {
      result.note = std::string(g.status().message());
    }
    std::lock_guard<std::mutex> inner(mu_);
    growth_[key] = result;
  });
  cv_.notify_all();
  return std::nullopt;
}

std::optional<Growth> Engine::ReferenceGrowth(const std::string& challenge_id,
                                              const std::string& language) {
  if (challenges_->Find(challenge_id) == nullptr || FindLanguage(language) == nullptr) {
    return std::nullopt;
  }
  absl::StatusOr<std::string> source = ReferenceSource(challenge_id, language);
  if (!source.ok()) {
    Growth none;
    none.note = "the challenge has no reference in " + language;
    return none;
  }
  judge::v1::Submission reference;
  reference.set_id(absl::StrCat("reference:", challenge_id, ":", language));
  reference.set_challenge_id(challenge_id);
  reference.set_language(language);
  reference.set_source(*source);
  return SubmissionGrowth(reference);
}

void Engine::RetentionLoop() {
  const auto every = std::clamp<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.retain_sources) / 4,
      std::chrono::milliseconds(200), std::chrono::hours(1));
  do {
    absl::StatusOr<std::vector<judge::v1::Submission>> dropped =
        store_->DropSources(std::chrono::system_clock::now() - options_.retain_sources);
    if (!dropped.ok()) {
      spdlog::error("retention: {}", std::string(dropped.status().message()));
      continue;
    }
    for (const judge::v1::Submission& s : *dropped) ForgetSource(s.language(), s.source());
    if (!dropped->empty()) {
      spdlog::info("retention: dropped the sources of {} submissions older than {} s",
                   dropped->size(), options_.retain_sources.count());
    }
  } while (SleepUnlessStopping(every));
}

void Engine::MeasureLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait(lock, [&] { return stopping_ || !to_measure_.empty(); });
    if (stopping_) return;
    std::function<void()> job = std::move(to_measure_.front());
    to_measure_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

void Engine::IndexSimilarity(const judge::v1::Submission& submission) {
  // Pairs are kept from this score; ListSimilarSubmissions filters further (default 0.5).
  constexpr double kKeepFrom = 0.3;
  std::lock_guard<std::mutex> lock(similarity_mu_);
  if (store_->HasFingerprints(submission.id())) return;  // judged again: indexed already
  const std::vector<Fingerprint> prints = Fingerprints(submission.language(), submission.source());
  std::set<uint64_t> distinct;
  for (const Fingerprint& f : prints) distinct.insert(f.hash);
  std::vector<std::string> hashes;
  for (uint64_t h : distinct) {
    std::string key(8, '\0');
    for (int i = 0; i < 8; ++i) key[i] = static_cast<char>((h >> (56 - 8 * i)) & 0xff);
    hashes.push_back(key);
  }
  absl::StatusOr<std::vector<std::pair<std::string, int>>> sharing =
      store_->SharingFingerprints(submission.challenge_id(), submission.language(), hashes);
  if (!sharing.ok()) {
    spdlog::error("submission={} similarity: {}", submission.id(),
                  std::string(sharing.status().message()));
    return;
  }
  for (const auto& [other_id, shared] : *sharing) {
    if (other_id == submission.id() || shared == 0) continue;
    absl::StatusOr<judge::v1::Submission> other = store_->Get(other_id);
    absl::StatusOr<std::string> other_prints = store_->GetFingerprints(other_id);
    if (!other.ok() || !other_prints.ok() || other->candidate_id() == submission.candidate_id()) {
      continue;
    }
    const Match m = Compare(DecodeFingerprints(*other_prints), prints);
    if (m.score < kKeepFrom) continue;
    judge::v1::SimilarPair pair;
    pair.set_challenge_id(submission.challenge_id());
    pair.set_language(submission.language());
    pair.set_submission_a(other->id());
    pair.set_candidate_a(other->candidate_id());
    pair.set_submission_b(submission.id());
    pair.set_candidate_b(submission.candidate_id());
    pair.set_score(m.score);
    auto add_ranges = [](const std::vector<LineRange>& ranges,
                         google::protobuf::RepeatedPtrField<judge::v1::LineRange>* out) {
      for (const LineRange& r : ranges) {
        judge::v1::LineRange* range = out->Add();
        range->set_first(r.first);
        range->set_last(r.last);
      }
    };
    add_ranges(m.lines_a, pair.mutable_lines_a());
    add_ranges(m.lines_b, pair.mutable_lines_b());
    if (absl::Status s = store_->PutSimilarPair(pair); !s.ok()) {
      spdlog::error("submission={} similarity: {}", submission.id(), std::string(s.message()));
    } else {
      spdlog::info("submission={} resembles {} (candidate {}): score {:.2f}", submission.id(),
                   other->id(), other->candidate_id(), m.score);
    }
  }
  if (absl::Status s = store_->PutFingerprints(submission, hashes, EncodeFingerprints(prints));
      !s.ok()) {
    spdlog::error("submission={} similarity: {}", submission.id(), std::string(s.message()));
    return;
  }
  spdlog::info("submission={} fingerprinted: {} fingerprints, compared with {} others",
               submission.id(), prints.size(), sharing->size());
}

bool Engine::SleepUnlessStopping(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, delay, [&] { return stopping_; });
}

void Engine::RejudgeLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (rejudge_.empty()) {
      cv_.wait(lock, [&] { return stopping_ || !rejudge_.empty(); });
      continue;
    }
    auto first = rejudge_.begin();
    if (cv_.wait_until(lock, first->first,
                       [&] {
                         return stopping_ ||
                                (!rejudge_.empty() &&
                                 rejudge_.begin()->first <= std::chrono::steady_clock::now());
                       }) &&
        !stopping_) {
      judge::v1::Submission s = std::move(rejudge_.begin()->second);
      rejudge_.erase(rejudge_.begin());
      spdlog::info("submission={} judged again after a judge failure", s.id());
      s.set_state(judge::v1::SUBMISSION_STATE_QUEUED);
      s.clear_tests();
      s.clear_verdict();
      s.clear_message();
      lock.unlock();
      if (absl::Status q = Push(s, false); !q.ok()) QueueLater(s, q);
      lock.lock();
    }
  }
}

size_t Engine::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return live_.size() + take_home_.size();
}

void Engine::Work(bool live_only) {
  for (;;) {
    judge::v1::Submission next;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock,
               [&] { return stopping_ || !live_.empty() || (!live_only && !take_home_.empty()); });
      if (stopping_) return;  // queued work stays pending in the store
      // Live runs first, but never while a take-home submission has waited past the bound.
      const auto now = std::chrono::steady_clock::now();
      const bool live =
          !live_.empty() && (live_only || take_home_.empty() ||
                             now - take_home_since_.front() < options_.take_home_wait_bound);
      std::deque<judge::v1::Submission>& q = live ? live_ : take_home_;
      std::deque<std::chrono::steady_clock::time_point>& since =
          live ? live_since_ : take_home_since_;
      next = std::move(q.front());
      metrics_->AddQueueWait(live ? "live" : "take_home",
                             std::chrono::duration<double>(now - since.front()).count());
      q.pop_front();
      since.pop_front();
      metrics_->SetQueueDepth(static_cast<int64_t>(live_.size() + take_home_.size()));
    }
    Judge(std::move(next));
  }
}

void Engine::Judge(judge::v1::Submission submission) {
  const std::string id = submission.id();
  bool stopped = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = stops_.find(id);
    stopped = found != stops_.end() && found->second->load();
  }
  if (stopped) {  // its client left while it waited: not even compiled
    submission.set_verdict(judge::v1::VERDICT_CANCELLED);
    Complete(std::move(submission), absl::OkStatus());
    return;
  }
  absl::Status status = Grade(&submission, [&](judge::v1::SubmissionEvent event) {
    event.set_submission_id(id);
    hub_->Publish(event);
  });
  if (absl::IsCancelled(status)) {
    // Shutting down: the submission stays pending in the store and is judged at the next start.
    spdlog::info("submission={} left for the next start (shutting down)", id);
    return;
  }
  Complete(std::move(submission), status);
}

absl::Status Engine::Grade(judge::v1::Submission* submission,
                           const std::function<void(judge::v1::SubmissionEvent)>& publish) {
  const std::string id = submission->id();
  // At least the version it was submitted on (a cluster node that has an older one fetches it).
  std::shared_ptr<const LoadedChallenge> challenge =
      challenges_->FindAtLeast(submission->challenge_id(), submission->challenge_version());
  if (challenge == nullptr) {
    return absl::InternalError("challenge " + submission->challenge_id() + " is no longer loaded");
  }
  // An imported challenge: judged on its current version, which the submission records.
  submission->set_challenge_version(challenge->manifest.version());
  GradeRequest request;
  request.challenge = challenge;
  request.language = submission->language();
  request.source = submission->source();
  request.files = submission->files();
  request.use_custom_stdin = submission->use_custom_stdin();
  request.custom_stdin = submission->custom_stdin();
  request.samples_only =
      submission->samples_only() || submission->mode() == judge::v1::SUBMISSION_MODE_PRACTICE;
  request.cancel = &cancel_;
  std::shared_ptr<std::atomic<bool>> stop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = stops_.find(id);
    if (found != stops_.end()) stop = found->second;
  }
  request.stop = stop.get();
  // A failure of the host is retried with backoff before it can become a verdict.
  absl::Status status;
  for (int attempt = 0;; ++attempt) {
    submission->clear_tests();
    status = grader_->Grade(
        request,
        [&](const judge::v1::SubmissionEvent& e) {
          submission->set_state(e.state() == judge::v1::SUBMISSION_STATE_COMPILING
                                    ? judge::v1::SUBMISSION_STATE_COMPILING
                                    : judge::v1::SUBMISSION_STATE_RUNNING);
          publish(e);
        },
        submission);
    if (status.ok() || absl::IsCancelled(status) || attempt >= options_.host_retries) break;
    // 0.25 s, 1 s, 4 s, ...
    const auto backoff = Backoff(std::chrono::milliseconds(250), 4, attempt, std::chrono::hours(1));
    spdlog::error("submission={} attempt {} failed on the host ({}); again in {} ms", id,
                  attempt + 1, std::string(status.message()), backoff.count());
    metrics_->AddSandboxFailure();
    if (!SleepUnlessStopping(backoff)) return absl::CancelledError("shutting down");
  }
  return status;
}

void Engine::Complete(judge::v1::Submission submission, const absl::Status& status) {
  const std::string id = submission.id();
  Store::Verdict verdict = Store::Verdict::kFinal;
  if (!status.ok()) {
    spdlog::error("submission={} internal error: {}", id, std::string(status.message()));
    metrics_->AddSandboxFailure();
    submission.set_verdict(judge::v1::VERDICT_INTERNAL_ERROR);
    submission.set_message(std::string(status.message()).substr(0, 500));
    std::lock_guard<std::mutex> lock(mu_);
    int& times = rejudged_[id];
    if (times < options_.max_rejudges) {
      // Never the final word on a candidate: judged again when the cause may be gone.
      verdict = Store::Verdict::kJudgeAgain;
      const auto delay = Backoff(options_.rejudge_delay, 2, times, std::chrono::minutes(10));
      ++times;
      judge::v1::Submission again = submission;
      rejudge_.emplace(std::chrono::steady_clock::now() + delay, again);
      cv_.notify_all();
    }
  } else {
    std::lock_guard<std::mutex> lock(mu_);
    rejudged_.erase(id);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stops_.erase(id);
    if (auto held = live_key_of_.find(id); held != live_key_of_.end()) {
      ReleaseKey(held->second);
      live_key_of_.erase(held);
    }
  }
  submission.set_state(judge::v1::SUBMISSION_STATE_FINISHED);
  *submission.mutable_finished_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
  // A final take-home verdict goes to the submitter's webhook, queued with the verdict itself.
  std::string notify;
  if (verdict == Store::Verdict::kFinal && options_.webhooks != nullptr &&
      submission.mode() == judge::v1::SUBMISSION_MODE_TAKE_HOME &&
      options_.webhooks->Find(submission.submitted_by()) != nullptr) {
    notify = submission.submitted_by();
  }
  absl::Status stored = store_->Finish(submission, verdict, notify);
  if (stored.ok() && !notify.empty() && options_.on_outbox) options_.on_outbox();
  if (!stored.ok()) {
    // Still pending in the store: judged again at the next start.
    spdlog::error("submission={} storing the verdict failed: {}", id,
                  std::string(stored.message()));
  }
  double latency = static_cast<double>(google::protobuf::util::TimeUtil::DurationToMilliseconds(
                       submission.finished_at() - submission.created_at())) /
                   1000.0;
  metrics_->AddSubmission(submission.verdict(), latency);
  spdlog::info("submission={} challenge={} language={} verdict={} score={}/{} latency_ms={:.0f}",
               id, submission.challenge_id(), submission.language(),
               judge::v1::Verdict_Name(submission.verdict()), submission.score(),
               submission.max_score(), latency * 1000);
  judge::v1::SubmissionEvent done;
  done.set_submission_id(id);
  done.set_state(judge::v1::SUBMISSION_STATE_FINISHED);
  done.set_tests_total(static_cast<uint32_t>(submission.tests_size()));
  judge::v1::Submission visible = submission;
  visible.clear_source();
  *done.mutable_submission() = visible;
  hub_->Publish(done);
  // For interviewers' reports, after the verdict is out: nobody waits on these.
  if (submission.mode() == judge::v1::SUBMISSION_MODE_TAKE_HOME) {
    IndexSimilarity(submission);
    ReferenceCpu(submission.challenge_id(), submission.language());  // measured once
  }
}

void Engine::WorkShared() {
  ClusterLink* cluster = options_.cluster;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    std::unique_ptr<Job> job = cluster->NextJob(std::chrono::milliseconds(1000));
    if (job == nullptr) continue;
    judge::v1::Submission submission = job->submission();
    const std::string id = submission.id();
    spdlog::info("submission={} taken from the shared queue (owner {})", id, OwnerOf(id));
    metrics_->AddJobTaken();
    // The lease is renewed every second while grading (leases are several seconds at least:
    // a renewal that came as the lease ran out would let another node judge it again).
    std::mutex lease_mu;
    std::condition_variable lease_cv;
    bool graded = false;
    std::thread keeper([&] {
      std::unique_lock<std::mutex> lock(lease_mu);
      while (!lease_cv.wait_for(lock, std::chrono::seconds(1), [&] { return graded; })) {
        job->KeepLeased();
      }
    });
    auto send = [&](const judge::v1::SubmissionEvent& event) {
      // A lost progress event only costs a watcher a row; the final one is retried below.
      if (absl::Status s = cluster->SendResult(event); !s.ok()) {
        spdlog::warn("submission={} progress not sent: {}", id, std::string(s.message()));
      }
    };
    absl::Status status = Grade(&submission, [&](judge::v1::SubmissionEvent event) {
      event.set_submission_id(id);
      send(event);
    });
    {
      std::lock_guard<std::mutex> lock(lease_mu);
      graded = true;
    }
    lease_cv.notify_all();
    keeper.join();
    if (absl::IsCancelled(status)) {
      job->Retry();  // another node judges it
      spdlog::info("submission={} handed back to the shared queue (shutting down)", id);
      return;
    }
    judge::v1::SubmissionEvent done;
    done.set_submission_id(id);
    done.set_state(judge::v1::SUBMISSION_STATE_FINISHED);
    if (!status.ok()) {
      submission.set_verdict(judge::v1::VERDICT_INTERNAL_ERROR);
      submission.set_message(std::string(status.message()).substr(0, 500));
    }
    submission.clear_source();
    *done.mutable_submission() = submission;
    // Acknowledged only once the result is durable in the owner's stream: a node dying in
    // between lets the job be judged again, and the owner keeps the first result.
    absl::Status sent;
    for (int attempt = 0; attempt < 20; ++attempt) {
      sent = cluster->SendResult(done);
      if (sent.ok() || !SleepUnlessStopping(std::chrono::milliseconds(500))) break;
    }
    if (!sent.ok()) {
      spdlog::error("submission={} result not sent ({}); left to another node", id,
                    std::string(sent.message()));
      continue;  // the lease runs out and the job comes again
    }
    if (absl::Status s = job->Done(); !s.ok()) {
      spdlog::warn("submission={} ack failed ({}); the owner ignores a second result", id,
                   std::string(s.message()));
    }
  }
}

absl::Status Engine::ApplyResult(const judge::v1::SubmissionEvent& event) {
  const std::string& id = event.submission_id();
  absl::StatusOr<judge::v1::Submission> stored = store_->Get(id);
  if (absl::IsNotFound(stored.status())) return absl::OkStatus();  // erased meanwhile
  if (!stored.ok()) return stored.status();
  if (stored->state() == judge::v1::SUBMISSION_STATE_FINISHED &&
      stored->verdict() != judge::v1::VERDICT_INTERNAL_ERROR) {
    return absl::OkStatus();  // judged twice (a lease ran out): the first result stands
  }
  if (event.state() != judge::v1::SUBMISSION_STATE_FINISHED) {
    hub_->Publish(event);  // progress for watchers
    return absl::OkStatus();
  }
  judge::v1::Submission graded = event.submission();
  graded.set_source(stored->source());
  graded.set_state(judge::v1::SUBMISSION_STATE_RUNNING);
  absl::Status status;
  if (graded.verdict() == judge::v1::VERDICT_INTERNAL_ERROR) {
    status = absl::InternalError(graded.message());
  }
  Complete(std::move(graded), status);
  return absl::OkStatus();
}

void Engine::ForgetSource(const std::string& language, const std::string& source) {
  const Language* lang = FindLanguage(language);
  if (lang != nullptr) grader_->compiler()->Forget(*lang, source);
  // A class form compiles the same source as another program: its entries go too.
  for (const auto& [id, ch] : *challenges_->All()) {
    if (auto it = ch->harness_languages.find(language); it != ch->harness_languages.end()) {
      grader_->compiler()->Forget(it->second, source);
    }
  }
}

}  // namespace judge
