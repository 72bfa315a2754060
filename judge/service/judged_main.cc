// judged: the judge service.
//   judged --listen 127.0.0.1:50051 --data-dir var/data --challenges challenges --keys var/keys
//          [--workers N] [--prespawn N] [--metrics-listen HOST:PORT] [--tls-cert F --tls-key F]
//          [--queue-limit N] [--max-source-bytes N] [--rate-limit PER_SECOND]
//          [--http-listen HOST:PORT [--web-root DIR] [--http-cors-origin ORIGIN]]
// Loads and validates every challenge, self-tests each toolchain, opens the store, judges again
// whatever was left unfinished, and serves until SIGTERM or SIGINT (then stops accepting,
// finishes what is being judged, and closes the store).
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_posix.h"
#include "judge/api/engine.h"
#include "judge/api/judge_api.h"
#include "judge/api/log.h"
#include "judge/cluster/nats_link.h"
#include "judge/core/compiler.h"
#include "judge/core/grader.h"
#include "judge/http/http_server.h"
#include "judge/http/metrics_server.h"
#include "judge/http/webhook_sender.h"
#include "judge/service/acceptor.h"
#include "judge/service/peers.h"
#include "judge/service/service.h"
#include "sandbox/sandbox.h"

namespace {

struct Options {
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
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The directory holding this binary (build/bin).
std::string SelfDir() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return ".";
  std::string path(self, n);
  return path.substr(0, path.rfind('/'));
}

int Fail(const std::string& message) {
  std::cerr << "judged: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  judge::InitLogging();
  Options o;
  CLI::App app{"judged: the coding-challenge judge service (gRPC judge.v1.JudgeService)", "judged"};
  app.add_option("--listen", o.listen, "gRPC address")->capture_default_str();
  app.add_option("--data-dir", o.data_dir, "RocksDB store and compile cache")
      ->capture_default_str();
  app.add_option("--challenges", o.challenges, "Directory of challenges")->capture_default_str();
  app.add_option("--keys", o.keys, "Keys file: '<sha256 of token> <role> [<candidate>]' per line")
      ->capture_default_str();
  app.add_option("--uid-base", o.uid_base,
                 "First host uid of this judge's boxes (each judge on a host needs its own range; "
                 "default: the first free range from 2000000, held until it exits)")
      ->check(CLI::Range(1000u, 4'000'000'000u));
  app.add_option("--workers", o.workers, "Submissions judged at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--metrics-listen", o.metrics_listen, "Serve Prometheus metrics on HOST:PORT");
  app.add_option("--tls-cert", o.tls_cert, "PEM certificate chain (TLS; with --tls-key)");
  app.add_option("--tls-key", o.tls_key, "PEM private key");
  app.add_option("--queue-limit", o.queue_limit,
                 "Queued submissions before RESOURCE_EXHAUSTED (in a cluster: queued or being "
                 "judged on all nodes together; the node started last sets it)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1000000}));
  app.add_option("--max-source-bytes", o.max_source_bytes, "Largest accepted source")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{16} << 20));
  app.add_option("--rate-limit", o.rate_limit,
                 "Submit/RunLive calls per second for every key alike (overrides the role "
                 "defaults below; a key's rate=N in the keys file overrides both)")
      ->check(CLI::Range(0.001, 100000.0));
  app.add_option("--rate-candidate", o.candidate_rate, "Calls per second per candidate key")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 100000.0));
  app.add_option("--rate-interviewer", o.interviewer_rate,
                 "RunLive calls per second per interviewer key")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 100000.0));
  app.add_option("--rate-platform", o.platform_rate, "Calls per second per platform key")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 100000.0));
  app.add_option("--rate-admin", o.admin_rate, "Calls per second per admin key")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 100000.0));
  app.add_option("--shutdown-grace-s", o.shutdown_grace_s,
                 "On SIGTERM, running gradings get this long; then they stop between tests and "
                 "are judged again at the next start")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  app.add_option("--host-retries", o.host_retries,
                 "A grading the host broke (out of descriptors, memory or disk; a failed cgroup "
                 "or mount) is tried again this many times, after 0.25, 1, 4 s, ...")
      ->capture_default_str()
      ->check(CLI::Range(0, 10));
  app.add_option("--rejudge-delay-ms", o.rejudge_delay_ms,
                 "Then it is recorded as INTERNAL_ERROR and judged again after this, doubling up "
                 "to 10 minutes, 8 times (and at every start)")
      ->capture_default_str()
      ->check(CLI::Range(100, 3600000));
  app.add_option("--live-workers", o.live_workers,
                 "Workers that take only interviewers' live runs (besides --workers)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  app.add_option("--live-queue-limit", o.live_queue_limit,
                 "Live runs queued at most (apart from --queue-limit)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{100000}));
  app.add_option("--sandbox-dir", o.sandbox_dir, "Sandbox runtime directory")
      ->capture_default_str();
  app.add_option("--sql-runner", o.sql_runner, "sql-runner binary (default: next to judged)");
  app.add_option("--cache-entries", o.cache_entries, "Compiled programs kept")
      ->capture_default_str();
  app.add_option("--prespawn", o.prespawn,
                 "Sandbox boxes cloned ahead of their runs (default: --workers; 0: none)")
      ->check(CLI::Range(0, 256));
  app.add_option("--fd-reserve", o.fd_reserve,
                 "File descriptors kept for judging and the store, never for connections")
      ->capture_default_str()
      ->check(CLI::Range(size_t{64}, size_t{1} << 20));
  app.add_option("--max-connections", o.max_connections,
                 "Open client connections at most (default: the descriptor limit less "
                 "--fd-reserve)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  app.add_option("--max-connections-per-peer", o.max_connections_per_peer,
                 "Open connections at most from one IP address")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 20));
  app.add_option("--handshake-timeout-ms", o.preface_timeout_ms,
                 "A new connection must start HTTP/2 (or finish TLS) within this")
      ->capture_default_str()
      ->check(CLI::Range(100, 600000));
  app.add_option("--idle-timeout-s", o.idle_timeout_s,
                 "Close a connection that has had no call in flight this long")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  app.add_option("--max-connection-age-s", o.max_connection_age_s,
                 "Ask a connection to go away after this long (calls in flight get "
                 "--max-connection-age-grace-s more)")
      ->capture_default_str()
      ->check(CLI::Range(10, 86400 * 7));
  app.add_option("--max-connection-age-grace-s", o.max_connection_age_grace_s,
                 "How long calls in flight may go on after a connection's age is up")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  app.add_option("--http-listen", o.http_listen,
                 "Serve the JSON API and the browser page on HOST:PORT (off by default; TLS "
                 "with --tls-cert/--tls-key as for gRPC)");
  app.add_option("--web-root", o.web_root,
                 "The built page served at / with --http-listen (default: ../web beside judged, "
                 "i.e. build/web)");
  app.add_option("--http-cors-origin", o.http_cors_origin,
                 "Allow this one origin (e.g. https://hiring.example.com) to call the JSON API "
                 "from its pages (default: same origin only)");
  app.add_option("--http-max-streams", o.http_max_streams,
                 "Open server-sent event streams at most (then 429)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{4096}));
  app.add_option("--http-keepalive-s", o.http_keepalive_s,
                 "A silent event stream gets a comment line this often (a vanished client is "
                 "noticed then)")
      ->capture_default_str()
      ->check(CLI::Range(1, 300));
  app.add_option("--restore-from", o.restore_from,
                 "Start from this backup (judgectl admin backup DIR): restored into --data-dir, "
                 "which must not hold a store yet");
  app.add_option("--webhooks", o.webhooks,
                 "Webhooks file: '<key id> <url> <secret>' per line; a key's take-home verdicts "
                 "are POSTed to its URL, signed (HMAC-SHA256)");
  app.add_option("--webhook-give-up-s", o.webhook_give_up_s,
                 "Stop retrying a webhook delivery this long after the verdict")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400 * 30));
  app.add_flag("--webhook-allow-link-local", o.webhook_allow_link_local,
               "Deliver webhooks to link-local and cloud metadata addresses too");
  app.add_option("--nats", o.nats,
                 "NATS URL (nats://HOST:4222): run as one node of a cluster on JetStream");
  app.add_option("--node-id", o.node_id,
                 "This node's id in the cluster ([a-z0-9-], e.g. the pod name); with --nats");
  app.add_option("--advertise", o.advertise,
                 "HOST:PORT other nodes reach this node's gRPC port at; with --nats");
  app.add_option("--nats-replicas", o.nats_replicas,
                 "JetStream replicas of the judge's streams and buckets (3 on a 3-server NATS)")
      ->capture_default_str();
  app.add_option("--nats-creds", o.nats_creds, "NATS credentials file");
  app.add_option("--nats-ca", o.nats_ca, "CA certificate to trust for NATS TLS");
  app.add_option("--nats-cert", o.nats_cert, "Client certificate for NATS TLS (with --nats-key)");
  app.add_option("--nats-key", o.nats_key, "Client key for NATS TLS");
  app.add_option("--lease-s", o.lease_s,
                 "A job's lease: a node silent this long loses it to another node")
      ->capture_default_str();
  app.add_option("--node-ttl-s", o.node_ttl_s,
                 "A node not heard from for this long is treated as down")
      ->capture_default_str();
  app.add_option("--peer-timeout-ms", o.peer_timeout_ms,
                 "Bound on a call forwarded to another node (then UNAVAILABLE)")
      ->capture_default_str();
  app.add_option("--peer-ca", o.peer_ca,
                 "CA certificate of the other nodes' gRPC TLS and of their client certificates "
                 "(default: --tls-cert)");
  app.add_option("--cluster-secret-file", o.cluster_secret_file,
                 "File holding a secret every node shares (at least 16 characters): a node signs "
                 "the calls it forwards with it, and accepts only signed ones");
  app.add_option("--peer-cert", o.peer_cert,
                 "This node's client certificate (signed by --peer-ca) for mutual TLS between "
                 "the nodes, with --peer-key and --tls-cert: forwarded calls are then accepted "
                 "only over connections with such a certificate");
  app.add_option("--peer-key", o.peer_key, "Private key of --peer-cert");
  app.add_option("--retain-sources-days", o.retain_sources_days,
                 "Drop the sources of finished submissions older than this (verdicts and results "
                 "stay); 0 keeps them")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  std::string cluster_secret;
  // The CA of the other nodes' server and client certificates.
  const std::string peer_ca = o.peer_ca.empty() ? o.tls_cert : o.peer_ca;
  if (!o.nats.empty()) {
    if (o.lease_s < 3)
      return Fail("--lease-s must be at least 3 (leases are renewed every second)");
    if (o.node_id.empty() || o.advertise.empty()) {
      return Fail("--nats needs --node-id and --advertise (the address other nodes reach)");
    }
    if (o.node_id.size() > 32 ||
        o.node_id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
      return Fail("--node-id must be 1-32 of a-z, 0-9 and '-' (got \"" + o.node_id + "\")");
    }
    if (o.cluster_secret_file.empty() && o.peer_cert.empty()) {
      return Fail(
          "a cluster node needs --cluster-secret-file, or --peer-cert and --peer-key (mutual "
          "TLS): nodes accept forwarded calls only from nodes they can recognise");
    }
    if (o.peer_cert.empty() != o.peer_key.empty())
      return Fail("--peer-cert and --peer-key go together");
    if (!o.peer_cert.empty() && o.tls_cert.empty()) {
      return Fail("--peer-cert is for mutual TLS: give --tls-cert and --tls-key too");
    }
    if (!o.cluster_secret_file.empty()) {
      std::ifstream in(o.cluster_secret_file);
      if (!in) return Fail("--cluster-secret-file " + o.cluster_secret_file + ": cannot be read");
      cluster_secret = std::string(absl::StripAsciiWhitespace(ReadAll(o.cluster_secret_file)));
      if (cluster_secret.size() < 16) {
        return Fail("--cluster-secret-file " + o.cluster_secret_file + " holds " +
                    std::to_string(cluster_secret.size()) +
                    " characters; a cluster secret needs at least 16 (e.g. openssl rand -hex 32)");
      }
    }
  } else if (!o.node_id.empty() || !o.advertise.empty() || !o.cluster_secret_file.empty() ||
             !o.peer_cert.empty()) {
    return Fail(
        "--node-id, --advertise, --cluster-secret-file and --peer-cert are for a cluster: give "
        "--nats too");
  }
  if (o.sql_runner.empty()) o.sql_runner = SelfDir() + "/sql-runner";
  if (!o.restore_from.empty() && access((o.data_dir + "/db/CURRENT").c_str(), F_OK) == 0) {
    return Fail("--data-dir " + o.data_dir +
                " already holds a store: restore into a new --data-dir (nothing was changed)");
  }
  if (o.web_root.empty() && !o.http_listen.empty()) {
    o.web_root = SelfDir() + "/../web";
    if (access((o.web_root + "/index.html").c_str(), R_OK) != 0) {
      spdlog::error(
          "no page at {} (build it with scripts/build-web.sh): serving the JSON API "
          "only",
          o.web_root);
      o.web_root.clear();
    }
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) return Fail("--tls-cert and --tls-key go together");
  if (access(o.sql_runner.c_str(), X_OK) != 0)
    return Fail("sql-runner not found at " + o.sql_runner);

  // SIGTERM/SIGINT are taken by sigwait below; no other thread sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // As nginx and envoy do: every descriptor the hard limit allows. Connections get what the
  // reserve leaves; judging and RocksDB keep the reserve whatever the network does.
  const auto [nofile_before, nofile] = judge::RaiseDescriptorLimit();
  if (nofile <= o.fd_reserve + 16) {
    return Fail(absl::StrCat("the descriptor limit (", nofile,
                             ") leaves no room beside --fd-reserve ", o.fd_reserve,
                             "; raise `ulimit -Hn` or lower --fd-reserve"));
  }
  if (o.max_connections == 0) o.max_connections = nofile - o.fd_reserve;
  if (o.max_connections > nofile - o.fd_reserve) {
    return Fail(absl::StrCat("--max-connections ", o.max_connections, " would eat into the ",
                             o.fd_reserve, " descriptors reserved for judging (limit ", nofile,
                             ")"));
  }
  spdlog::info(
      "descriptors: soft limit {} (was {}), {} reserved for judging, at most {} "
      "connections ({} per peer)",
      nofile, nofile_before, o.fd_reserve, o.max_connections, o.max_connections_per_peer);

  absl::StatusOr<judge::KeyStore> keys = judge::KeyStore::Load(o.keys);
  if (!keys.ok()) return Fail(std::string(keys.status().message()));
  if (keys->size() == 0) return Fail("keys file " + o.keys + " holds no keys");
  auto loaded = judge::LoadChallenges(o.challenges);
  if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
  judge::ChallengeMap challenges;
  for (const auto& ch : *loaded) challenges[ch->manifest.id()] = ch;

  if (mkdir(o.data_dir.c_str(), 0711) != 0 && errno != EEXIST) {
    return Fail("cannot create --data-dir " + o.data_dir + ": " + strerror(errno));
  }
  // Compiled programs (under the data dir) and test files are bind-mounted into boxes.
  for (const std::string& dir : {o.data_dir, o.challenges}) {
    char real[PATH_MAX];
    if (realpath(dir.c_str(), real) == nullptr) return Fail(dir + ": " + strerror(errno));
    if (absl::Status s = sandbox::Sandbox::CheckReachableByBoxes(real); !s.ok()) {
      return Fail(std::string(s.message()));
    }
  }
  sandbox::SandboxOptions sb_options;
  sb_options.runtime_dir = o.sandbox_dir;
  sb_options.slots = static_cast<uint32_t>(o.workers + o.live_workers) * 2 + 2;
  // A box per worker waits ready, its namespaces made and its root built for the mounts of the
  // worker's last run (most runs are the next test of the same submission).
  sb_options.prespawn = static_cast<uint32_t>(o.prespawn >= 0 ? o.prespawn : o.workers);
  sb_options.uid_base = o.uid_base;
  auto sb = sandbox::Sandbox::Create(sb_options);
  if (!sb.ok()) return Fail(std::string(sb.status().message()));
  spdlog::info("sandbox: {}, {} slots, {} boxes kept ready, box uids {}-{} (this judge's alone)",
               (*sb)->cgroups().Describe(), sb_options.slots, sb_options.prespawn,
               (*sb)->uid_base(), (*sb)->uid_base() + (*sb)->uid_count() - 1);
  judge::Compiler compiler(sb->get(), o.data_dir + "/cache", o.cache_entries);
  if (absl::Status s = compiler.Init(); !s.ok()) return Fail(std::string(s.message()));
  judge::Grader grader(sb->get(), &compiler, judge::GraderOptions{o.sql_runner});
  const auto self_test_start = std::chrono::steady_clock::now();
  if (absl::Status s = grader.SelfTest(); !s.ok()) return Fail(std::string(s.message()));
  std::string languages;
  for (const judge::Language& l : judge::Languages()) {
    absl::StrAppend(&languages, languages.empty() ? "" : ", ", l.id);
  }
  spdlog::info("toolchains ok: {} (self-test in {} ms)", languages,
               static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - self_test_start)
                                          .count()));

  if (!o.restore_from.empty()) {
    const std::string db = o.data_dir + "/db";
    if (absl::Status s = judge::Store::Restore(o.restore_from, db); !s.ok()) {
      return Fail(std::string(s.message()));
    }
    spdlog::info("restored the store from {} into {}", o.restore_from, db);
  }
  judge::WebhookRegistry webhooks;
  if (!o.webhooks.empty()) {
    absl::StatusOr<judge::WebhookRegistry> loaded_hooks = judge::WebhookRegistry::Load(o.webhooks);
    if (!loaded_hooks.ok()) return Fail(std::string(loaded_hooks.status().message()));
    webhooks = *std::move(loaded_hooks);
  }
  auto store = judge::Store::Open(o.data_dir + "/db");
  if (!store.ok()) return Fail(std::string(store.status().message()));
  judge::Hub hub;
  judge::Metrics metrics;
  std::unique_ptr<judge::WebhookSender> sender;
  if (webhooks.size() > 0) {
    judge::WebhookSenderOptions w;
    w.give_up = std::chrono::seconds(o.webhook_give_up_s);
    w.allow_link_local = o.webhook_allow_link_local;
    sender = std::make_unique<judge::WebhookSender>(store->get(), &webhooks, w);
    metrics.AddRenderer([&sender] { return sender->RenderMetrics(); });
  }
  std::unique_ptr<judge::NatsLink> cluster;
  if (!o.nats.empty()) {
    judge::NatsOptions n;
    n.url = o.nats;
    n.node_id = o.node_id;
    n.advertise = o.advertise;
    n.replicas = o.nats_replicas;
    n.lease = std::chrono::seconds(o.lease_s);
    n.max_jobs = static_cast<int64_t>(o.queue_limit);
    n.node_ttl = std::chrono::seconds(o.node_ttl_s);
    n.creds_file = o.nats_creds;
    n.tls_ca = o.nats_ca;
    n.tls_cert = o.nats_cert;
    n.tls_key = o.nats_key;
    absl::StatusOr<std::unique_ptr<judge::NatsLink>> link = judge::NatsLink::Connect(n);
    if (!link.ok()) return Fail(std::string(link.status().message()));
    cluster = *std::move(link);
  }
  judge::Engine engine(store->get(), &grader, &challenges, &hub, &metrics, [&] {
    judge::EngineOptions e;
    e.workers = o.workers;
    e.live_workers = o.live_workers;
    e.queue_limit = o.queue_limit;
    e.live_queue_limit = o.live_queue_limit;
    e.stop_grace = std::chrono::seconds(o.shutdown_grace_s);
    e.host_retries = o.host_retries;
    e.rejudge_delay = std::chrono::milliseconds(o.rejudge_delay_ms);
    if (sender) {
      e.webhooks = &webhooks;
      e.on_outbox = [&sender] { sender->Wake(); };
    }
    e.cluster = cluster.get();
    e.retain_sources = std::chrono::seconds(static_cast<int64_t>(o.retain_sources_days * 86400));
    return e;
  }());
  judge::ApiOptions api_options;
  api_options.max_source_bytes = o.max_source_bytes;
  api_options.candidate_rate = o.rate_limit > 0 ? o.rate_limit : o.candidate_rate;
  api_options.interviewer_rate = o.rate_limit > 0 ? o.rate_limit : o.interviewer_rate;
  api_options.platform_rate = o.rate_limit > 0 ? o.rate_limit : o.platform_rate;
  api_options.admin_rate = o.rate_limit > 0 ? o.rate_limit : o.admin_rate;
  judge::JudgeApi api(&*keys, &challenges, store->get(), &engine, &hub, &metrics, api_options);
  // A cluster node forwards calls to other nodes: those run on threads of their own.
  judge::JudgeServiceImpl service(&api, o.nats.empty() ? 0 : 32);
  std::unique_ptr<judge::PeerTrust> peer_trust;
  std::unique_ptr<judge::GrpcPeers> peers;
  if (cluster) {
    std::shared_ptr<grpc::ChannelCredentials> peer_credentials = grpc::InsecureChannelCredentials();
    if (!o.tls_cert.empty() || !o.peer_ca.empty()) {
      grpc::SslCredentialsOptions ssl;
      ssl.pem_root_certs = ReadAll(peer_ca);
      if (!o.peer_cert.empty()) {
        ssl.pem_cert_chain = ReadAll(o.peer_cert);
        ssl.pem_private_key = ReadAll(o.peer_key);
      }
      peer_credentials = grpc::SslCredentials(ssl);
    }
    peer_trust = std::make_unique<judge::PeerTrust>(
        judge::PeerTrustOptions{o.node_id, o.advertise, cluster_secret, !o.peer_cert.empty()});
    peers = std::make_unique<judge::GrpcPeers>(peer_credentials, peer_trust.get(),
                                               std::chrono::milliseconds(o.peer_timeout_ms));
    api.JoinCluster(cluster.get(), peers.get(), peer_trust.get());
    metrics.AddRenderer([&cluster] {
      return absl::StrCat(
          "# HELP judge_cluster_nodes Nodes of the cluster alive now (this one included).\n"
          "# TYPE judge_cluster_nodes gauge\njudge_cluster_nodes ",
          cluster->Nodes().size(),
          "\n# HELP judge_cluster_nats_connected 1 while this node is connected to NATS.\n"
          "# TYPE judge_cluster_nats_connected gauge\njudge_cluster_nats_connected ",
          cluster->Connected() ? 1 : 0, "\n");
    });
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  const bool tls = !o.tls_cert.empty();
  std::string tls_cert, tls_key;
  if (tls) {
    tls_cert = ReadAll(o.tls_cert);
    tls_key = ReadAll(o.tls_key);
  }
  // The gRPC server. Plaintext: it has no listener of its own; the acceptor below admits
  // connections and hands them over. TLS: gRPC listens (it can only take plaintext
  // connections from a descriptor), with its handshake bounded.
  int port = 0;
  auto build_server = [&]() -> std::unique_ptr<grpc::Server> {
    grpc::ServerBuilder builder;
    if (tls) {
      grpc::SslServerCredentialsOptions ssl;
      ssl.pem_key_cert_pairs.push_back({tls_key, tls_cert});
      if (!o.peer_cert.empty()) {
        // Mutual TLS between the nodes: a client certificate is asked for and, when one is
        // shown, verified against the cluster's CA; clients without one connect as before.
        ssl.pem_root_certs = ReadAll(peer_ca);
        ssl.client_certificate_request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
      }
      builder.AddListeningPort(o.listen, grpc::SslServerCredentials(ssl), &port);
    }
    builder.RegisterService(&service);
    builder.SetMaxReceiveMessageSize(8 << 20);
    builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, o.preface_timeout_ms);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, o.idle_timeout_s * 1000);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, o.max_connection_age_s * 1000);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               o.max_connection_age_grace_s * 1000);
    // Ping a silent peer every 2 minutes and drop it after 20 s without an answer (half-open
    // connections); a client pinging more often than every 10 s without data is sent away.
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 120000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 100);
    // Metadata up to 64 KiB reaches the service, so an oversized token is UNAUTHENTICATED with
    // a reason rather than a transport error.
    builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, 64 << 10);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (server) {
      server->GetHealthCheckService()->SetServingStatus(true);
      server->GetHealthCheckService()->SetServingStatus("judge.v1.JudgeService", true);
    }
    return server;
  };
  std::unique_ptr<grpc::Server> server = build_server();
  if (!server || (tls && port == 0)) return Fail("cannot listen on " + o.listen);
  judge::AcceptorOptions acceptor_options;
  acceptor_options.max_connections = o.max_connections;
  acceptor_options.max_per_peer = o.max_connections_per_peer;
  acceptor_options.preface_timeout_ms = o.preface_timeout_ms;
  std::unique_ptr<judge::Acceptor> acceptor;
  grpc::Server* live_server = server.get();
  auto open_front_door = [&] {
    return judge::Acceptor::Listen(o.listen, acceptor_options, [&live_server](int fd) {
      grpc::AddInsecureChannelFromFd(live_server, fd);
    });
  };
  if (!tls) {
    auto a = open_front_door();
    if (!a.ok()) return Fail(std::string(a.status().message()));
    acceptor = std::move(*a);
    port = acceptor->port();
  }
  std::mutex front_door_mu;  // the acceptor, swapped by the watchdog, read by metrics
  metrics.AddRenderer([&acceptor, &front_door_mu] {
    std::lock_guard<std::mutex> lock(front_door_mu);
    if (!acceptor) return std::string();
    judge::AcceptorStats st = acceptor->Stats();
    std::string out = absl::StrCat(
        "# HELP judge_connections Client connections open (admitted) and being checked.\n"
        "# TYPE judge_connections gauge\njudge_connections{state=\"open\"} ",
        st.open, "\njudge_connections{state=\"checking\"} ", st.checking,
        "\n# HELP judge_connections_refused_total Connections closed at the door, by reason.\n"
        "# TYPE judge_connections_refused_total counter\n");
    for (const auto& [reason, n] : st.refused) {
      absl::StrAppend(&out, "judge_connections_refused_total{reason=\"", reason, "\"} ", n, "\n");
    }
    return out;
  });

  judge::MetricsServer metrics_server(&metrics);
  if (!o.metrics_listen.empty()) {
    if (absl::Status s = metrics_server.Start(o.metrics_listen); !s.ok()) {
      server->Shutdown();
      return Fail(std::string(s.message()));
    }
    spdlog::info("metrics on {} (port {})", o.metrics_listen, metrics_server.port());
  }
  std::unique_ptr<judge::HttpServer> http;
  if (!o.http_listen.empty()) {
    judge::HttpOptions h;
    h.listen = o.http_listen;
    h.tls_cert = o.tls_cert;
    h.tls_key = o.tls_key;
    h.web_root = o.web_root;
    h.cors_origin = o.http_cors_origin;
    h.max_body_bytes = std::max<size_t>(4 << 20, o.max_source_bytes * 6 + (1 << 20) * 6);
    h.max_streams = o.http_max_streams;
    h.keepalive_s = o.http_keepalive_s;
    http = std::make_unique<judge::HttpServer>(&api, h);
    if (absl::Status s = http->Start(); !s.ok()) {
      server->Shutdown();
      return Fail(std::string(s.message()));
    }
    metrics.AddRenderer([&http] { return http->RenderMetrics(); });
    spdlog::info("http on {} (port {}, {}): the page at {}://{}/", o.http_listen, http->port(),
                 tls ? "TLS" : "plaintext", tls ? "https" : "http", o.http_listen);
  }
  if (sender) {
    if (absl::Status s = sender->Start(); !s.ok()) return Fail(std::string(s.message()));
    spdlog::info("webhooks: {} keys", webhooks.size());
  }
  if (absl::Status s = engine.Start(); !s.ok()) {
    server->Shutdown();
    return Fail(std::string(s.message()));
  }
  spdlog::info("judged listening on {} (port {}), {} challenges, {} workers, {}", o.listen, port,
               challenges.size(), o.workers, o.tls_cert.empty() ? "plaintext" : "TLS");

  // The watchdog: the front door must keep answering. Plaintext: the acceptor's loop must
  // keep turning; TLS: a health check through gRPC's own listener must succeed. When either
  // fails three times in a row the front door is rebuilt (queued work lives in the engine and
  // the store, untouched), and the health status and a metric say so meanwhile.
  std::atomic<bool> front_door_ok{true};
  std::atomic<int64_t> front_door_restarts{0};
  metrics.AddRenderer([&] {
    return absl::StrCat(
        "# HELP judge_front_door_up 1 while the listener answers its self-probe.\n"
        "# TYPE judge_front_door_up gauge\njudge_front_door_up ",
        front_door_ok ? 1 : 0,
        "\n# HELP judge_front_door_restarts_total Listener rebuilds after failed self-probes.\n"
        "# TYPE judge_front_door_restarts_total counter\njudge_front_door_restarts_total ",
        front_door_restarts.load(), "\n");
  });
  std::mutex watchdog_mu;
  std::condition_variable watchdog_cv;
  bool watchdog_stop = false;
  std::thread watchdog([&] {
    int failures = 0;
    std::unique_lock<std::mutex> lock(watchdog_mu);
    while (!watchdog_cv.wait_for(lock, std::chrono::seconds(2), [&] { return watchdog_stop; })) {
      bool ok = true;
      if (acceptor) {
        ok = acceptor->Alive(std::chrono::seconds(5));
      } else {
        grpc::SslCredentialsOptions client_ssl;
        client_ssl.pem_root_certs = tls_cert;
        grpc::ChannelArguments args;
        args.SetSslTargetNameOverride("localhost");
        auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                                 grpc::SslCredentials(client_ssl), args);
        ok = channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(3));
      }
      failures = ok ? 0 : failures + 1;
      front_door_ok = failures < 3;
      if (failures < 3) continue;
      spdlog::error("the front door failed 3 self-probes: rebuilding it (queued work is kept)");
      server->GetHealthCheckService()->SetServingStatus("judge.v1.JudgeService", false);
      if (acceptor) {
        std::lock_guard<std::mutex> front_door_lock(front_door_mu);
        acceptor.reset();
        auto a = open_front_door();
        if (a.ok()) acceptor = std::move(*a);
      } else {
        server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
        server = build_server();
        live_server = server.get();
      }
      if (server) server->GetHealthCheckService()->SetServingStatus("judge.v1.JudgeService", true);
      ++front_door_restarts;
      failures = 0;
    }
  });

  int sig = 0;
  sigwait(&stop_signals, &sig);
  {
    std::lock_guard<std::mutex> lock(watchdog_mu);
    watchdog_stop = true;
  }
  watchdog_cv.notify_all();
  watchdog.join();
  if (acceptor) acceptor->Stop();
  spdlog::info(
      "signal {}: shutting down: no new work; running gradings get {} s, the rest "
      "stays queued for the next start",
      sig, o.shutdown_grace_s);
  server->GetHealthCheckService()->SetServingStatus(false);
  // New Submit and RunLive calls get UNAVAILABLE at once; reads keep being answered while the
  // running gradings finish.
  engine.Stop();
  if (cluster) cluster->Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (http) http->Stop();
  if (sender) sender->Stop();
  metrics_server.Stop();
  if (absl::Status s = (*store)->Close(); !s.ok()) return Fail(std::string(s.message()));
  spdlog::info("stopped cleanly");
  return 0;
}
