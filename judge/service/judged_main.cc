// judged: the judge service.
//   judged --listen 127.0.0.1:50051 --data-dir var/data --challenges challenges --keys var/keys
//          [--workers N] [--prespawn N] [--metrics-listen HOST:PORT] [--tls-cert F --tls-key F]
//          [--queue-limit N] [--max-source-bytes N] [--rate-limit PER_SECOND]
//          [--http-listen HOST:PORT [--web-root DIR] [--http-cors-origin ORIGIN]]
// Loads and validates every challenge, self-tests each toolchain, opens the store, judges again
// whatever was left unfinished, and serves until SIGTERM or SIGINT (then stops accepting,
// finishes what is being judged, and closes the store). main() is the list of those steps; the
// parts are judged_options (flags), front_door (gRPC), cluster_node (--nats), judge/http (the
// page and the JSON API) and judge/api (the engine and the front door's rules).
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "judge/api/engine.h"
#include "judge/api/judge_api.h"
#include "judge/api/log.h"
#include "judge/core/compiler.h"
#include "judge/core/grader.h"
#include "judge/http/http_server.h"
#include "judge/http/metrics_server.h"
#include "judge/http/webhook_sender.h"
#include "judge/service/acceptor.h"
#include "judge/service/cluster_node.h"
#include "judge/service/front_door.h"
#include "judge/service/judged_options.h"
#include "judge/service/service.h"
#include "sandbox/sandbox.h"

namespace {

using judge::JudgedOptions;

int Fail(const absl::Status& status) {
  std::cerr << "judged: " << status.message() << "\n";
  return 1;
}

// SIGTERM and SIGINT are taken by sigwait at the end of main; no other thread sees them.
sigset_t BlockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return stop_signals;
}

// As nginx and envoy do: every descriptor the hard limit allows. Connections get what the
// reserve leaves; judging and RocksDB keep the reserve whatever the network does.
absl::Status BudgetDescriptors(JudgedOptions* o) {
  const auto [nofile_before, nofile] = judge::RaiseDescriptorLimit();
  if (nofile <= o->fd_reserve + 16) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the descriptor limit (", nofile, ") leaves no room beside --fd-reserve ",
                     o->fd_reserve, "; raise `ulimit -Hn` or lower --fd-reserve"));
  }
  if (o->max_connections == 0) o->max_connections = nofile - o->fd_reserve;
  if (o->max_connections > nofile - o->fd_reserve) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-connections ", o->max_connections, " would eat into the ",
                     o->fd_reserve, " descriptors reserved for judging (limit ", nofile, ")"));
  }
  spdlog::info(
      "descriptors: soft limit {} (was {}), {} reserved for judging, at most {} "
      "connections ({} per peer)",
      nofile, nofile_before, o->fd_reserve, o->max_connections, o->max_connections_per_peer);
  return absl::OkStatus();
}

absl::StatusOr<judge::ChallengeMap> LoadChallengeMap(const std::string& dir) {
  auto loaded = judge::LoadChallenges(dir);
  if (!loaded.ok()) return loaded.status();
  judge::ChallengeMap challenges;
  for (const auto& ch : *loaded) challenges[ch->manifest.id()] = ch;
  return challenges;
}

// The data dir exists; it and the challenges are reachable by the boxes (compiled programs and
// test files are bind-mounted into them).
absl::Status PrepareDataDir(const JudgedOptions& o) {
  if (mkdir(o.data_dir.c_str(), 0711) != 0 && errno != EEXIST) {
    return absl::ErrnoToStatus(errno, "cannot create --data-dir " + o.data_dir);
  }
  for (const std::string& dir : {o.data_dir, o.challenges}) {
    char real[PATH_MAX];
    if (realpath(dir.c_str(), real) == nullptr) return absl::ErrnoToStatus(errno, dir);
    if (absl::Status s = sandbox::Sandbox::CheckReachableByBoxes(real); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<sandbox::Sandbox>> StartSandbox(const JudgedOptions& o) {
  sandbox::SandboxOptions sb;
  sb.runtime_dir = o.sandbox_dir;
  // Two boxes a grading at most (an interactive test: the program and its validator), for the
  // workers and for an import's verification (as many again as there are workers).
  sb.slots = static_cast<uint32_t>(2 * o.workers + o.live_workers) * 2 + 2;
  // A box per worker waits ready, its namespaces made and its root built for the mounts of the
  // worker's last run (most runs are the next test of the same submission).
  sb.prespawn = static_cast<uint32_t>(o.prespawn >= 0 ? o.prespawn : o.workers);
  sb.uid_base = o.uid_base;
  auto made = sandbox::Sandbox::Create(sb);
  if (!made.ok()) return made.status();
  spdlog::info("sandbox: {}, {} slots, {} boxes kept ready, box uids {}-{} (this judge's alone)",
               (*made)->cgroups().Describe(), sb.slots, sb.prespawn, (*made)->uid_base(),
               (*made)->uid_base() + (*made)->uid_count() - 1);
  return made;
}

absl::Status SelfTestToolchains(judge::Grader& grader) {
  const auto start = std::chrono::steady_clock::now();
  if (absl::Status s = grader.SelfTest(); !s.ok()) return s;
  std::string languages;
  for (const judge::Language& l : judge::Languages()) {
    absl::StrAppend(&languages, languages.empty() ? "" : ", ", l.id);
  }
  spdlog::info("toolchains ok: {} (self-test in {} ms)", languages,
               static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - start)
                                          .count()));
  return absl::OkStatus();
}

absl::StatusOr<judge::WebhookRegistry> LoadWebhooks(const JudgedOptions& o) {
  if (o.webhooks.empty()) return judge::WebhookRegistry();
  return judge::WebhookRegistry::Load(o.webhooks);
}

judge::EngineOptions EngineOptionsFrom(const JudgedOptions& o, const judge::WebhookRegistry* hooks,
                                       judge::WebhookSender* sender, judge::NatsLink* cluster) {
  judge::EngineOptions e;
  e.workers = o.workers;
  e.live_workers = o.live_workers;
  e.queue_limit = o.queue_limit;
  e.live_queue_limit = o.live_queue_limit;
  e.stop_grace = std::chrono::seconds(o.shutdown_grace_s);
  e.host_retries = o.host_retries;
  e.rejudge_delay = std::chrono::milliseconds(o.rejudge_delay_ms);
  if (sender != nullptr) {
    e.webhooks = hooks;
    e.on_outbox = [sender] { sender->Wake(); };
  }
  e.cluster = cluster;
  e.retain_sources = std::chrono::seconds(static_cast<int64_t>(o.retain_sources_days * 86400));
  return e;
}

judge::ApiOptions ApiOptionsFrom(const JudgedOptions& o) {
  judge::ApiOptions a;
  a.max_source_bytes = o.max_source_bytes;
  a.candidate_rate = o.rate_limit > 0 ? o.rate_limit : o.candidate_rate;
  a.interviewer_rate = o.rate_limit > 0 ? o.rate_limit : o.interviewer_rate;
  a.platform_rate = o.rate_limit > 0 ? o.rate_limit : o.platform_rate;
  a.admin_rate = o.rate_limit > 0 ? o.rate_limit : o.admin_rate;
  return a;
}

judge::FrontDoorOptions FrontDoorOptionsFrom(const JudgedOptions& o,
                                             judge::ConnectionBudget* budget) {
  judge::FrontDoorOptions f;
  f.listen = o.listen;
  if (!o.tls_cert.empty()) {
    f.tls_cert_pem = judge::ReadAll(o.tls_cert);
    f.tls_key_pem = judge::ReadAll(o.tls_key);
    if (!o.peer_cert.empty()) f.client_ca_pem = judge::ReadAll(o.peer_ca_file);
  }
  f.handshake_timeout_ms = o.preface_timeout_ms;
  f.idle_timeout_s = o.idle_timeout_s;
  f.max_connection_age_s = o.max_connection_age_s;
  f.max_connection_age_grace_s = o.max_connection_age_grace_s;
  f.budget = budget;
  return f;
}

judge::HttpOptions HttpOptionsFrom(const JudgedOptions& o, judge::ConnectionBudget* budget) {
  judge::HttpOptions h;
  h.budget = budget;
  h.listen = o.http_listen;
  h.tls_cert = o.tls_cert;
  h.tls_key = o.tls_key;
  h.web_root = o.web_root;
  h.cors_origin = o.http_cors_origin;
  h.max_body_bytes = std::max<size_t>(4 << 20, o.max_source_bytes * 6 + (1 << 20) * 6);
  h.max_streams = o.http_max_streams;
  h.keepalive_s = o.http_keepalive_s;
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  judge::InitLogging();
  JudgedOptions o;
  CLI::App app{"judged: the coding-challenge judge service (gRPC judge.v1.JudgeService)", "judged"};
  judge::AddJudgedFlags(app, &o);
  CLI11_PARSE(app, argc, argv);
  if (absl::Status s = judge::FinishJudgedOptions(&o); !s.ok()) return Fail(s);
  sigset_t stop_signals = BlockStopSignals();
  if (absl::Status s = BudgetDescriptors(&o); !s.ok()) return Fail(s);

  // What is judged, by whom, where.
  absl::StatusOr<judge::KeyStore> keys = judge::KeyStore::Load(o.keys);
  if (!keys.ok()) return Fail(keys.status());
  if (keys->size() == 0)
    return Fail(absl::InvalidArgumentError("keys file " + o.keys + " holds no keys"));
  absl::StatusOr<judge::ChallengeMap> challenges = LoadChallengeMap(o.challenges);
  if (!challenges.ok()) return Fail(challenges.status());
  if (absl::Status s = PrepareDataDir(o); !s.ok()) return Fail(s);
  auto sb = StartSandbox(o);
  if (!sb.ok()) return Fail(sb.status());
  judge::Compiler compiler(sb->get(), o.data_dir + "/cache", o.cache_entries);
  if (absl::Status s = compiler.Init(); !s.ok()) return Fail(s);
  judge::Grader grader(sb->get(), &compiler, judge::GraderOptions{o.sql_runner});
  if (absl::Status s = SelfTestToolchains(grader); !s.ok()) return Fail(s);

  // The store, and what judging feeds: events, metrics, webhooks, the cluster.
  if (!o.restore_from.empty()) {
    if (absl::Status s = judge::Store::Restore(o.restore_from, o.data_dir + "/db"); !s.ok()) {
      return Fail(s);
    }
    spdlog::info("restored the store from {} into {}/db", o.restore_from, o.data_dir);
  }
  absl::StatusOr<judge::WebhookRegistry> webhooks = LoadWebhooks(o);
  if (!webhooks.ok()) return Fail(webhooks.status());
  auto store = judge::Store::Open(o.data_dir + "/db");
  if (!store.ok()) return Fail(store.status());
  judge::Hub hub;
  judge::Metrics metrics;
  std::unique_ptr<judge::WebhookSender> sender;
  if (webhooks->size() > 0) {
    judge::WebhookSenderOptions w;
    w.give_up = std::chrono::seconds(o.webhook_give_up_s);
    w.allow_link_local = o.webhook_allow_link_local;
    sender = std::make_unique<judge::WebhookSender>(store->get(), &*webhooks, w);
    metrics.AddRenderer([&sender] { return sender->RenderMetrics(); });
  }
  absl::StatusOr<std::unique_ptr<judge::NatsLink>> cluster = judge::ConnectNats(o);
  if (!cluster.ok()) return Fail(cluster.status());
  judge::Catalog catalog(*std::move(challenges));
  judge::Engine engine(store->get(), &grader, &catalog, &hub, &metrics,
                       EngineOptionsFrom(o, &*webhooks, sender.get(), cluster->get()));
  judge::JudgeApi api(&*keys, &catalog, store->get(), &engine, &hub, &metrics, ApiOptionsFrom(o));
  // Imported challenges: served again from the store before any call.
  api.EnableImports(&catalog, &grader, judge::ImportOptions{o.data_dir, o.workers});
  if (absl::Status s = api.imports()->LoadStored(); !s.ok()) return Fail(s);
  if (*cluster) api.imports()->JoinCluster(cluster->get());
  // A cluster node forwards calls to other nodes: those run on threads of their own.
  judge::JudgeServiceImpl service(&api, o.nats.empty() ? 0 : 32);
  judge::PeerLinks peers;
  if (*cluster) peers = judge::JoinPeers(o, cluster->get(), &api, &metrics);

  // The doors, on one connection budget.
  judge::ConnectionBudget budget(o.max_connections, o.max_connections_per_peer);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  absl::StatusOr<std::unique_ptr<judge::FrontDoor>> door =
      judge::FrontDoor::Open(FrontDoorOptionsFrom(o, &budget), &service, &metrics);
  if (!door.ok()) return Fail(door.status());
  judge::MetricsServer metrics_server(&metrics);
  if (!o.metrics_listen.empty()) {
    if (absl::Status s = metrics_server.Start(o.metrics_listen); !s.ok()) return Fail(s);
    spdlog::info("metrics on {} (port {})", o.metrics_listen, metrics_server.port());
  }
  std::unique_ptr<judge::HttpServer> http;
  if (!o.http_listen.empty()) {
    http = std::make_unique<judge::HttpServer>(&api, HttpOptionsFrom(o, &budget));
    if (absl::Status s = http->Start(); !s.ok()) return Fail(s);
    metrics.AddRenderer([&http] { return http->RenderMetrics(); });
    const bool tls = !o.tls_cert.empty();
    spdlog::info("http on {} (port {}, {}): the page at {}://{}/", o.http_listen, http->port(),
                 tls ? "TLS" : "plaintext", tls ? "https" : "http", o.http_listen);
  }
  if (sender) {
    if (absl::Status s = sender->Start(); !s.ok()) return Fail(s);
    spdlog::info("webhooks: {} keys", webhooks->size());
  }
  if (absl::Status s = engine.Start(); !s.ok()) return Fail(s);
  spdlog::info("judged listening on {} (port {}), {} challenges, {} workers, {}", o.listen,
               (*door)->port(), catalog.All()->size(), o.workers,
               o.tls_cert.empty() ? "plaintext" : "TLS");

  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*door)->StopAccepting();
  spdlog::info(
      "signal {}: shutting down: no new work; running gradings get {} s, the rest "
      "stays queued for the next start",
      sig, o.shutdown_grace_s);
  // New Submit and RunLive calls get UNAVAILABLE at once; reads keep being answered while the
  // running gradings finish.
  engine.Stop();
  api.imports()->Stop();
  if (*cluster) (*cluster)->Stop();
  (*door)->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (http) http->Stop();
  if (sender) sender->Stop();
  metrics_server.Stop();
  if (absl::Status s = (*store)->Close(); !s.ok()) return Fail(s);
  spdlog::info("stopped cleanly");
  return 0;
}
