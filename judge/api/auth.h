// Bearer-token authentication. The keys file holds one token a line, hashed:
//   <sha256 hex of the token> <role> [<candidate id>] [rate=N]   # comments, blank lines allowed
// rate=N overrides the role's default Submit/RunLive rate for this key (calls per second).
// Roles: candidate (bound to its candidate id), interviewer, platform, admin.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace judge {

enum class Role { kCandidate, kInterviewer, kPlatform, kAdmin };
const char* RoleName(Role role);

struct Principal {
  Role role = Role::kCandidate;
  std::string candidate_id;    // kCandidate only
  std::string key_id;          // first 12 hex digits of the token's hash: safe to log
  std::string key_hash;        // the token's whole sha256 (a node vouches for the key by it)
  double rate_per_second = 0;  // the key's own rate=N; 0: the role's default
  // Of the call rather than the key (set by the transports), for calls to other nodes: the
  // caller's deadline (max: none), and whether it asked for this node's own submissions only
  // (a cluster's fan-out).
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
  bool this_node_only = false;
};

class KeyStore {
 public:
  // Errors name the file, the line and what is wrong.
  [[nodiscard]] static absl::StatusOr<KeyStore> Load(const std::string& path);
  // From an "authorization" metadata value ("Bearer <token>"). nullopt: unknown or malformed.
  std::optional<Principal> Authenticate(const std::string& authorization) const;
  // The key whose token hashes to `key_hash` (a node of the cluster vouched for it).
  std::optional<Principal> ByHash(const std::string& key_hash) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, Principal> keys_;  // sha256 hex -> principal
};

}  // namespace judge
