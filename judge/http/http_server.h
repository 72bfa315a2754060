// The HTTP door: the JSON API (http_routes.h), its server-sent event streams and the page's
// files over HTTP/1.1, on Boost.Beast's event-driven server. Two I/O threads read and write the
// connections: every new one starts on the first; one whose caller has shown a valid key (an
// API request that authenticated) moves, between two requests, to the second, so that what
// unproven connections cost (idle floods, slow or huge headers) never delays it. API calls that
// may wait on the store run on `workers` threads; the few answered from memory (who am I, the
// languages, the challenge list) are answered on the I/O thread. A connection costs a socket
// and a few KiB, an event stream the same, never a thread.
//
// Bounded, as nginx and Go's net/http are, before anything is parsed:
//   - connections: the process's ConnectionBudget, shared with the gRPC acceptor (total, per
//     peer, the descriptor reserve); out of descriptors, a spare one is closed to shed the
//     connection, so the listener never stalls;
//   - a request's header: 16 KiB a line, 64 KiB and 100 fields in all (431), arriving within
//     header_timeout_s of the connection or the previous answer, or the connection is closed; the
//     same wait bounds an idle keep-alive connection;
//   - a body: max_body_bytes (413), each read within io_timeout_s; every write the same;
//   - event streams: max_streams open (429, then closed);
//   - a peer address that breaks the header bounds 20 times in 10 s has its connections held
//     (then 429 and reset) for 10 s, twice as long each time it does so again within a minute;
//     unread for 10 s.
// Pipelined requests are answered in order, one at a time.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "judge/api/connection_budget.h"
#include "judge/api/judge_api.h"

namespace judge {

struct HttpOptions {
  std::string listen;                  // HOST:PORT
  std::string tls_cert, tls_key;       // PEM files; both or neither
  std::string web_root;                // the built page (index.html, ...); "" serves none
  std::string cors_origin;             // "" : no CORS headers (same origin only)
  ConnectionBudget* budget = nullptr;  // shared with the gRPC door; nullptr: a budget of its own
  size_t max_body_bytes = 4 << 20;     // JSON-escaped source and custom input fit
  size_t max_streams = 64;             // open event streams
  size_t workers = 16;                 // threads for API calls
  int keepalive_s = 10;                // a silent stream gets a comment line this often
  int header_timeout_s = 5;            // a whole header, and an idle keep-alive wait
  int io_timeout_s = 10;               // one body read, one write
};

// The door's counters, for metrics and tests.
struct HttpStats {
  // Open connections by state: "handshake", "waiting" (for a request's header), "reading" (a
  // body), "busy" (an API call or an answer being written), "streaming", "closing".
  std::map<std::string, int64_t> connections;
  std::map<std::string, uint64_t> refused;  // by reason
  uint64_t requests = 0;
  size_t open_streams = 0;
  uint64_t trusted = 0;      // connections moved to the trusted I/O thread
  int64_t trusted_open = 0;  // of which still open (as requests, not pads)
};

class HttpServer {
 public:
  HttpServer(JudgeApi* api, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  [[nodiscard]] absl::Status Start();
  void Stop();
  int port() const;
  HttpStats Stats() const;
  // Prometheus lines for the metrics endpoint.
  std::string RenderMetrics() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace judge
