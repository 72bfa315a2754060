// judged's command line: every flag with its default and its check, and the combinations that
// are validated before anything starts (judged_main.cc runs the steps).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"

namespace judge {

struct JudgedOptions {
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = "var/data";
  std::string challenges = "challenges";
  std::string keys = "var/keys";
  int workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string metrics_listen;
  std::string tls_cert, tls_key;
  size_t queue_limit = 1000;
  size_t max_source_bytes = 64 << 10;
  double rate_limit = 0;  // 0: each role's default
  double candidate_rate = 0.1, interviewer_rate = 1, platform_rate = 200, admin_rate = 200;
  int live_workers = 1;
  int shutdown_grace_s = 30;
  int host_retries = 3;
  int rejudge_delay_ms = 30000;
  size_t live_queue_limit = 100;
  std::string sandbox_dir = "/run/judge-sandbox";
  std::string sql_runner;
  size_t cache_entries = 512;
  int prespawn = -1;      // -1: as many as --workers
  uint32_t uid_base = 0;  // 0: the first free range on this host
  // Network bounds (issue 14): what the front door admits and how long a connection may live.
  size_t fd_reserve = 1024;    // descriptors network connections can never take
  size_t max_connections = 0;  // 0: the descriptor limit less the reserve
  size_t max_connections_per_peer = 100;
  int preface_timeout_ms = 5000;  // plaintext: the HTTP/2 preface; TLS: the whole handshake
  int idle_timeout_s = 300;       // a connection with no call in flight
  int max_connection_age_s = 3600;
  int max_connection_age_grace_s = 600;
  // The HTTP door (issue 15): the JSON API, event streams and the browser page.
  std::string http_listen;  // "": off
  std::string web_root;     // "": <judged's dir>/../web
  std::string http_cors_origin;
  size_t http_max_streams = 64;
  int http_keepalive_s = 10;
  std::string restore_from;  // a backup directory (judgectl admin backup) to start from
  std::string webhooks;      // "<key id> <url> <secret>" per line
  // Cluster (all empty: one node).
  std::string nats, node_id, advertise, nats_creds, nats_ca, nats_cert, nats_key, peer_ca;
  std::string cluster_secret_file, peer_cert, peer_key;
  int nats_replicas = 1;
  int lease_s = 30;
  int node_ttl_s = 10;
  int peer_timeout_ms = 1000;
  double retain_sources_days = 0;
  int webhook_give_up_s = 86400;
  bool webhook_allow_link_local = false;
  // Filled by FinishJudgedOptions.
  std::string cluster_secret;  // read from --cluster-secret-file
  std::string peer_ca_file;    // --peer-ca, else --tls-cert
};

// Registers every flag of `o` on `app`.
void AddJudgedFlags(CLI::App& app, JudgedOptions* o);

// What CLI11 cannot check: flags that go together (the cluster's, TLS pairs), files that must
// exist, a store that --restore-from must not overwrite; fills the defaults that depend on where
// judged is installed (sql-runner, the page) and reads the cluster secret. The error names the
// flag and what to do.
[[nodiscard]] absl::Status FinishJudgedOptions(JudgedOptions* o);

// A whole file ("" when it cannot be read).
std::string ReadAll(const std::string& path);

}  // namespace judge
