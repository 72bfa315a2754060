#include "judge/api/cluster_list.h"

#include <map>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace judge {

absl::StatusOr<judge::v1::ListSubmissionsResponse> ListEverywhere(
    const ClusterLink& cluster, Peers* peers, const Principal& who,
    const judge::v1::ListSubmissionsRequest& req, const ListHere& here_list) {
  const uint32_t page_size = req.page_size() == 0 ? 20 : req.page_size();
  if (page_size > 100) return absl::InvalidArgumentError("page_size must be between 1 and 100");
  // The token: where each node's listing stopped ("node=last id" joined by ';', "~" when that
  // node has no more), hex-encoded.
  std::map<std::string, std::string> cursors;
  if (!req.page_token().empty()) {
    std::string text;
    if (req.page_token().size() > 8192 ||
        req.page_token().find_first_not_of("0123456789abcdef") != std::string::npos ||
        req.page_token().size() % 2 != 0) {
      return absl::InvalidArgumentError("page_token is not one this server gave out");
    }
    text = absl::HexStringToBytes(req.page_token());
    for (absl::string_view entry : absl::StrSplit(text, ';', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(entry, absl::MaxSplits('=', 1));
      cursors[kv.first] = kv.second;
    }
  }
  struct Part {
    std::string node;
    std::vector<judge::v1::Submission> subs;
    size_t taken = 0;
    bool more = false;  // the node has more past what it returned
  };
  std::vector<Part> parts;
  for (const auto& [node, address] : cluster.Nodes()) {
    if (cursors[node] == "~") continue;
    judge::v1::ListSubmissionsRequest local = req;
    local.set_page_token(cursors[node]);
    local.set_page_size(page_size);
    Principal here = who;
    here.this_node_only = true;
    absl::StatusOr<judge::v1::ListSubmissionsResponse> got =
        node == cluster.node_id() ? here_list(here, local) : peers->ListLocal(address, who, local);
    if (!got.ok()) {
      return absl::Status(got.status().code(),
                          absl::StrCat("listing on node ", node, ": ", got.status().message()));
    }
    Part part;
    part.node = node;
    part.subs.assign(got->submissions().begin(), got->submissions().end());
    part.more = !got->next_page_token().empty();
    parts.push_back(std::move(part));
  }
  // Newest first across nodes: ids order by time before the node id.
  auto time_of = [](const std::string& id) { return id.substr(0, id.find('.')); };
  judge::v1::ListSubmissionsResponse resp;
  while (static_cast<uint32_t>(resp.submissions_size()) < page_size) {
    Part* best = nullptr;
    for (Part& p : parts) {
      if (p.taken == p.subs.size()) continue;
      if (best == nullptr ||
          std::make_pair(time_of(p.subs[p.taken].id()), p.subs[p.taken].id()) >
              std::make_pair(time_of(best->subs[best->taken].id()), best->subs[best->taken].id())) {
        best = &p;
      }
    }
    if (best == nullptr) break;
    *resp.add_submissions() = best->subs[best->taken++];
  }
  bool any_more = false;
  for (Part& p : parts) {
    if (p.taken > 0) cursors[p.node] = p.subs[p.taken - 1].id();
    if (p.taken == p.subs.size() && !p.more) {
      cursors[p.node].assign(1, '~');  // (not = "~": a GCC 12 -Wrestrict false alarm)
    } else {
      any_more = true;
    }
  }
  if (any_more) {
    std::vector<std::string> entries;
    for (const auto& [node, cursor] : cursors) entries.push_back(absl::StrCat(node, "=", cursor));
    resp.set_next_page_token(absl::BytesToHexString(absl::StrJoin(entries, ";")));
  }
  return resp;
}

}  // namespace judge
