#include "judge/http/http_server.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"
#include "judge/api/log.h"
#include "judge/api/prometheus.h"
#include "judge/http/json_body.h"
#include "judge/http/listen_address.h"

namespace judge {
namespace {

using judge::v1::SubmissionEvent;

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;  // a page reads `score: 0`, not a missing key
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return "{}";
  return out;
}

void SendMessage(httplib::Response& res, const google::protobuf::Message& message) {
  res.status = 200;
  res.set_content(ToJson(message), "application/json");
}

// {"code": "NOT_FOUND", "message": "..."}: an error answer's body, or an event stream's error.
std::string ErrorJson(absl::StatusCode code, const std::string& message) {
  google::protobuf::Struct body;
  (*body.mutable_fields())["code"].set_string_value(absl::StatusCodeToString(code));
  (*body.mutable_fields())["message"].set_string_value(message);
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(body, &json);
  return json;
}

void SendError(httplib::Response& res, absl::StatusCode code, const std::string& message) {
  res.status = HttpStatusFor(code);
  res.set_content(ErrorJson(code, message), "application/json");
  if (res.status == 401) res.set_header("WWW-Authenticate", "Bearer");
}

void SendError(httplib::Response& res, const absl::Status& status) {
  SendError(res, status.code(), std::string(status.message()));
}

absl::StatusOr<Principal> Authenticate(const JudgeApi& api, const httplib::Request& req) {
  if (!req.has_header("Authorization")) return api.Authenticate(false, "");
  return api.Authenticate(true, req.get_header_value("Authorization"));
}

// The body as a `M` in protobuf's JSON mapping (either field-name spelling; unknown fields are
// an error that names them).
absl::Status CheckJsonBody(const httplib::Request& req) {
  if (req.method != "POST" || !req.has_header("Content-Type")) return absl::OkStatus();
  std::string type = absl::AsciiStrToLower(req.get_header_value("Content-Type"));
  if (type.rfind("application/json", 0) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body must be JSON (Content-Type: "
                     "application/json), not ",
                     type.substr(0, 60)));
  }
  return absl::OkStatus();
}

template <typename M>
absl::StatusOr<M> ParseBody(const httplib::Request& req) {
  if (absl::Status st = CheckJsonBody(req); !st.ok()) return st;
  return ParseJsonBody<M>(req.body);
}

// Query parameters: only `allowed`, each at most once. (A POST's form-encoded body would land
// here too: it is refused for not being JSON first.)
absl::Status CheckParams(const httplib::Request& req, const std::set<std::string>& allowed) {
  if (absl::Status st = CheckJsonBody(req); !st.ok()) return st;
  for (const auto& [name, value] : req.params) {
    if (!allowed.count(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown query parameter \"", name.substr(0, 40),
          "\" (known: ", allowed.empty() ? "none" : absl::StrJoin(allowed, ", "), ")"));
    }
    if (req.get_param_value_count(name) > 1) {
      return absl::InvalidArgumentError(absl::StrCat("query parameter \"", name, "\" is repeated"));
    }
  }
  return absl::OkStatus();
}

// A stream's events between the feed (any thread) and the HTTP thread writing them.
struct EventQueue {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<SubmissionEvent> events;
  // Why the feed broke before FINISHED (another node's submission whose owner went away).
  std::optional<absl::Status> broken;
  uint64_t sent = 0;
  // Last member: destroyed first, so no delivery runs once the rest goes.
  std::unique_ptr<EventFeed> feed;
};

std::string StateName(judge::v1::SubmissionState state) {
  std::string name = judge::v1::SubmissionState_Name(state);
  const std::string prefix = "SUBMISSION_STATE_";
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  return absl::AsciiStrToLower(name);
}

}  // namespace

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

HttpServer::HttpServer(JudgeApi* api, HttpOptions options)
    : api_(api), options_(std::move(options)) {}

HttpServer::~HttpServer() { Stop(); }

std::string HttpServer::RenderMetrics() const {
  return PromText()
      .One("judge_http_requests_total", "counter", "HTTP requests received (API and page).",
           requests_.load())
      .One("judge_http_streams_open", "gauge", "Server-sent event streams open.",
           open_streams_.load())
      .One("judge_http_streams_refused_total", "counter", "Event streams refused at the limit.",
           streams_refused_.load())
      .str();
}

absl::Status HttpServer::Start() {
  absl::StatusOr<ListenAddress> listen = ParseListenAddress(options_.listen, "--http-listen");
  if (!listen.ok()) return listen.status();
  const std::string& address = options_.listen;
  const std::string host = listen->host;
  const int port = listen->port;
  if (!options_.web_root.empty()) {
    struct stat st {};
    if (stat((options_.web_root + "/index.html").c_str(), &st) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("--web-root ", options_.web_root,
                       " holds no index.html (the page is built by scripts/build-web.sh)"));
    }
  }
  if (options_.tls_cert.empty()) {
    server_ = std::make_unique<httplib::Server>();
  } else {
    auto tls =
        std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat("--http-listen with TLS: cannot load ",
                                                     options_.tls_cert, " and ", options_.tls_key));
    }
    server_ = std::move(tls);
  }
  // Event streams each hold a thread while open; the rest of the API and the page get
  // `workers` more, so a full house of streams never starves a GET.
  const size_t threads = options_.workers + options_.max_streams;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_keep_alive_timeout(options_.idle_timeout_s);
  server_->set_keep_alive_max_count(1000);
  server_->set_read_timeout(options_.io_timeout_s, 0);
  server_->set_write_timeout(options_.io_timeout_s, 0);
  server_->set_payload_max_length(options_.max_body_bytes);
  // Small JSON answers go out at once (Nagle and delayed ACKs cost 40 ms per request).
  server_->set_tcp_nodelay(true);
  server_->set_socket_options([](socket_t sock) {
    int one = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  Routes();
  port_ =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ < 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("http listener ", address, ": ", strerror(errno)));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void HttpServer::Stop() {
  stopping_ = true;
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

void HttpServer::Routes() {
  httplib::Server& s = *server_;
  JudgeApi* api = api_;

  // Every answer: no sniffing, no framing, no referrer; the page runs only its own script.
  s.set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-cache"},
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'"},
  });
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    if (req.headers.size() > 100) {
      res.status = 431;
      res.set_content("{\"code\":\"INVALID_ARGUMENT\",\"message\":\"more than 100 headers\"}",
                      "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!options_.cors_origin.empty()) {
      res.set_header("Access-Control-Allow-Origin", options_.cors_origin);
      res.set_header("Vary", "Origin");
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Errors httplib answers itself (no route, body too large, a malformed request) get the
  // same JSON body as the API's own.
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const int status = res.status;
    switch (status) {
      case 404:
        SendError(res, absl::StatusCode::kNotFound,
                  absl::StrCat("no such route: ", req.method, " ", req.path.substr(0, 200)));
        break;
      case 413:
        SendError(res, absl::StatusCode::kResourceExhausted, "the request body is too large");
        res.status = 413;
        break;
      case 414:
        SendError(res, absl::StatusCode::kInvalidArgument, "the request URI is too long");
        res.status = 414;
        break;
      default:
        SendError(res, absl::StatusCode::kInvalidArgument,
                  absl::StrCat("the request was refused (HTTP ", status, ")"));
        res.status = status;
    }
  });
  if (!options_.cors_origin.empty()) {
    s.Options(R"(/v1/.*)", [](const httplib::Request&, httplib::Response& res) {
      res.status = 204;
      res.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE");
      res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
      res.set_header("Access-Control-Max-Age", "600");
    });
  }

  // A unary route: authenticate, check the query, call the API, answer JSON.
  using Request = httplib::Request;
  auto unary = [api](std::set<std::string> params, auto call) {
    return [api, params, call](const Request& req, httplib::Response& res) {
      absl::StatusOr<Principal> who = Authenticate(*api, req);
      if (!who.ok()) return SendError(res, who.status());
      if (absl::Status st = CheckParams(req, params); !st.ok()) return SendError(res, st);
      auto answer = call(*who, req);
      if (!answer.ok()) return SendError(res, answer.status());
      SendMessage(res, *answer);
    };
  };

  s.Get("/v1/whoami",
        unary({}, [api](const Principal& who, const Request&) { return api->WhoAmI(who); }));
  s.Get("/v1/languages",
        unary({}, [api](const Principal& who, const Request&) { return api->ListLanguages(who); }));
  s.Get("/v1/challenges", unary({}, [api](const Principal& who, const Request&) {
          return api->ListChallenges(who);
        }));
  s.Get(R"(/v1/challenges/([^/]+))", unary({}, [api](const Principal& who, const Request& req) {
          judge::v1::GetChallengeRequest r;
          r.set_challenge_id(req.matches[1]);
          return api->GetChallenge(who, r);
        }));
  s.Get(
      R"(/v1/challenges/([^/]+)/similar)",
      unary({"candidate_id", "min_score"},
            [api](const Principal& who,
                  const Request& req) -> absl::StatusOr<judge::v1::ListSimilarSubmissionsResponse> {
              judge::v1::ListSimilarSubmissionsRequest r;
              r.set_challenge_id(req.matches[1]);
              r.set_candidate_id(req.get_param_value("candidate_id"));
              if (req.has_param("min_score")) {
                double min_score = 0;
                if (!absl::SimpleAtod(req.get_param_value("min_score"), &min_score)) {
                  return absl::InvalidArgumentError("min_score is not a number");
                }
                r.set_min_score(min_score);
              }
              return api->ListSimilarSubmissions(who, r);
            }));
  s.Post(
      "/v1/submissions",
      unary(
          {},
          [api](const Principal& who, const Request& req) -> absl::StatusOr<judge::v1::Submission> {
            absl::StatusOr<judge::v1::SubmitRequest> r = ParseBody<judge::v1::SubmitRequest>(req);
            if (!r.ok()) return r.status();
            return api->Submit(who, *r);
          }));
  s.Get("/v1/submissions",
        unary({"candidate_id", "challenge_id", "page_size", "page_token"},
              [api](const Principal& who,
                    const Request& req) -> absl::StatusOr<judge::v1::ListSubmissionsResponse> {
                judge::v1::ListSubmissionsRequest r;
                r.set_candidate_id(req.get_param_value("candidate_id"));
                r.set_challenge_id(req.get_param_value("challenge_id"));
                r.set_page_token(req.get_param_value("page_token"));
                if (req.has_param("page_size")) {
                  uint32_t size = 0;
                  if (!absl::SimpleAtoi(req.get_param_value("page_size"), &size)) {
                    return absl::InvalidArgumentError("page_size is not a number");
                  }
                  r.set_page_size(size);
                }
                return api->ListSubmissions(who, r);
              }));
  s.Get(R"(/v1/submissions/([^/]+))", unary({}, [api](const Principal& who, const Request& req) {
          judge::v1::GetSubmissionRequest r;
          r.set_submission_id(req.matches[1]);
          return api->GetSubmission(who, r);
        }));
  s.Get(R"(/v1/submissions/([^/]+)/report)",
        unary({}, [api](const Principal& who, const Request& req) {
          judge::v1::GetReportRequest r;
          r.set_submission_id(req.matches[1]);
          return api->GetReport(who, r);
        }));

  s.Delete(R"(/v1/candidates/([^/]+))", unary({}, [api](const Principal& who, const Request& req) {
             judge::v1::EraseCandidateRequest r;
             r.set_candidate_id(req.matches[1]);
             return api->EraseCandidate(who, r);
           }));
  s.Post("/v1/admin/backup",
         unary({},
               [api](const Principal& who,
                     const Request& req) -> absl::StatusOr<judge::v1::BackupResponse> {
                 absl::StatusOr<judge::v1::BackupRequest> r =
                     ParseBody<judge::v1::BackupRequest>(req);
                 if (!r.ok()) return r.status();
                 return api->Backup(who, *r);
               }));

  // A server-sent event stream: refused (429) at max_streams before anything is queued; then
  // one event per SubmissionEvent (`id` counts from 1, `event` is the state, `data` the event in
  // JSON), a comment line every keepalive_s while nothing happens, and the end after FINISHED;
  // or, if the feed breaks first, an `event: error` whose data is {code, message} and the end.
  auto stream = [this](const Request& req, httplib::Response& res, auto open) {
    if (open_streams_.fetch_add(1) >= options_.max_streams) {
      --open_streams_;
      ++streams_refused_;
      return SendError(res, absl::ResourceExhaustedError(
                                absl::StrCat("too many open event streams (", options_.max_streams,
                                             "); retry when one has finished")));
    }
    auto queue = std::make_shared<EventQueue>();
    EventQueue* q = queue.get();
    absl::StatusOr<std::unique_ptr<EventFeed>> feed = open(
        [q](SubmissionEvent e) {
          std::lock_guard<std::mutex> lock(q->mu);
          q->events.push_back(std::move(e));
          q->cv.notify_all();
        },
        [q](const absl::Status& why) {
          std::lock_guard<std::mutex> lock(q->mu);
          q->broken = why;
          q->cv.notify_all();
        });
    if (!feed.ok()) {
      --open_streams_;
      return SendError(res, feed.status());
    }
    {
      std::lock_guard<std::mutex> lock(q->mu);
      queue->feed = *std::move(feed);
    }
    res.set_header("X-Accel-Buffering", "no");
    res.set_header("Cache-Control", "no-store");
    const auto keepalive = std::chrono::seconds(options_.keepalive_s);
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, queue, keepalive](size_t, httplib::DataSink& sink) {
          std::unique_lock<std::mutex> lock(queue->mu);
          const auto deadline = std::chrono::steady_clock::now() + keepalive;
          // Wake every 250 ms to notice a stop, or a client that has gone (a live run's is
          // stopped then: the feed's end cancels it).
          while (queue->events.empty() && !queue->broken && !stopping_ &&
                 std::chrono::steady_clock::now() < deadline) {
            queue->cv.wait_for(lock, std::chrono::milliseconds(250));
            if (sink.is_writable && !sink.is_writable()) return false;
          }
          if (stopping_) return false;
          std::string out;
          bool last = false;
          if (queue->events.empty() && !queue->broken) out = ": keep-alive\n\n";
          while (!queue->events.empty() && !last) {
            const SubmissionEvent& e = queue->events.front();
            last = e.state() == judge::v1::SUBMISSION_STATE_FINISHED;
            absl::StrAppend(&out, "id: ", ++queue->sent, "\nevent: ", StateName(e.state()),
                            "\ndata: ", ToJson(e), "\n\n");
            queue->events.pop_front();
          }
          if (queue->events.empty() && queue->broken && !last) {
            absl::StrAppend(&out, "event: error\ndata: ",
                            ErrorJson(queue->broken->code(), std::string(queue->broken->message())),
                            "\n\n");
            last = true;
          }
          lock.unlock();
          if (!sink.write(out.data(), out.size())) return false;  // the client is gone
          if (last) sink.done();
          return true;
        },
        [this, queue](bool) {
          std::unique_ptr<EventFeed> done;
          {
            std::lock_guard<std::mutex> lock(queue->mu);
            done = std::move(queue->feed);
          }
          done.reset();  // outside the lock: a delivery in progress may need it
          --open_streams_;
        });
  };
  s.Get(R"(/v1/submissions/([^/]+)/events)",
        [api, stream](const Request& req, httplib::Response& res) {
          absl::StatusOr<Principal> who = Authenticate(*api, req);
          if (!who.ok()) return SendError(res, who.status());
          if (absl::Status st = CheckParams(req, {}); !st.ok()) return SendError(res, st);
          judge::v1::WatchSubmissionRequest r;
          r.set_submission_id(req.matches[1]);
          stream(req, res, [&](EventFeed::Deliver deliver, EventFeed::Broken broken) {
            return api->WatchSubmission(*who, r, std::move(deliver), std::move(broken));
          });
        });
  s.Post("/v1/live", [api, stream](const Request& req, httplib::Response& res) {
    absl::StatusOr<Principal> who = Authenticate(*api, req);
    if (!who.ok()) return SendError(res, who.status());
    if (absl::Status st = CheckParams(req, {}); !st.ok()) return SendError(res, st);
    absl::StatusOr<judge::v1::RunLiveRequest> r = ParseBody<judge::v1::RunLiveRequest>(req);
    if (!r.ok()) return SendError(res, r.status());
    stream(req, res, [&](EventFeed::Deliver deliver, EventFeed::Broken) {
      return api->RunLive(*who, *r, std::move(deliver));
    });
  });

  if (!options_.web_root.empty()) {
    s.set_mount_point("/", options_.web_root);
    s.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
  }
}

}  // namespace judge
