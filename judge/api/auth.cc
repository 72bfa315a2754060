#include "judge/api/auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "judge/api/config_file.h"
#include "judge/core/sha256.h"

namespace judge {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kCandidate:
      return "candidate";
    case Role::kInterviewer:
      return "interviewer";
    case Role::kPlatform:
      return "platform";
    case Role::kAdmin:
      return "admin";
  }
  return "?";
}

absl::StatusOr<KeyStore> KeyStore::Load(const std::string& path) {
  absl::StatusOr<std::vector<ConfigRecord>> records = ReadConfigRecords(path, "keys file");
  if (!records.ok()) return records.status();
  KeyStore store;
  for (const ConfigRecord& r : *records) {
    auto bad = [&](const std::string& why) { return ConfigError(path, r, why); };
    const std::string& hash = r.fields[0];
    if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return bad("expected the token's sha256 as 64 lower-case hex digits");
    }
    if (r.fields.size() < 2) return bad("missing role");
    const std::string& role = r.fields[1];
    size_t next = 2;
    Principal p;
    p.key_id = hash.substr(0, 12);
    p.key_hash = hash;
    if (role == "candidate") {
      p.role = Role::kCandidate;
      if (r.fields.size() < 3) return bad("a candidate key needs a candidate id");
      p.candidate_id = r.fields[next++];
    } else if (role == "interviewer") {
      p.role = Role::kInterviewer;
    } else if (role == "platform") {
      p.role = Role::kPlatform;
    } else if (role == "admin") {
      p.role = Role::kAdmin;
    } else {
      return bad("unknown role \"" + role + "\" (candidate, interviewer, platform, admin)");
    }
    for (; next < r.fields.size(); ++next) {
      const std::string& extra = r.fields[next];
      double rate = 0;
      if (!absl::StartsWith(extra, "rate=") || !absl::SimpleAtod(extra.substr(5), &rate) ||
          !(rate > 0 && rate <= 100000)) {
        return bad("unexpected \"" + extra + "\" (the only option is rate=N, calls per second)");
      }
      p.rate_per_second = rate;
    }
    if (!store.keys_.emplace(hash, p).second) return bad("duplicate key");
  }
  return store;
}

std::optional<Principal> KeyStore::Authenticate(const std::string& authorization) const {
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWith(authorization, kBearer)) return std::nullopt;
  std::string token(absl::StripAsciiWhitespace(authorization.substr(kBearer.size())));
  if (token.empty()) return std::nullopt;
  return ByHash(Sha256Hex(token));
}

std::optional<Principal> KeyStore::ByHash(const std::string& key_hash) const {
  auto it = keys_.find(key_hash);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

}  // namespace judge
