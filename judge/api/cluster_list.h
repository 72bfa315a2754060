// Listings across a cluster (submissions, sessions): each node's own listing (this node's
// through `here_list`, the others' through `peer_list`), merged newest first, with one page token
// that holds where each node stopped. Knows the cluster interfaces, not the parts that call it.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "judge/api/cluster.h"
#include "judge/v1/judge.pb.h"

namespace judge {

// The page token: where each node's listing stopped ("~" when that node has no more).
absl::StatusOr<std::map<std::string, std::string>> DecodeClusterCursors(const std::string& token);
std::string EncodeClusterCursors(const std::map<std::string, std::string>& cursors);

// `Resp` has `items` (a repeated message field with an `id`, newest first within a node, ids
// ordering by time before their ".<node>") and next_page_token; `Req` has page_size and
// page_token.
template <typename Req, typename Resp, typename Item>
absl::StatusOr<Resp> ListEverywhere(
    const ClusterLink& cluster, const Principal& who, const Req& req,
    const std::function<absl::StatusOr<Resp>(const Principal&, const Req&)>& here_list,
    const std::function<absl::StatusOr<Resp>(const std::string&, const Principal&, const Req&)>&
        peer_list,
    google::protobuf::RepeatedPtrField<Item>* (Resp::*items)()) {
  const uint32_t page_size = req.page_size() == 0 ? 20 : req.page_size();
  if (page_size > 100) return absl::InvalidArgumentError("page_size must be between 1 and 100");
  absl::StatusOr<std::map<std::string, std::string>> decoded =
      DecodeClusterCursors(req.page_token());
  if (!decoded.ok()) return decoded.status();
  std::map<std::string, std::string> cursors = *std::move(decoded);
  struct Part {
    std::string node;
    std::vector<Item> items;
    size_t taken = 0;
    bool more = false;  // the node has more past what it returned
  };
  std::vector<Part> parts;
  for (const auto& [node, address] : cluster.Nodes()) {
    if (cursors[node] == "~") continue;
    Req local = req;
    local.set_page_token(cursors[node]);
    local.set_page_size(page_size);
    Principal here = who;
    here.this_node_only = true;
    absl::StatusOr<Resp> got =
        node == cluster.node_id() ? here_list(here, local) : peer_list(address, who, local);
    if (!got.ok()) {
      return absl::Status(got.status().code(),
                          absl::StrCat("listing on node ", node, ": ", got.status().message()));
    }
    Part part;
    part.node = node;
    for (Item& item : *((*got).*items)()) part.items.push_back(std::move(item));
    part.more = !got->next_page_token().empty();
    parts.push_back(std::move(part));
  }
  // Newest first across nodes: ids order by time before the node id.
  auto key = [](const std::string& id) { return std::make_pair(id.substr(0, id.find('.')), id); };
  Resp resp;
  while (static_cast<uint32_t>((resp.*items)()->size()) < page_size) {
    Part* best = nullptr;
    for (Part& p : parts) {
      if (p.taken == p.items.size()) continue;
      if (best == nullptr || key(p.items[p.taken].id()) > key(best->items[best->taken].id())) {
        best = &p;
      }
    }
    if (best == nullptr) break;
    *(resp.*items)()->Add() = best->items[best->taken++];
  }
  bool any_more = false;
  for (Part& p : parts) {
    if (p.taken > 0) cursors[p.node] = p.items[p.taken - 1].id();
    if (p.taken == p.items.size() && !p.more) {
      cursors[p.node].assign(1, '~');  // (not = "~": a GCC 12 -Wrestrict false alarm)
    } else {
      any_more = true;
    }
  }
  if (any_more) resp.set_next_page_token(EncodeClusterCursors(cursors));
  return resp;
}

// ListSubmissions across the cluster.
using ListHere = std::function<absl::StatusOr<judge::v1::ListSubmissionsResponse>(
    const Principal& who, const judge::v1::ListSubmissionsRequest& req)>;
absl::StatusOr<judge::v1::ListSubmissionsResponse> ListEverywhere(
    const ClusterLink& cluster, Peers* peers, const Principal& who,
    const judge::v1::ListSubmissionsRequest& req, const ListHere& here_list);

}  // namespace judge
