// Webhooks: a platform's key may name a URL that gets each of its submissions' final verdict
// (judge/http/webhook_sender.h delivers them). The file (judged --webhooks FILE) holds one per
// line:  <key id> <url> <secret>  where the key id is the first 12 hex digits of the token's
// SHA-256 (what WhoAmI and the logs show), the URL is http:// or https://, and the secret (16
// characters or more) signs each delivery (HMAC-SHA256). `#` starts a comment.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace judge {

struct WebhookUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // a name or an address (IPv6 without brackets)
  int port = 0;
  std::string path;  // with the query, "/" at least
};
// Only http and https, a host, an optional port, no user info.
[[nodiscard]] absl::StatusOr<WebhookUrl> ParseWebhookUrl(const std::string& url);

struct Webhook {
  std::string url;
  WebhookUrl parsed;
  std::string secret;
};

class WebhookRegistry {
 public:
  // Errors name the file, the line and what is wrong.
  [[nodiscard]] static absl::StatusOr<WebhookRegistry> Load(const std::string& path);
  const Webhook* Find(const std::string& key_id) const;
  size_t size() const { return hooks_.size(); }

 private:
  std::map<std::string, Webhook> hooks_;  // key id -> hook
};

}  // namespace judge
