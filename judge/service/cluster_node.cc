#include "judge/service/cluster_node.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "judge/api/prometheus.h"

namespace judge {

absl::StatusOr<std::unique_ptr<NatsLink>> ConnectNats(const JudgedOptions& o) {
  if (o.nats.empty()) return std::unique_ptr<NatsLink>();
  NatsOptions n;
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
  return NatsLink::Connect(n);
}

PeerLinks JoinPeers(const JudgedOptions& o, NatsLink* link, JudgeApi* api, Metrics* metrics) {
  PeerLinks out;
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!o.tls_cert.empty() || !o.peer_ca.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadAll(o.peer_ca_file);
    if (!o.peer_cert.empty()) {
      ssl.pem_cert_chain = ReadAll(o.peer_cert);
      ssl.pem_private_key = ReadAll(o.peer_key);
    }
    credentials = grpc::SslCredentials(ssl);
  }
  out.trust = std::make_unique<PeerTrust>(
      PeerTrustOptions{o.node_id, o.advertise, o.cluster_secret, !o.peer_cert.empty()});
  out.peers = std::make_unique<GrpcPeers>(credentials, out.trust.get(),
                                          std::chrono::milliseconds(o.peer_timeout_ms));
  api->JoinCluster(link, out.peers.get(), out.trust.get());
  metrics->AddRenderer([link] {
    return PromText()
        .One("judge_cluster_nodes", "gauge", "Nodes of the cluster alive now (this one included).",
             link->Nodes().size())
        .One("judge_cluster_nats_connected", "gauge", "1 while this node is connected to NATS.",
             link->Connected() ? 1 : 0)
        .str();
  });
  return out;
}

}  // namespace judge
