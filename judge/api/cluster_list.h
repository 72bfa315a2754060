// ListSubmissions across a cluster: each node's own listing (this node's through `here_list`,
// the others' through Peers), merged newest first, with one page token that holds where each
// node stopped. Knows the cluster interfaces, not the reads that call it.
#pragma once

#include <functional>

#include "absl/status/statusor.h"
#include "judge/api/cluster.h"
#include "judge/v1/judge.pb.h"

namespace judge {

using ListHere = std::function<absl::StatusOr<judge::v1::ListSubmissionsResponse>(
    const Principal& who, const judge::v1::ListSubmissionsRequest& req)>;

absl::StatusOr<judge::v1::ListSubmissionsResponse> ListEverywhere(
    const ClusterLink& cluster, Peers* peers, const Principal& who,
    const judge::v1::ListSubmissionsRequest& req, const ListHere& here_list);

}  // namespace judge
