// judged: the judge service.
//   judged --listen 127.0.0.1:50051 --data-dir var/data --challenges challenges --keys var/keys
//          [--workers N] [--prespawn N] [--metrics-listen HOST:PORT] [--tls-cert F --tls-key F]
//          [--queue-limit N] [--max-source-bytes N] [--rate-limit PER_SECOND]
// Loads and validates every challenge, self-tests each toolchain, opens the store, judges again
// whatever was left unfinished, and serves until SIGTERM or SIGINT (then stops accepting,
// finishes what is being judged, and closes the store).
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "judge/core/compiler.h"
#include "judge/core/grader.h"
#include "judge/service/engine.h"
#include "judge/service/log.h"
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
  double rate_limit = 5;
  std::string sandbox_dir = "/run/judge-sandbox";
  std::string sql_runner;
  size_t cache_entries = 512;
  int prespawn = -1;  // -1: as many as --workers
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The sql-runner next to this binary.
std::string DefaultSqlRunner() {
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "sql-runner";
  std::string path(self, n);
  return path.substr(0, path.rfind('/')) + "/sql-runner";
}

int Fail(const std::string& message) {
  std::cerr << "judged: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"judged: the coding-challenge judge service (gRPC judge.v1.JudgeService)", "judged"};
  app.add_option("--listen", o.listen, "gRPC address")->capture_default_str();
  app.add_option("--data-dir", o.data_dir, "RocksDB store and compile cache")->capture_default_str();
  app.add_option("--challenges", o.challenges, "Directory of challenges")->capture_default_str();
  app.add_option("--keys", o.keys, "Keys file: '<sha256 of token> <role> [<candidate>]' per line")
      ->capture_default_str();
  app.add_option("--workers", o.workers, "Submissions judged at once")->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--metrics-listen", o.metrics_listen, "Serve Prometheus metrics on HOST:PORT");
  app.add_option("--tls-cert", o.tls_cert, "PEM certificate chain (TLS; with --tls-key)");
  app.add_option("--tls-key", o.tls_key, "PEM private key");
  app.add_option("--queue-limit", o.queue_limit, "Queued submissions before RESOURCE_EXHAUSTED")
      ->capture_default_str()->check(CLI::Range(size_t{1}, size_t{1000000}));
  app.add_option("--max-source-bytes", o.max_source_bytes, "Largest accepted source")
      ->capture_default_str()->check(CLI::Range(size_t{1}, size_t{16} << 20));
  app.add_option("--rate-limit", o.rate_limit, "Submit calls per second per token (burst 4x)")
      ->capture_default_str()->check(CLI::Range(0.01, 100000.0));
  app.add_option("--sandbox-dir", o.sandbox_dir, "Sandbox runtime directory")->capture_default_str();
  app.add_option("--sql-runner", o.sql_runner, "sql-runner binary (default: next to judged)");
  app.add_option("--cache-entries", o.cache_entries, "Compiled programs kept")->capture_default_str();
  app.add_option("--prespawn", o.prespawn,
                 "Sandbox boxes cloned ahead of their runs (default: --workers; 0: none)")
      ->check(CLI::Range(0, 256));
  CLI11_PARSE(app, argc, argv);
  if (o.sql_runner.empty()) o.sql_runner = DefaultSqlRunner();
  if (o.tls_cert.empty() != o.tls_key.empty()) return Fail("--tls-cert and --tls-key go together");
  if (access(o.sql_runner.c_str(), X_OK) != 0) return Fail("sql-runner not found at " + o.sql_runner);

  // SIGTERM/SIGINT are taken by sigwait below; no other thread sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

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
  sb_options.slots = static_cast<uint32_t>(o.workers) * 2 + 2;
  // A box per worker waits ready, its namespaces made and its root built for the mounts of the
  // worker's last run (most runs are the next test of the same submission).
  sb_options.prespawn = static_cast<uint32_t>(o.prespawn >= 0 ? o.prespawn : o.workers);
  auto sb = sandbox::Sandbox::Create(sb_options);
  if (!sb.ok()) return Fail(std::string(sb.status().message()));
  judge::LogInfo("sandbox: %s, %u slots, %u boxes kept ready",
                 (*sb)->cgroups().Describe().c_str(), sb_options.slots, sb_options.prespawn);
  judge::Compiler compiler(sb->get(), o.data_dir + "/cache", o.cache_entries);
  if (absl::Status s = compiler.Init(); !s.ok()) return Fail(std::string(s.message()));
  judge::Grader grader(sb->get(), &compiler, judge::GraderOptions{o.sql_runner});
  const auto self_test_start = std::chrono::steady_clock::now();
  if (absl::Status s = grader.SelfTest(); !s.ok()) return Fail(std::string(s.message()));
  std::string languages;
  for (const judge::Language& l : judge::Languages()) {
    absl::StrAppend(&languages, languages.empty() ? "" : ", ", l.id);
  }
  judge::LogInfo("toolchains ok: %s (self-test in %lld ms)", languages.c_str(),
                 static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - self_test_start)
                                            .count()));

  auto store = judge::Store::Open(o.data_dir + "/db");
  if (!store.ok()) return Fail(std::string(store.status().message()));
  judge::Hub hub;
  judge::Metrics metrics;
  judge::Engine engine(store->get(), &grader, &challenges, &hub, &metrics,
                       judge::EngineOptions{o.workers, o.queue_limit});
  judge::ServiceOptions service_options;
  service_options.max_source_bytes = o.max_source_bytes;
  service_options.submits_per_second = o.rate_limit;
  service_options.submit_burst = std::max(1.0, o.rate_limit * 4);
  judge::JudgeServiceImpl service(&*keys, &challenges, store->get(), &engine, &hub, &metrics,
                                  service_options);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!o.tls_cert.empty()) {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({ReadAll(o.tls_key), ReadAll(o.tls_cert)});
    creds = grpc::SslServerCredentials(ssl);
  }
  int port = 0;
  builder.AddListeningPort(o.listen, creds, &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(8 << 20);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) return Fail("cannot listen on " + o.listen);
  server->GetHealthCheckService()->SetServingStatus(true);
  server->GetHealthCheckService()->SetServingStatus("judge.v1.JudgeService", true);

  judge::MetricsServer metrics_server(&metrics);
  if (!o.metrics_listen.empty()) {
    if (absl::Status s = metrics_server.Start(o.metrics_listen); !s.ok()) {
      server->Shutdown();
      return Fail(std::string(s.message()));
    }
    judge::LogInfo("metrics on %s (port %d)", o.metrics_listen.c_str(), metrics_server.port());
  }
  if (absl::Status s = engine.Start(); !s.ok()) {
    server->Shutdown();
    return Fail(std::string(s.message()));
  }
  judge::LogInfo("judged listening on %s (port %d), %zu challenges, %d workers, %s", o.listen.c_str(),
                 port, challenges.size(), o.workers, o.tls_cert.empty() ? "plaintext" : "TLS");

  int sig = 0;
  sigwait(&stop_signals, &sig);
  judge::LogInfo("signal %d: shutting down (finishing submissions being judged)", sig);
  server->GetHealthCheckService()->SetServingStatus(false);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  engine.Stop();
  metrics_server.Stop();
  if (absl::Status s = (*store)->Close(); !s.ok()) return Fail(std::string(s.message()));
  judge::LogInfo("stopped cleanly");
  return 0;
}
