// SHA-256 and HMAC-SHA256 (OpenSSL's libcrypto): compile-cache keys, hashed API tokens, webhook
// signatures and the assertions the nodes of a cluster vouch for callers with.
#pragma once

#include <string>
#include <string_view>

namespace judge {

// Lower-case hex digest of `data`.
std::string Sha256Hex(std::string_view data);
// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// Compares in time that depends on the lengths only (for MACs).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace judge
