#include "judge/api/peer_trust.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "judge/core/sha256.h"

namespace judge {
namespace {

constexpr char kVersion[] = "v1";

int64_t UnixMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::pair<std::string, std::string> PeerTrust::Vouch(
    const Principal& who, const std::string& to_address,
    std::chrono::system_clock::time_point now) const {
  std::string assertion = absl::StrCat(kVersion, " ", options_.node_id, " ", to_address, " ",
                                       who.key_hash, " ", UnixMs(now + kValidFor));
  std::string mac = options_.secret.empty() ? "" : HmacSha256Hex(options_.secret, assertion);
  return {std::move(assertion), std::move(mac)};
}

absl::StatusOr<Principal> PeerTrust::Accept(const KeyStore& keys, std::string_view assertion,
                                            std::string_view mac, bool client_certificate_verified,
                                            std::chrono::system_clock::time_point now) const {
  auto refuse = [](const std::string& why) {
    return absl::UnauthenticatedError(absl::StrCat("a node-to-node call ", why));
  };
  // The connection and the signature first: nothing of an unproven assertion is believed.
  if (options_.require_client_certificate && !client_certificate_verified) {
    return refuse("without a client certificate signed by the cluster's CA (--peer-ca)");
  }
  if (!options_.secret.empty() &&
      !ConstantTimeEquals(mac, HmacSha256Hex(options_.secret, assertion))) {
    return refuse("not signed with this cluster's secret (--cluster-secret-file)");
  }
  const std::vector<std::string> f = absl::StrSplit(std::string(assertion), ' ');
  int64_t expires_ms = 0;
  if (f.size() != 5 || f[0] != kVersion || !absl::SimpleAtoi(f[4], &expires_ms)) {
    return refuse("with a malformed assertion");
  }
  if (f[2] != options_.address) {
    return refuse(absl::StrCat("from node ", f[1], " meant for the node at ", f[2],
                               ", not this one (", options_.address, ")"));
  }
  const int64_t now_ms = UnixMs(now);
  if (expires_ms < now_ms ||
      expires_ms > now_ms + 2 * std::chrono::milliseconds(kValidFor).count()) {
    return refuse(absl::StrCat("from node ", f[1], " with an assertion valid until ", expires_ms,
                               " ms, and it is ", now_ms,
                               " ms here (are the nodes' clocks in step?)"));
  }
  std::optional<Principal> who = keys.ByHash(f[3]);
  if (!who) {
    return refuse(absl::StrCat("from node ", f[1],
                               " for a key this node's keys file does not hold (are the keys "
                               "files the same on every node?)"));
  }
  return *who;
}

}  // namespace judge
