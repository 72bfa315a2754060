#include "judge/service/front_door.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_posix.h"
#include "judge/api/prometheus.h"
#include "spdlog/spdlog.h"

namespace judge {

absl::StatusOr<std::unique_ptr<FrontDoor>> FrontDoor::Open(FrontDoorOptions options,
                                                           grpc::Service* service,
                                                           Metrics* metrics) {
  std::unique_ptr<FrontDoor> door(new FrontDoor(std::move(options), service));
  door->server_ = door->BuildServer();
  if (!door->server_ || (door->tls() && door->port_ == 0)) {
    return absl::UnavailableError("cannot listen on " + door->options_.listen);
  }
  door->live_server_ = door->server_.get();
  if (!door->tls()) {
    absl::StatusOr<std::unique_ptr<Acceptor>> a = door->OpenAcceptor();
    if (!a.ok()) {
      door->server_->Shutdown();
      return a.status();
    }
    door->acceptor_ = *std::move(a);
    door->port_ = door->acceptor_->port();
  }
  door->AddMetrics(metrics);
  door->watchdog_ = std::thread([d = door.get()] { d->Watch(); });
  return door;
}

FrontDoor::~FrontDoor() {
  StopAccepting();
  if (server_) server_->Shutdown(std::chrono::system_clock::now());
}

// Plaintext: gRPC has no listener of its own; the acceptor admits connections and hands them
// over. TLS: gRPC listens (it can only take plaintext connections from a descriptor), with its
// handshake bounded.
std::unique_ptr<grpc::Server> FrontDoor::BuildServer() {
  grpc::ServerBuilder builder;
  if (tls()) {
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({options_.tls_key_pem, options_.tls_cert_pem});
    if (!options_.client_ca_pem.empty()) {
      // Mutual TLS between the nodes: a client certificate is asked for and, when one is
      // shown, verified against the cluster's CA; clients without one connect as before.
      ssl.pem_root_certs = options_.client_ca_pem;
      ssl.client_certificate_request = GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    builder.AddListeningPort(options_.listen, grpc::SslServerCredentials(ssl), &port_);
  }
  builder.RegisterService(service_);
  builder.SetMaxReceiveMessageSize(8 << 20);
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, options_.handshake_timeout_ms);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, options_.idle_timeout_s * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, options_.max_connection_age_s * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             options_.max_connection_age_grace_s * 1000);
  // Ping a silent peer every 2 minutes and drop it after 20 s without an answer (half-open
  // connections); a client pinging more often than every 10 s without data is sent away.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 120000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 100);
  // Metadata up to 64 KiB reaches the service, so an oversized token is UNAUTHENTICATED with a
  // reason rather than a transport error.
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, 64 << 10);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server) {
    server->GetHealthCheckService()->SetServingStatus(true);
    server->GetHealthCheckService()->SetServingStatus("judge.v1.JudgeService", true);
  }
  return server;
}

absl::StatusOr<std::unique_ptr<Acceptor>> FrontDoor::OpenAcceptor() {
  AcceptorOptions a;
  a.budget = options_.budget;
  a.preface_timeout_ms = options_.handshake_timeout_ms;
  return Acceptor::Listen(options_.listen, a, [this](int fd) {
    grpc::AddInsecureChannelFromFd(live_server_.load(), fd);
  });
}

// Plaintext: the acceptor's loop must keep turning; TLS: a health check through gRPC's own
// listener must succeed.
bool FrontDoor::Probe() {
  if (acceptor_) return acceptor_->Alive(std::chrono::seconds(5));
  grpc::SslCredentialsOptions client_ssl;
  client_ssl.pem_root_certs = options_.tls_cert_pem;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_),
                                           grpc::SslCredentials(client_ssl), args);
  return channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(3));
}

// When the door fails three probes in a row it is rebuilt, and the health status and a metric
// say so meanwhile.
void FrontDoor::Watch() {
  int failures = 0;
  std::unique_lock<std::mutex> lock(watchdog_mu_);
  while (!watchdog_cv_.wait_for(lock, std::chrono::seconds(2), [&] { return watchdog_stop_; })) {
    failures = Probe() ? 0 : failures + 1;
    ok_ = failures < 3;
    if (failures < 3) continue;
    spdlog::error("the front door failed 3 self-probes: rebuilding it (queued work is kept)");
    server_->GetHealthCheckService()->SetServingStatus("judge.v1.JudgeService", false);
    if (acceptor_) {
      std::lock_guard<std::mutex> door_lock(mu_);
      acceptor_.reset();
      absl::StatusOr<std::unique_ptr<Acceptor>> a = OpenAcceptor();
      if (a.ok()) acceptor_ = *std::move(a);
    } else {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
      server_ = BuildServer();
      live_server_ = server_.get();
    }
    if (server_) server_->GetHealthCheckService()->SetServingStatus("judge.v1.JudgeService", true);
    ++restarts_;
    failures = 0;
  }
}

void FrontDoor::AddMetrics(Metrics* metrics) {
  metrics->AddRenderer([this] {
    std::lock_guard<std::mutex> lock(mu_);
    if (!acceptor_) return std::string();
    AcceptorStats st = acceptor_->Stats();
    PromText p;
    p.Family("judge_connections", "gauge", "Client connections open (admitted) and being checked.")
        .Sample("judge_connections", st.open, "state", "open")
        .Sample("judge_connections", st.checking, "state", "checking")
        .Family("judge_connections_refused_total", "counter",
                "Connections closed at the door, by reason.");
    for (const auto& [reason, n] : st.refused) {
      p.Sample("judge_connections_refused_total", n, "reason", reason);
    }
    return p.str();
  });
  metrics->AddRenderer([this] {
    return PromText()
        .One("judge_front_door_up", "gauge", "1 while the listener answers its self-probe.",
             ok_ ? 1 : 0)
        .One("judge_front_door_restarts_total", "counter",
             "Listener rebuilds after failed self-probes.", restarts_.load())
        .str();
  });
}

void FrontDoor::StopAccepting() {
  {
    std::lock_guard<std::mutex> lock(watchdog_mu_);
    watchdog_stop_ = true;
  }
  watchdog_cv_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (acceptor_) acceptor_->Stop();
  }
  if (server_) server_->GetHealthCheckService()->SetServingStatus(false);
}

void FrontDoor::Shutdown(std::chrono::system_clock::time_point deadline) {
  if (server_) server_->Shutdown(deadline);
}

}  // namespace judge
