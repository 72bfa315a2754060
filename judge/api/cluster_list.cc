#include "judge/api/cluster_list.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace judge {

// The token is "node=last id" entries joined by ';', hex-encoded.
absl::StatusOr<std::map<std::string, std::string>> DecodeClusterCursors(const std::string& token) {
  std::map<std::string, std::string> cursors;
  if (token.empty()) return cursors;
  if (token.size() > 8192 || token.find_first_not_of("0123456789abcdef") != std::string::npos ||
      token.size() % 2 != 0) {
    return absl::InvalidArgumentError("page_token is not one this server gave out");
  }
  const std::string text = absl::HexStringToBytes(token);
  for (absl::string_view entry : absl::StrSplit(text, ';', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    cursors[kv.first] = kv.second;
  }
  return cursors;
}

std::string EncodeClusterCursors(const std::map<std::string, std::string>& cursors) {
  std::vector<std::string> entries;
  for (const auto& [node, cursor] : cursors) entries.push_back(absl::StrCat(node, "=", cursor));
  return absl::BytesToHexString(absl::StrJoin(entries, ";"));
}

absl::StatusOr<judge::v1::ListSubmissionsResponse> ListEverywhere(
    const ClusterLink& cluster, Peers* peers, const Principal& who,
    const judge::v1::ListSubmissionsRequest& req, const ListHere& here_list) {
  using Req = judge::v1::ListSubmissionsRequest;
  using Resp = judge::v1::ListSubmissionsResponse;
  return ListEverywhere<Req, Resp>(
      cluster, who, req, here_list,
      [peers](const std::string& address, const Principal& w, const Req& r) {
        return peers->ListLocal(address, w, r);
      },
      &Resp::mutable_submissions);
}

}  // namespace judge
