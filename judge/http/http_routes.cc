#include "judge/http/http_routes.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "judge/http/json_body.h"

namespace judge {
namespace {

// A POST's body must say it is JSON when it says anything (but an import's, which is an
// archive).
absl::Status CheckJsonBody(const HttpRequest& req) {
  if (req.method != "POST" || !req.content_type) return absl::OkStatus();
  if (req.path == "/v1/challenges") return absl::OkStatus();
  std::string type = absl::AsciiStrToLower(*req.content_type);
  if (type.rfind("application/json", 0) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the body must be JSON (Content-Type: application/json), not ", type.substr(0, 60)));
  }
  return absl::OkStatus();
}

template <typename M>
absl::StatusOr<M> ParseBody(const HttpRequest& req) {
  if (absl::Status st = CheckJsonBody(req); !st.ok()) return st;
  return ParseJsonBody<M>(req.body);
}

// Query parameters: only `allowed`, each at most once.
absl::Status CheckParams(const HttpRequest& req, const std::vector<std::string>& allowed) {
  if (absl::Status st = CheckJsonBody(req); !st.ok()) return st;
  for (auto it = req.query.begin(); it != req.query.end(); it = req.query.upper_bound(it->first)) {
    const std::string& name = it->first;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown query parameter \"", name.substr(0, 40),
          "\" (known: ", allowed.empty() ? "none" : absl::StrJoin(allowed, ", "), ")"));
    }
    if (req.query.count(name) > 1) {
      return absl::InvalidArgumentError(absl::StrCat("query parameter \"", name, "\" is repeated"));
    }
  }
  return absl::OkStatus();
}

template <typename M>
absl::StatusOr<std::string> Json(const absl::StatusOr<M>& answer) {
  if (!answer.ok()) return answer.status();
  return ToJson(*answer);
}

std::vector<std::string> Segments(const std::string& path) { return absl::StrSplit(path, '/'); }

}  // namespace

template <typename M>
absl::StatusOr<std::string> ApiRoutes::JsonCache::Json(const absl::StatusOr<M>& answer) const {
  if (!answer.ok()) return answer.status();
  // Serializing is a small share of what printing JSON through reflection costs.
  std::string bytes;
  if (!answer->SerializeToString(&bytes)) return ToJson(*answer);
  std::lock_guard<std::mutex> lock(mu_);
  if (bytes != bytes_ || json_.empty()) {
    json_ = ToJson(*answer);
    bytes_ = std::move(bytes);
  }
  return json_;
}

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

std::string ErrorJson(absl::StatusCode code, const std::string& message) {
  google::protobuf::Struct body;
  (*body.mutable_fields())["code"].set_string_value(absl::StatusCodeToString(code));
  (*body.mutable_fields())["message"].set_string_value(message);
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(body, &json);
  return json;
}

HttpReply ErrorReply(const absl::Status& status) {
  HttpReply reply;
  reply.status = HttpStatusFor(status.code());
  reply.body = ErrorJson(status.code(), std::string(status.message()));
  if (reply.status == 401) reply.headers.emplace_back("WWW-Authenticate", "Bearer");
  return reply;
}

absl::StatusOr<uint32_t> ApiRoutes::PageSize(const Call& c) {
  if (c.req.query.count("page_size") == 0) return 0;
  uint32_t size = 0;
  if (!absl::SimpleAtoi(c.Param("page_size"), &size)) {
    return absl::InvalidArgumentError("page_size is not a number");
  }
  return size;
}

std::string ApiRoutes::Call::Param(const std::string& name) const {
  auto it = req.query.find(name);
  return it == req.query.end() ? std::string() : it->second;
}

void ApiRoutes::Add(std::string method, const std::string& path, std::vector<std::string> params,
                    std::function<absl::StatusOr<std::string>(const Call&)> unary, bool quick) {
  routes_.push_back(Route{std::move(method), Segments(path), std::move(params), std::move(unary),
                          nullptr, quick});
}

void ApiRoutes::AddStream(std::string method, const std::string& path,
                          std::function<absl::StatusOr<StreamOpener>(const Call&)> stream) {
  routes_.push_back(Route{std::move(method), Segments(path), {}, nullptr, std::move(stream)});
}

ApiRoutes::ApiRoutes(JudgeApi* api) : api_(api) {
  AddCatalogRoutes();
  AddSubmissionRoutes();
  AddSessionRoutes();
  AddStreamRoutes();
}

// Who the caller is; the languages and challenges.
void ApiRoutes::AddCatalogRoutes() {
  using namespace judge::v1;  // NOLINT: the request types
  JudgeApi* api = api_;
  // These three answer from memory (quick: on the door's I/O thread); the challenge list is
  // what a page and a platform poll most.
  Add(
      "GET", "/v1/whoami", {}, [api](const Call& c) { return Json(api->WhoAmI(c.who)); }, true);
  Add(
      "GET", "/v1/languages", {},
      [api, cache = &languages_json_](const Call& c) {
        return cache->Json(api->ListLanguages(c.who));
      },
      true);
  Add(
      "GET", "/v1/challenges", {},
      [api, cache = &challenges_json_](const Call& c) {
        return cache->Json(api->ListChallenges(c.who));
      },
      true);
  Add("GET", "/v1/challenges/{}", {}, [api](const Call& c) {
    GetChallengeRequest r;
    r.set_challenge_id(c.ids[0]);
    return Json(api->GetChallenge(c.who, r));
  });
  // An import: the body is the archive (.zip or .tar.gz) itself.
  Add("POST", "/v1/challenges", {"id", "strict", "file_name"}, [api](const Call& c) {
    ImportRequest r;
    r.archive = c.req.body;
    r.challenge_id = c.Param("id");
    r.strict = c.Param("strict") == "1" || c.Param("strict") == "true";
    r.file_name = c.Param("file_name");
    return Json(api->ImportChallenge(c.who, r));
  });
  Add("POST", "/v1/challenges/{}/rejudge", {}, [api](const Call& c) {
    RejudgeChallengeRequest r;
    r.set_challenge_id(c.ids[0]);
    return Json(api->RejudgeChallenge(c.who, r));
  });
  Add("GET", "/v1/challenges/{}/similar", {"candidate_id", "min_score"},
      [api](const Call& c) -> absl::StatusOr<std::string> {
        ListSimilarSubmissionsRequest r;
        r.set_challenge_id(c.ids[0]);
        r.set_candidate_id(c.Param("candidate_id"));
        if (c.req.query.count("min_score")) {
          double min_score = 0;
          if (!absl::SimpleAtod(c.Param("min_score"), &min_score)) {
            return absl::InvalidArgumentError("min_score is not a number");
          }
          r.set_min_score(min_score);
        }
        return Json(api->ListSimilarSubmissions(c.who, r));
      });
}

// Submissions: taking, reading, reports; a candidate's erasure and backups.
void ApiRoutes::AddSubmissionRoutes() {
  using namespace judge::v1;  // NOLINT: the request types
  JudgeApi* api = api_;
  Add("POST", "/v1/submissions", {}, [api](const Call& c) -> absl::StatusOr<std::string> {
    absl::StatusOr<SubmitRequest> r = ParseBody<SubmitRequest>(c.req);
    if (!r.ok()) return r.status();
    return Json(api->Submit(c.who, *r));
  });
  Add("GET", "/v1/submissions", {"candidate_id", "challenge_id", "page_size", "page_token"},
      [api](const Call& c) -> absl::StatusOr<std::string> {
        ListSubmissionsRequest r;
        r.set_candidate_id(c.Param("candidate_id"));
        r.set_challenge_id(c.Param("challenge_id"));
        r.set_page_token(c.Param("page_token"));
        absl::StatusOr<uint32_t> size = PageSize(c);
        if (!size.ok()) return size.status();
        r.set_page_size(*size);
        return Json(api->ListSubmissions(c.who, r));
      });
  Add("GET", "/v1/submissions/{}", {}, [api](const Call& c) {
    GetSubmissionRequest r;
    r.set_submission_id(c.ids[0]);
    return Json(api->GetSubmission(c.who, r));
  });
  Add("GET", "/v1/submissions/{}/report", {}, [api](const Call& c) {
    GetReportRequest r;
    r.set_submission_id(c.ids[0]);
    return Json(api->GetReport(c.who, r));
  });
  Add("DELETE", "/v1/candidates/{}", {}, [api](const Call& c) {
    EraseCandidateRequest r;
    r.set_candidate_id(c.ids[0]);
    return Json(api->EraseCandidate(c.who, r));
  });
  Add("POST", "/v1/admin/backup", {}, [api](const Call& c) -> absl::StatusOr<std::string> {
    absl::StatusOr<BackupRequest> r = ParseBody<BackupRequest>(c.req);
    if (!r.ok()) return r.status();
    return Json(api->Backup(c.who, *r));
  });
}

// Interview sessions (the pad itself is the WebSocket, in http_server.cc).
void ApiRoutes::AddSessionRoutes() {
  using namespace judge::v1;  // NOLINT: the request types
  JudgeApi* api = api_;
  Add("POST", "/v1/sessions", {}, [api](const Call& c) -> absl::StatusOr<std::string> {
    absl::StatusOr<CreateSessionRequest> r = ParseBody<CreateSessionRequest>(c.req);
    if (!r.ok()) return r.status();
    return Json(api->CreateSession(c.who, *r));
  });
  Add("GET", "/v1/sessions", {"candidate_id", "page_size", "page_token"},
      [api](const Call& c) -> absl::StatusOr<std::string> {
        ListSessionsRequest r;
        r.set_candidate_id(c.Param("candidate_id"));
        r.set_page_token(c.Param("page_token"));
        absl::StatusOr<uint32_t> size = PageSize(c);
        if (!size.ok()) return size.status();
        r.set_page_size(*size);
        return Json(api->ListSessions(c.who, r));
      });
  Add("GET", "/v1/sessions/{}", {}, [api](const Call& c) {
    GetSessionRequest r;
    r.set_session_id(c.ids[0]);
    return Json(api->GetSession(c.who, r));
  });
  Add("GET", "/v1/sessions/{}/timeline", {}, [api](const Call& c) {
    GetSessionTimelineRequest r;
    r.set_session_id(c.ids[0]);
    return Json(api->GetSessionTimeline(c.who, r));
  });
  Add("POST", "/v1/sessions/{}/end", {}, [api](const Call& c) {
    EndSessionRequest r;
    r.set_session_id(c.ids[0]);
    return Json(api->EndSession(c.who, r));
  });
  Add("POST", "/v1/sessions/{}/notes", {}, [api](const Call& c) -> absl::StatusOr<std::string> {
    absl::StatusOr<SetSessionNotesRequest> r = ParseBody<SetSessionNotesRequest>(c.req);
    if (!r.ok()) return r.status();
    if (!r->session_id().empty() && r->session_id() != c.ids[0]) {
      return absl::InvalidArgumentError("the body's sessionId is not the path's");
    }
    r->set_session_id(c.ids[0]);
    return Json(api->SetSessionNotes(c.who, *r));
  });
}

// The event streams: watching a submission, live and practice runs.
void ApiRoutes::AddStreamRoutes() {
  using namespace judge::v1;  // NOLINT: the request types
  JudgeApi* api = api_;
  AddStream("GET", "/v1/submissions/{}/events",
            [api](const Call& c) -> absl::StatusOr<StreamOpener> {
              WatchSubmissionRequest r;
              r.set_submission_id(c.ids[0]);
              Principal who = c.who;
              return StreamOpener([api, who, r](EventFeed::Deliver d, EventFeed::Broken b) {
                return api->WatchSubmission(who, r, std::move(d), std::move(b));
              });
            });
  AddStream("POST", "/v1/live", [api](const Call& c) -> absl::StatusOr<StreamOpener> {
    absl::StatusOr<RunLiveRequest> r = ParseBody<RunLiveRequest>(c.req);
    if (!r.ok()) return r.status();
    Principal who = c.who;
    return StreamOpener([api, who, req = *std::move(r)](EventFeed::Deliver d, EventFeed::Broken b) {
      return api->RunLive(who, req, std::move(d), std::move(b));
    });
  });
}

const ApiRoutes::Route* ApiRoutes::Match(const HttpRequest& req,
                                         std::vector<std::string>* ids) const {
  const std::vector<std::string> path = Segments(req.path);
  for (const Route& route : routes_) {
    if (route.method != req.method || route.pattern.size() != path.size()) continue;
    ids->clear();
    bool match = true;
    for (size_t i = 0; i < path.size() && match; ++i) {
      if (route.pattern[i] == "{}") {
        match = !path[i].empty();
        ids->push_back(path[i]);
      } else {
        match = route.pattern[i] == path[i];
      }
    }
    if (match) return &route;
  }
  return nullptr;
}

std::optional<RouteOutcome> ApiRoutes::HandleQuick(const HttpRequest& req) const {
  std::vector<std::string> ids;
  const Route* route = Match(req, &ids);
  if (route == nullptr || !route->quick) return std::nullopt;
  return Run(*route, std::move(ids), req);
}

RouteOutcome ApiRoutes::Handle(const HttpRequest& req) const {
  std::vector<std::string> ids;
  if (const Route* route = Match(req, &ids)) return Run(*route, std::move(ids), req);
  RouteOutcome out;
  out.reply = ErrorReply(absl::NotFoundError(
      absl::StrCat("no such route: ", req.method, " ", req.path.substr(0, 200))));
  return out;
}

RouteOutcome ApiRoutes::Run(const Route& route, std::vector<std::string> ids,
                            const HttpRequest& req) const {
  RouteOutcome out;
  absl::StatusOr<Principal> who =
      api_->Authenticate(req.authorization.has_value(), req.authorization.value_or(""));
  if (!who.ok()) {
    out.reply = ErrorReply(who.status());
    return out;
  }
  out.authenticated = true;
  if (absl::Status st = CheckParams(req, route.params); !st.ok()) {
    out.reply = ErrorReply(st);
    return out;
  }
  const Call call{req, *who, std::move(ids)};
  if (route.stream) {
    absl::StatusOr<StreamOpener> opener = route.stream(call);
    if (!opener.ok()) {
      out.reply = ErrorReply(opener.status());
    } else {
      out.stream = *std::move(opener);
    }
    return out;
  }
  absl::StatusOr<std::string> json = route.unary(call);
  if (!json.ok()) {
    out.reply = ErrorReply(json.status());
  } else {
    out.reply.body = *std::move(json);
  }
  return out;
}

}  // namespace judge
