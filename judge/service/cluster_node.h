// What makes judged one node of a cluster (--nats): the link to NATS JetStream, the trust
// between nodes, and the calls forwarded to the other nodes. Nothing of it on a single node.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "judge/api/judge_api.h"
#include "judge/api/metrics.h"
#include "judge/api/peer_trust.h"
#include "judge/cluster/nats_link.h"
#include "judge/service/judged_options.h"
#include "judge/service/peers.h"

namespace judge {

// Connects to NATS and sets up the shared queue and buckets; nullptr without --nats.
[[nodiscard]] absl::StatusOr<std::unique_ptr<NatsLink>> ConnectNats(const JudgedOptions& o);

struct PeerLinks {
  std::unique_ptr<PeerTrust> trust;
  std::unique_ptr<GrpcPeers> peers;
};

// Lets `api` forward calls to the other nodes (and recognise theirs), over mutual TLS or with
// the shared secret, and adds the cluster's metrics.
PeerLinks JoinPeers(const JudgedOptions& o, NatsLink* link, JudgeApi* api, Metrics* metrics);

}  // namespace judge
