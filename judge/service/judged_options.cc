#include "judge/service/judged_options.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace judge {
namespace {

// The directory holding this binary (build/bin).
std::string SelfDir() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return ".";
  std::string path(self, n);
  return path.substr(0, path.rfind('/'));
}

}  // namespace

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void AddJudgedFlags(CLI::App& app, JudgedOptions* o) {
  app.add_option("--listen", o->listen, "gRPC address")->capture_default_str();
  app.add_option("--data-dir", o->data_dir, "RocksDB store and compile cache")
      ->capture_default_str();
  app.add_option("--challenges", o->challenges, "Directory of challenges")->capture_default_str();
  app.add_option("--keys", o->keys, "Keys file: '<sha256 of token> <role> [<candidate>]' per line")
      ->capture_default_str();
  app.add_option("--uid-base", o->uid_base,
                 "First host uid of this judge's boxes (each judge on a host needs its own range; "
                 "default: the first free range from 2000000, held until it exits)")
      ->check(CLI::Range(1000u, 4'000'000'000u));
  app.add_option("--workers", o->workers, "Submissions judged at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--metrics-listen", o->metrics_listen, "Serve Prometheus metrics on HOST:PORT");
  app.add_option("--tls-cert", o->tls_cert, "PEM certificate chain (TLS; with --tls-key)");
  app.add_option("--tls-key", o->tls_key, "PEM private key");
  app.add_option("--queue-limit", o->queue_limit,
                 "Queued submissions before RESOURCE_EXHAUSTED (in a cluster: queued or being "
                 "judged on all nodes together; the node started last sets it)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1000000}));
  app.add_option("--max-source-bytes", o->max_source_bytes, "Largest accepted source")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{16} << 20));
  app.add_option("--rate-limit", o->rate_limit,
                 "Submit/RunLive calls per second for every key alike (overrides the role "
                 "defaults below; a key's rate=N in the keys file overrides both)")
      ->check(CLI::Range(0.001, 100000.0));
  app.add_option("--rate-candidate", o->candidate_rate, "Calls per second per candidate key")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 100000.0));
  app.add_option("--rate-interviewer", o->interviewer_rate,
                 "RunLive calls per second per interviewer key")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 100000.0));
  app.add_option("--rate-platform", o->platform_rate, "Calls per second per platform key")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 100000.0));
  app.add_option("--rate-admin", o->admin_rate, "Calls per second per admin key")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 100000.0));
  app.add_option("--shutdown-grace-s", o->shutdown_grace_s,
                 "On SIGTERM, running gradings get this long; then they stop between tests and "
                 "are judged again at the next start")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  app.add_option("--host-retries", o->host_retries,
                 "A grading the host broke (out of descriptors, memory or disk; a failed cgroup "
                 "or mount) is tried again this many times, after 0.25, 1, 4 s, ...")
      ->capture_default_str()
      ->check(CLI::Range(0, 10));
  app.add_option("--rejudge-delay-ms", o->rejudge_delay_ms,
                 "Then it is recorded as INTERNAL_ERROR and judged again after this, doubling up "
                 "to 10 minutes, 8 times (and at every start)")
      ->capture_default_str()
      ->check(CLI::Range(100, 3600000));
  app.add_option("--live-workers", o->live_workers,
                 "Workers that take only interviewers' live runs (besides --workers)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  app.add_option("--live-queue-limit", o->live_queue_limit,
                 "Live runs queued at most (apart from --queue-limit)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{100000}));
  app.add_option("--sandbox-dir", o->sandbox_dir, "Sandbox runtime directory")
      ->capture_default_str();
  app.add_option("--sql-runner", o->sql_runner, "sql-runner binary (default: next to judged)");
  app.add_option("--cache-entries", o->cache_entries, "Compiled programs kept")
      ->capture_default_str();
  app.add_option("--prespawn", o->prespawn,
                 "Sandbox boxes cloned ahead of their runs (default: --workers; 0: none)")
      ->check(CLI::Range(0, 256));
  app.add_option("--fd-reserve", o->fd_reserve,
                 "File descriptors kept for judging and the store, never for connections")
      ->capture_default_str()
      ->check(CLI::Range(size_t{64}, size_t{1} << 20));
  app.add_option("--max-connections", o->max_connections,
                 "Open client connections at most (default: the descriptor limit less "
                 "--fd-reserve)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  app.add_option("--max-connections-per-peer", o->max_connections_per_peer,
                 "Open connections at most from one IP address")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  app.add_option("--handshake-timeout-ms", o->preface_timeout_ms,
                 "A new connection must start HTTP/2 (or finish TLS) within this")
      ->capture_default_str()
      ->check(CLI::Range(100, 600000));
  app.add_option("--idle-timeout-s", o->idle_timeout_s,
                 "Close a connection that has had no call in flight this long")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  app.add_option("--max-connection-age-s", o->max_connection_age_s,
                 "Ask a connection to go away after this long (calls in flight get "
                 "--max-connection-age-grace-s more)")
      ->capture_default_str()
      ->check(CLI::Range(10, 86400 * 7));
  app.add_option("--max-connection-age-grace-s", o->max_connection_age_grace_s,
                 "How long calls in flight may go on after a connection's age is up")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  app.add_option("--http-listen", o->http_listen,
                 "Serve the JSON API and the browser page on HOST:PORT (off by default; TLS "
                 "with --tls-cert/--tls-key as for gRPC)");
  app.add_option("--web-root", o->web_root,
                 "The built page served at / with --http-listen (default: ../web beside judged, "
                 "i.e. build/web)");
  app.add_option("--http-cors-origin", o->http_cors_origin,
                 "Allow this one origin (e.g. https://hiring.example.com) to call the JSON API "
                 "from its pages (default: same origin only)");
  app.add_option("--http-max-streams", o->http_max_streams,
                 "Open server-sent event streams at most (then 429)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{4096}));
  app.add_option("--http-keepalive-s", o->http_keepalive_s,
                 "A silent event stream gets a comment line this often (a vanished client is "
                 "noticed then)")
      ->capture_default_str()
      ->check(CLI::Range(1, 300));
  app.add_option("--restore-from", o->restore_from,
                 "Start from this backup (judgectl admin backup DIR): restored into --data-dir, "
                 "which must not hold a store yet");
  app.add_option("--webhooks", o->webhooks,
                 "Webhooks file: '<key id> <url> <secret>' per line; a key's take-home verdicts "
                 "are POSTed to its URL, signed (HMAC-SHA256)");
  app.add_option("--webhook-give-up-s", o->webhook_give_up_s,
                 "Stop retrying a webhook delivery this long after the verdict")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400 * 30));
  app.add_flag("--webhook-allow-link-local", o->webhook_allow_link_local,
               "Deliver webhooks to link-local and cloud metadata addresses too");
  app.add_option("--nats", o->nats,
                 "NATS URL (nats://HOST:4222): run as one node of a cluster on JetStream");
  app.add_option("--node-id", o->node_id,
                 "This node's id in the cluster ([a-z0-9-], e.g. the pod name); with --nats");
  app.add_option("--advertise", o->advertise,
                 "HOST:PORT other nodes reach this node's gRPC port at; with --nats");
  app.add_option("--nats-replicas", o->nats_replicas,
                 "JetStream replicas of the judge's streams and buckets (3 on a 3-server NATS)")
      ->capture_default_str();
  app.add_option("--nats-creds", o->nats_creds, "NATS credentials file");
  app.add_option("--nats-ca", o->nats_ca, "CA certificate to trust for NATS TLS");
  app.add_option("--nats-cert", o->nats_cert, "Client certificate for NATS TLS (with --nats-key)");
  app.add_option("--nats-key", o->nats_key, "Client key for NATS TLS");
  app.add_option("--lease-s", o->lease_s,
                 "A job's lease: a node silent this long loses it to another node")
      ->capture_default_str();
  app.add_option("--node-ttl-s", o->node_ttl_s,
                 "A node not heard from for this long is treated as down")
      ->capture_default_str();
  app.add_option("--peer-timeout-ms", o->peer_timeout_ms,
                 "Bound on a call forwarded to another node (then UNAVAILABLE)")
      ->capture_default_str();
  app.add_option("--peer-ca", o->peer_ca,
                 "CA certificate of the other nodes' gRPC TLS and of their client certificates "
                 "(default: --tls-cert)");
  app.add_option("--cluster-secret-file", o->cluster_secret_file,
                 "File holding a secret every node shares (at least 16 characters): a node signs "
                 "the calls it forwards with it, and accepts only signed ones");
  app.add_option("--peer-cert", o->peer_cert,
                 "This node's client certificate (signed by --peer-ca) for mutual TLS between "
                 "the nodes, with --peer-key and --tls-cert: forwarded calls are then accepted "
                 "only over connections with such a certificate");
  app.add_option("--peer-key", o->peer_key, "Private key of --peer-cert");
  app.add_option("--retain-sources-days", o->retain_sources_days,
                 "Drop the sources of finished submissions older than this (verdicts and results "
                 "stay); 0 keeps them")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

absl::Status FinishJudgedOptions(JudgedOptions* o) {
  // The CA of the other nodes' server and client certificates.
  o->peer_ca_file = o->peer_ca.empty() ? o->tls_cert : o->peer_ca;
  if (!o->nats.empty()) {
    if (o->lease_s < 3)
      return absl::InvalidArgumentError(
          "--lease-s must be at least 3 (leases are renewed every second)");
    if (o->node_id.empty() || o->advertise.empty()) {
      return absl::InvalidArgumentError(
          "--nats needs --node-id and --advertise (the address other nodes reach)");
    }
    if (o->node_id.size() > 32 ||
        o->node_id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") !=
            std::string::npos) {
      return absl::InvalidArgumentError("--node-id must be 1-32 of a-z, 0-9 and '-' (got \"" +
                                        o->node_id + "\")");
    }
    if (o->cluster_secret_file.empty() && o->peer_cert.empty()) {
      return absl::InvalidArgumentError(
          "a cluster node needs --cluster-secret-file, or --peer-cert and --peer-key (mutual "
          "TLS): nodes accept forwarded calls only from nodes they can recognise");
    }
    if (o->peer_cert.empty() != o->peer_key.empty())
      return absl::InvalidArgumentError("--peer-cert and --peer-key go together");
    if (!o->peer_cert.empty() && o->tls_cert.empty()) {
      return absl::InvalidArgumentError(
          "--peer-cert is for mutual TLS: give --tls-cert and --tls-key too");
    }
    if (!o->cluster_secret_file.empty()) {
      std::ifstream in(o->cluster_secret_file);
      if (!in) {
        return absl::InvalidArgumentError("--cluster-secret-file " + o->cluster_secret_file +
                                          ": cannot be read");
      }
      o->cluster_secret = std::string(absl::StripAsciiWhitespace(ReadAll(o->cluster_secret_file)));
      if (o->cluster_secret.size() < 16) {
        return absl::InvalidArgumentError(
            "--cluster-secret-file " + o->cluster_secret_file + " holds " +
            std::to_string(o->cluster_secret.size()) +
            " characters; a cluster secret needs at least 16 (e.g. openssl rand -hex 32)");
      }
    }
  } else if (!o->node_id.empty() || !o->advertise.empty() || !o->cluster_secret_file.empty() ||
             !o->peer_cert.empty()) {
    return absl::InvalidArgumentError(
        "--node-id, --advertise, --cluster-secret-file and --peer-cert are for a cluster: give "
        "--nats too");
  }
  if (o->sql_runner.empty()) o->sql_runner = SelfDir() + "/sql-runner";
  if (!o->restore_from.empty() && access((o->data_dir + "/db/CURRENT").c_str(), F_OK) == 0) {
    return absl::InvalidArgumentError(
        "--data-dir " + o->data_dir +
        " already holds a store: restore into a new --data-dir (nothing was changed)");
  }
  if (o->web_root.empty() && !o->http_listen.empty()) {
    o->web_root = SelfDir() + "/../web";
    if (access((o->web_root + "/index.html").c_str(), R_OK) != 0) {
      spdlog::error(
          "no page at {} (build it with scripts/build-web.sh): serving the JSON API "
          "only",
          o->web_root);
      o->web_root.clear();
    }
  }
  if (o->tls_cert.empty() != o->tls_key.empty())
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  if (access(o->sql_runner.c_str(), X_OK) != 0)
    return absl::InvalidArgumentError("sql-runner not found at " + o->sql_runner);

  return absl::OkStatus();
}

}  // namespace judge
