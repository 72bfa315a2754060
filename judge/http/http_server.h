// The HTTP adapter (cpp-httplib): the gRPC API transcoded to JSON over HTTP/1.1, plus the
// browser page's static files. Each route authenticates the "Authorization: Bearer" header and
// calls the same JudgeApi method as its gRPC twin; bodies use protobuf's JSON mapping; errors are
// {"code": "<gRPC code name>", "message": "..."} with the matching HTTP status.
//
//   GET  /v1/whoami                               WhoAmI
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
//
// Bounded: request bodies (413), open event streams (429), headers (431), idle connections and
// slow reads/writes (timeouts). A stream holds an HTTP thread, never a judging worker; one whose
// client vanished is noticed at the next event or keep-alive comment and closed.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "judge/api/judge_api.h"

namespace httplib {
class Server;
}

namespace judge {

struct HttpOptions {
  std::string listen;               // HOST:PORT
  std::string tls_cert, tls_key;    // PEM files; both or neither
  std::string web_root;             // the built page (index.html, ...); "" serves none
  std::string cors_origin;          // "" : no CORS headers (same origin only)
  size_t max_body_bytes = 4 << 20;  // JSON-escaped source and custom input fit
  size_t max_streams = 64;          // open event streams
  size_t workers = 16;              // threads for everything else
  int keepalive_s = 10;             // a silent stream gets a comment line this often
  int idle_timeout_s = 5;           // keep-alive wait between requests
  int io_timeout_s = 10;            // one read or write
};

// Maps a gRPC/absl status code to the HTTP status the JSON API answers with.
int HttpStatusFor(absl::StatusCode code);

class HttpServer {
 public:
  HttpServer(JudgeApi* api, HttpOptions options);
  ~HttpServer();
  [[nodiscard]] absl::Status Start();
  void Stop();
  int port() const { return port_; }
  size_t open_streams() const { return open_streams_.load(); }
  // Prometheus lines for the metrics endpoint.
  std::string RenderMetrics() const;

 private:
  void Routes();

  JudgeApi* api_;
  HttpOptions options_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> open_streams_{0};
  std::atomic<uint64_t> streams_refused_{0};
  std::atomic<uint64_t> requests_{0};
};

}  // namespace judge
