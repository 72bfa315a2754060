// The JSON API's routes as a table, apart from any transport: a request as the door parsed it
// goes in, an answer (or a stream to open) comes out. Each route authenticates the
// "Authorization: Bearer" header and calls the same JudgeApi method as its gRPC twin; bodies use
// protobuf's JSON mapping; errors are {"code": "<gRPC code name>", "message": "..."} with the
// matching HTTP status.
//
//   GET  /v1/whoami                               WhoAmI
//   GET  /v1/languages                            ListLanguages
//   GET  /v1/challenges                           ListChallenges
//   GET  /v1/challenges/{id}                      GetChallenge
//   GET  /v1/challenges/{id}/similar?candidate_id=&min_score=    ListSimilarSubmissions
//   POST /v1/submissions          SubmitRequest   Submit
//   GET  /v1/submissions?candidate_id=&challenge_id=&page_size=&page_token=   ListSubmissions
//   GET  /v1/submissions/{id}                     GetSubmission
//   GET  /v1/submissions/{id}/report              GetReport
//   GET  /v1/submissions/{id}/events              WatchSubmission, as server-sent events
//   POST /v1/live                 RunLiveRequest  RunLive, as server-sent events
//   DELETE /v1/candidates/{id}                    EraseCandidate
//   POST /v1/admin/backup         BackupRequest   Backup
//   POST /v1/sessions             CreateSessionRequest   CreateSession
//   GET  /v1/sessions?candidate_id=&page_size=&page_token=   ListSessions
//   GET  /v1/sessions/{id}                        GetSession
//   GET  /v1/sessions/{id}/timeline               GetSessionTimeline
//   POST /v1/sessions/{id}/end                    EndSession
//   POST /v1/sessions/{id}/notes  {"notes"}       SetSessionNotes
//   GET  /v1/sessions/{id}/pad                    the pad, as a WebSocket (http_server.cc)
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "judge/api/json_text.h"
#include "judge/api/judge_api.h"

namespace judge {

// A request as the door read it: the path and the query already percent-decoded.
struct HttpRequest {
  std::string method;
  std::string path;
  std::multimap<std::string, std::string> query;
  std::optional<std::string> authorization;  // the one Authorization header, if any
  std::optional<std::string> content_type;
  std::string body;
};

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Opens a route's event feed (the door calls it once it has a stream slot for it).
using StreamOpener = std::function<absl::StatusOr<std::unique_ptr<EventFeed>>(
    EventFeed::Deliver deliver, EventFeed::Broken broken)>;

// What a request comes to: an answer, or an event stream to open.
struct RouteOutcome {
  HttpReply reply;
  bool authenticated = false;  // the caller's key was valid (whatever the answer)
  StreamOpener stream;         // set: open this stream (reply unused)
};

// Maps a gRPC/absl status code to the HTTP status the JSON API answers with.
int HttpStatusFor(absl::StatusCode code);
// {"code": "NOT_FOUND", "message": "..."}: an error answer's body, or an event stream's error.
std::string ErrorJson(absl::StatusCode code, const std::string& message);
HttpReply ErrorReply(const absl::Status& status);

class ApiRoutes {
 public:
  explicit ApiRoutes(JudgeApi* api);
  // True when `path` is the API's (under /v1/), answered by Handle whatever the method.
  static bool IsApiPath(const std::string& path) { return path.rfind("/v1/", 0) == 0; }
  // Authenticates, checks the query, calls the API. Runs on a worker: it may block on the store.
  RouteOutcome Handle(const HttpRequest& req) const;
  // Handle, when `req` goes to a route answered from memory alone (who am I, the languages, the
  // challenge list), so that the door answers it on its I/O thread without a hop to a worker;
  // nullopt for any other (then Handle it on a worker).
  std::optional<RouteOutcome> HandleQuick(const HttpRequest& req) const;

 private:
  struct Call {
    const HttpRequest& req;
    const Principal& who;
    std::vector<std::string> ids;  // the path's {id} segments, in order
    std::string Param(const std::string& name) const;
  };
  struct Route {
    std::string method;
    std::vector<std::string> pattern;                               // segments; "{}" matches one
    std::vector<std::string> params;                                // query parameters allowed
    std::function<absl::StatusOr<std::string>(const Call&)> unary;  // the answer's JSON
    std::function<absl::StatusOr<StreamOpener>(const Call&)> stream;
    bool quick = false;  // never waits (no store, no cluster): see HandleQuick
  };
  // The route `req` goes to, its {id} segments in `ids`; nullptr when none.
  const Route* Match(const HttpRequest& req, std::vector<std::string>* ids) const;
  // Authenticates, checks the query and calls `route`.
  RouteOutcome Run(const Route& route, std::vector<std::string> ids, const HttpRequest& req) const;
  // The JSON of an answer that rarely changes (the challenge list, the languages): converted
  // once for as long as the answer's bytes stay the same.
  class JsonCache {
   public:
    template <typename M>
    absl::StatusOr<std::string> Json(const absl::StatusOr<M>& answer) const;

   private:
    mutable std::mutex mu_;
    mutable std::string bytes_, json_;
  };
  void AddCatalogRoutes();
  void AddSubmissionRoutes();
  void AddSessionRoutes();
  void AddStreamRoutes();
  // ?page_size= as a number (0 when absent).
  static absl::StatusOr<uint32_t> PageSize(const Call& c);
  void Add(std::string method, const std::string& path, std::vector<std::string> params,
           std::function<absl::StatusOr<std::string>(const Call&)> unary, bool quick = false);
  void AddStream(std::string method, const std::string& path,
                 std::function<absl::StatusOr<StreamOpener>(const Call&)> stream);

  JudgeApi* api_;
  std::vector<Route> routes_;
  JsonCache challenges_json_, languages_json_;
};

}  // namespace judge
