// How the nodes of a cluster vouch for a caller to each other. A node that forwards a call to
// the owner of a submission never passes the caller's token on: it sends an assertion, "key K
// (by its hash) called, for the node at address A, until T", which the owner accepts only when
// it comes from a node (signed with the cluster's shared secret, and/or over a connection whose
// client certificate the cluster's CA signed) and then looks the key up in its own keys file.
// So a forwarded call carries exactly the authority of the caller's key and no more; a peer
// address planted in the membership bucket learns no token; an assertion is good for one node
// and for a minute.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "judge/api/auth.h"

namespace judge {

struct PeerTrustOptions {
  std::string node_id;
  std::string address;  // this node's --advertise: assertions must name it
  std::string secret;   // shared by every node; "" when client certificates alone are trusted
  bool require_client_certificate = false;  // mutual TLS between the nodes
};

class PeerTrust {
 public:
  // How long an assertion is good for: a forwarded call starts well within it, and the nodes'
  // clocks may differ by that much.
  static constexpr std::chrono::seconds kValidFor{60};

  explicit PeerTrust(PeerTrustOptions options) : options_(std::move(options)) {}

  // The assertion for a call on `who`'s behalf to the node at `to_address`, and its MAC ("" with
  // no secret).
  std::pair<std::string, std::string> Vouch(const Principal& who, const std::string& to_address,
                                            std::chrono::system_clock::time_point now) const;
  // The caller a node vouched for, as this node's keys file knows the key. UNAUTHENTICATED with
  // the reason otherwise. `client_certificate_verified`: the connection's client presented a
  // certificate the cluster's CA signed.
  absl::StatusOr<Principal> Accept(const KeyStore& keys, std::string_view assertion,
                                   std::string_view mac, bool client_certificate_verified,
                                   std::chrono::system_clock::time_point now) const;

 private:
  PeerTrustOptions options_;
};

}  // namespace judge
