#include "judge/api/webhooks.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "judge/api/config_file.h"

namespace judge {

absl::StatusOr<WebhookUrl> ParseWebhookUrl(const std::string& url) {
  WebhookUrl out;
  size_t rest = 0;
  if (absl::StartsWith(url, "http://")) {
    out.scheme = "http";
    out.port = 80;
    rest = 7;
  } else if (absl::StartsWith(url, "https://")) {
    out.scheme = "https";
    out.port = 443;
    rest = 8;
  } else {
    return absl::InvalidArgumentError("a webhook URL is http:// or https://");
  }
  const size_t slash = url.find_first_of("/?#", rest);
  std::string authority =
      url.substr(rest, slash == std::string::npos ? std::string::npos : slash - rest);
  out.path = slash == std::string::npos ? "/" : url.substr(slash);
  if (!out.path.empty() && out.path[0] != '/') out.path = "/" + out.path;
  if (out.path.find('#') != std::string::npos) out.path.resize(out.path.find('#'));
  if (authority.find('@') != std::string::npos) {
    return absl::InvalidArgumentError("a webhook URL carries no user name or password");
  }
  std::string port;
  if (absl::StartsWith(authority, "[")) {  // [v6]:port
    const size_t close = authority.find(']');
    if (close == std::string::npos) return absl::InvalidArgumentError("unclosed [ in the host");
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return absl::InvalidArgumentError("bad host");
      port = authority.substr(close + 2);
    }
  } else {
    const size_t colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return absl::InvalidArgumentError("a webhook URL needs a host");
  if (!port.empty() && (!absl::SimpleAtoi(port, &out.port) || out.port < 1 || out.port > 65535)) {
    return absl::InvalidArgumentError("bad port \"" + port + "\"");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return absl::InvalidArgumentError("a webhook URL holds no spaces or control characters");
    }
  }
  return out;
}

absl::StatusOr<WebhookRegistry> WebhookRegistry::Load(const std::string& path) {
  absl::StatusOr<std::vector<ConfigRecord>> records = ReadConfigRecords(path, "webhooks file");
  if (!records.ok()) return records.status();
  WebhookRegistry registry;
  for (const ConfigRecord& r : *records) {
    auto bad = [&](const std::string& why) { return ConfigError(path, r, why); };
    const std::string& key = r.fields[0];
    if (key.size() != 12 || key.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return bad("expected a key id: the first 12 hex digits of the token's sha256");
    }
    if (r.fields.size() < 2) return bad("missing the URL");
    const std::string& url = r.fields[1];
    absl::StatusOr<WebhookUrl> parsed = ParseWebhookUrl(url);
    if (!parsed.ok()) return bad(std::string(parsed.status().message()));
    if (r.fields.size() < 3) return bad("missing the signing secret");
    const std::string& secret = r.fields[2];
    if (secret.size() < 16) return bad("the signing secret is shorter than 16 characters");
    if (r.fields.size() > 3) return bad("unexpected \"" + r.fields[3] + "\" after the secret");
    if (!registry.hooks_.emplace(key, Webhook{url, *parsed, secret}).second) {
      return bad("a second webhook for key " + key);
    }
  }
  return registry;
}

const Webhook* WebhookRegistry::Find(const std::string& key_id) const {
  auto it = hooks_.find(key_id);
  return it == hooks_.end() ? nullptr : &it->second;
}

}  // namespace judge
