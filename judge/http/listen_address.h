// HOST:PORT (or [v6]:PORT) as the HTTP listeners' flags take it; port 0 picks a free one.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"

namespace judge {

struct ListenAddress {
  std::string host;
  int port = 0;
};

// `flag` names the option in the error (e.g. "--http-listen").
inline absl::StatusOr<ListenAddress> ParseListenAddress(const std::string& address,
                                                        const std::string& flag) {
  const size_t colon = address.rfind(':');
  ListenAddress out;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &out.port) ||
      out.port < 0 || out.port > 65535) {
    return absl::InvalidArgumentError(flag + " takes HOST:PORT, got " + address);
  }
  out.host = address.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  return out;
}

}  // namespace judge
