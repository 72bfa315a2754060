// What every part of the front door reads: the judge's pieces (keys, challenges, the store, the
// engine, the hub, metrics), the API's options and rate limits, and, on a cluster node, the
// cluster and its peers. JudgeApi owns one and hands it to its parts (submissions.h, reads.h,
// live_runs.h, reports.h, admin.h); the parts hold no state of their own.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "judge/api/auth.h"
#include "judge/api/cluster.h"
#include "judge/api/engine.h"
#include "judge/api/hub.h"
#include "judge/api/metrics.h"
#include "judge/api/peer_trust.h"
#include "judge/api/rate_limiter.h"
#include "judge/store/store.h"

namespace judge {

struct ApiOptions {
  size_t max_source_bytes = 64 << 10;
  size_t max_custom_stdin_bytes = 1 << 20;
  // Submit (and RunLive) calls per second per key, by role, unless the key sets rate=N. A key
  // may burst to ten seconds' worth (at least 3): a platform opening an assessment to 2,000
  // candidates at once is served at once, a candidate submits a few times a minute.
  double candidate_rate = 0.1;
  double interviewer_rate = 1;
  double platform_rate = 200;
  double admin_rate = 200;
  // A candidate's practice runs (RunLive with a candidate token), per key, apart from Submit's:
  // 30 a minute, in bursts of 10.
  double practice_rate = 0.5;
};

struct ApiContext {
  ApiContext(const KeyStore* keys, const Catalog* challenges, Store* store, Engine* engine,
             Hub* hub, Metrics* metrics, ApiOptions options)
      : keys(keys),
        challenges(challenges),
        store(store),
        engine(engine),
        hub(hub),
        metrics(metrics),
        options(options),
        rates(RateOptions{options.candidate_rate, options.interviewer_rate, options.platform_rate,
                          options.admin_rate, options.practice_rate, 10},
              metrics) {}
  const KeyStore* keys;
  const Catalog* challenges;
  Store* store;
  Engine* engine;
  Hub* hub;
  Metrics* metrics;
  const ApiOptions options;
  RateLimiter rates;
  // Set by JudgeApi::JoinCluster on a cluster node (before serving); nullptr on one node.
  ClusterLink* cluster = nullptr;
  Peers* peers = nullptr;
  const PeerTrust* trust = nullptr;
};

// Letters, digits and -_.@: only, 1..max bytes (ids and candidate ids).
bool ValidName(const std::string& s, size_t max);
bool ValidUtf8(std::string_view s);

// The address of the node that owns submission (or session: `what`) `id` when it is another
// node (forward the call there); "" when it is this node's; UNAVAILABLE when the owner is not
// alive.
absl::StatusOr<std::string> RemoteOwner(const ApiContext& ctx, const std::string& id,
                                        const char* what = "submission");

// An answer forwarded from the owner of submission (or session) `id`: its own errors as it gave
// them, its silence as UNAVAILABLE naming the node.
template <typename T>
absl::StatusOr<T> FromOwner(absl::StatusOr<T> answer, const std::string& id,
                            const char* what = "submission") {
  if (answer.ok() || !absl::IsUnavailable(answer.status())) return answer;
  return absl::UnavailableError(absl::StrCat(what, " ", id, " is kept by node ", OwnerOf(id),
                                             ", which ", answer.status().message()));
}

}  // namespace judge
