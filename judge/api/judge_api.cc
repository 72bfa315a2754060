#include "judge/api/judge_api.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "judge/core/language.h"

namespace judge {

JudgeApi::JudgeApi(const KeyStore* keys, const Catalog* challenges, Store* store, Engine* engine,
                   Hub* hub, Metrics* metrics, ApiOptions options)
    : ctx_(keys, challenges, store, engine, hub, metrics, options) {}

absl::StatusOr<Principal> JudgeApi::Authenticate(bool present,
                                                 std::string_view authorization) const {
  if (!present) {
    return absl::UnauthenticatedError("missing \"authorization: Bearer <token>\"");
  }
  if (authorization.size() > 1024) {
    return absl::UnauthenticatedError(
        absl::StrCat("the authorization value is ", authorization.size(),
                     " bytes; a bearer token is a few dozen characters"));
  }
  std::optional<Principal> p = ctx_.keys->Authenticate(std::string(authorization));
  if (!p) return absl::UnauthenticatedError("unknown or malformed bearer token");
  return *p;
}

absl::StatusOr<Principal> JudgeApi::AuthenticatePeer(std::string_view assertion,
                                                     std::string_view mac,
                                                     bool client_certificate_verified) const {
  if (ctx_.trust == nullptr) {
    return absl::UnauthenticatedError(
        "a node-to-node call, and this judged is not a node of a cluster");
  }
  return ctx_.trust->Accept(*ctx_.keys, assertion, mac, client_certificate_verified,
                            std::chrono::system_clock::now());
}

absl::StatusOr<judge::v1::ListLanguagesResponse> JudgeApi::ListLanguages(const Principal&) const {
  judge::v1::ListLanguagesResponse resp;
  for (const Language& l : Languages()) {
    judge::v1::LanguageInfo* info = resp.add_languages();
    info->set_id(l.id);
    info->set_name(l.name);
    info->set_display(l.display);
    *info->mutable_extensions() = {l.extensions.begin(), l.extensions.end()};
    info->set_editor_mode(l.editor_mode);
    info->set_starter(l.starter);
  }
  return resp;
}

absl::StatusOr<judge::v1::Caller> JudgeApi::WhoAmI(const Principal& who) const {
  judge::v1::Caller caller;
  switch (who.role) {
    case Role::kCandidate:
      caller.set_role(judge::v1::ROLE_CANDIDATE);
      break;
    case Role::kInterviewer:
      caller.set_role(judge::v1::ROLE_INTERVIEWER);
      break;
    case Role::kPlatform:
      caller.set_role(judge::v1::ROLE_PLATFORM);
      break;
    case Role::kAdmin:
      caller.set_role(judge::v1::ROLE_ADMIN);
      break;
  }
  caller.set_candidate_id(who.candidate_id);
  caller.set_key_id(who.key_id);
  return caller;
}

absl::StatusOr<judge::v1::ListChallengesResponse> JudgeApi::ListChallenges(const Principal&) const {
  judge::v1::ListChallengesResponse resp;
  for (const auto& [id, ch] : *ctx_.challenges->All()) {
    judge::v1::ChallengeSummary* s = resp.add_challenges();
    s->set_id(id);
    s->set_title(ch->manifest.title());
    s->set_version(ch->manifest.version());
    s->set_summary(ch->manifest.summary());
    *s->mutable_languages() = ch->manifest.languages();
  }
  return resp;
}

absl::StatusOr<judge::v1::ChallengeDetail> JudgeApi::GetChallenge(
    const Principal&, const judge::v1::GetChallengeRequest& req) const {
  // Find, not a look in All(): in a cluster a challenge imported through another node is
  // fetched the first time it is asked for.
  const std::shared_ptr<const LoadedChallenge> found = ctx_.challenges->Find(req.challenge_id());
  if (found == nullptr) {
    std::vector<std::string> ids;
    for (const auto& [id, ch] : *ctx_.challenges->All()) ids.push_back(id);
    return absl::NotFoundError(absl::StrCat("no challenge \"", req.challenge_id().substr(0, 80),
                                            "\" (known: ", absl::StrJoin(ids, ", "), ")"));
  }
  const LoadedChallenge& ch = *found;
  judge::v1::ChallengeDetail resp;
  judge::v1::ChallengeSummary* s = resp.mutable_summary();
  s->set_id(ch.manifest.id());
  s->set_title(ch.manifest.title());
  s->set_version(ch.manifest.version());
  s->set_summary(ch.manifest.summary());
  *s->mutable_languages() = ch.manifest.languages();
  resp.set_statement(ch.statement);
  resp.set_max_source_bytes(static_cast<uint32_t>(ctx_.options.max_source_bytes));
  auto fill = [](const LoadedChallenge::RunLimits& l, judge::v1::LimitsView* out) {
    out->set_cpu_time_ms(static_cast<uint32_t>(l.cpu_time_ms));
    out->set_wall_time_ms(static_cast<uint32_t>(l.wall_time_ms));
    out->set_memory_kib(l.memory_kib);
    out->set_output_kib(l.output_kib);
  };
  // The challenge's own limits (no language's multiplier), then each language's: computed where
  // the grader takes them from.
  const LoadedChallenge::RunLimits base = ch.LimitsFor("");
  fill(base, resp.mutable_limits());
  for (const std::string& language : ch.manifest.languages()) {
    judge::v1::LanguageLimits* ll = resp.add_language_limits();
    ll->set_language(language);
    fill(ch.LimitsFor(language), ll->mutable_limits());
    if (auto stub = ch.stubs.find(language); stub != ch.stubs.end()) {
      ll->set_stub(stub->second);
      ll->set_source_name(ch.LanguageFor(language)->source_name);
    }
  }
  resp.set_max_score(ch.max_score);
  uint32_t hidden = 0;
  for (const LoadedTest& t : ch.tests) {
    if (!t.sample) {
      ++hidden;  // never any of their data
      continue;
    }
    judge::v1::SampleTest* sample = resp.add_samples();
    sample->set_name(t.name);
    absl::StatusOr<std::string> in = ReadTextFile(t.input_path, 1 << 20);
    absl::StatusOr<std::string> ans = ReadTextFile(t.answer_path, 1 << 20);
    if (!in.ok() || !ans.ok()) return absl::InternalError("cannot read a sample test");
    sample->set_input(*in);
    sample->set_expected_output(*ans);
  }
  resp.set_hidden_tests(hidden);
  return resp;
}

absl::StatusOr<judge::v1::ImportChallengeResponse> JudgeApi::ImportChallenge(
    const Principal& who, const ImportRequest& req) {
  if (imports_ == nullptr) return absl::UnavailableError("this judge takes no imports");
  absl::StatusOr<judge::v1::ImportChallengeResponse> resp = imports_->Import(who, req);
  if (!resp.ok()) return resp;
  // Import names the challenge in the summary; the rest as GetChallenge shows it.
  judge::v1::GetChallengeRequest get;
  get.set_challenge_id(resp->challenge().summary().id());
  absl::StatusOr<judge::v1::ChallengeDetail> detail = GetChallenge(who, get);
  if (detail.ok()) *resp->mutable_challenge() = *std::move(detail);
  return resp;
}

absl::StatusOr<judge::v1::RejudgeChallengeResponse> JudgeApi::RejudgeChallenge(
    const Principal& who, const judge::v1::RejudgeChallengeRequest& req) {
  if (imports_ == nullptr) return absl::UnavailableError("this judge cannot re-judge");
  return imports_->Rejudge(who, req);
}

}  // namespace judge
