// Delivers webhooks from the store's outbox (Store::Finish queues them with the verdict): POSTs
// the finished Submission as JSON (protobuf's JSON mapping, without the source) to the
// submitter's URL, signed:
//   X-Judge-Timestamp: <unix seconds>
//   X-Judge-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
//   X-Judge-Delivery: <submission id>
// At least once: a delivery leaves the outbox only after a 2xx answer, survives restarts and
// kill -9, and is tried again with exponential backoff and jitter (1 s doubling to 5 min) until
// `give_up` after it was queued. Redirects are not followed; connect and read are bounded; a host
// that resolves to a link-local, metadata or unspecified address is refused unless allowed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "judge/api/webhooks.h"
#include "judge/store/store.h"

namespace judge {

struct WebhookSenderOptions {
  std::chrono::seconds give_up{86400};
  bool allow_link_local = false;  // deliver to 169.254.0.0/16, fe80::/10 (and metadata) hosts
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds read_timeout{10};
};

// "sha256=<hex>" over "<timestamp>.<body>", as the receiver recomputes it.
std::string WebhookSignature(const std::string& secret, const std::string& timestamp,
                             const std::string& body);

class WebhookSender {
 public:
  WebhookSender(Store* store, const WebhookRegistry* hooks, WebhookSenderOptions options);
  ~WebhookSender();
  // Reads the outbox and starts delivering.
  [[nodiscard]] absl::Status Start();
  void Stop();
  // Something was queued: look at the outbox again now.
  void Wake();
  std::string RenderMetrics() const;

 private:
  void Loop();
  // One attempt; OK when the receiver took it (2xx).
  absl::Status Deliver(const Store::Delivery& d, const Webhook& hook);

  Store* store_;
  const WebhookRegistry* hooks_;
  WebhookSenderOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  // Per submission: attempts so far and when to try next.
  struct Retry {
    int attempts = 0;
    std::chrono::steady_clock::time_point next;
  };
  std::map<std::string, Retry> retries_;
  std::thread thread_;
  std::atomic<uint64_t> delivered_{0}, failed_attempts_{0}, gave_up_{0}, refused_{0};
};

}  // namespace judge
