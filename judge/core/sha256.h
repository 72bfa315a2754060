// SHA-256 (OpenSSL's libcrypto), for compile-cache keys and hashed API tokens.
#pragma once

#include <string>
#include <string_view>

namespace judge {

// Lower-case hex digest of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace judge
