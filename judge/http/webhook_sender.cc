#include "judge/http/webhook_sender.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"
#include "judge/api/backoff.h"
#include "judge/api/log.h"
#include "judge/api/prometheus.h"
#include "judge/core/sha256.h"

namespace judge {
namespace {

using Clock = std::chrono::steady_clock;

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Link-local (which holds the cloud metadata address 169.254.169.254), fd00:ec2::254, and the
// unspecified addresses.
bool Forbidden(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    const uint32_t a = ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr);
    return (a >> 16) == 0xA9FE || a == 0;  // 169.254.0.0/16, 0.0.0.0
  }
  if (sa->sa_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
    static const in6_addr kEc2 = {
        {{0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54}}};
    return (a.s6_addr[0] == 0xfe && (a.s6_addr[1] & 0xc0) == 0x80) ||
           memcmp(&a, &kEc2, sizeof a) == 0 || IN6_IS_ADDR_UNSPECIFIED(&a) ||
           (IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 169 && a.s6_addr[13] == 254);
  }
  return true;
}

// The host's first address, as text, unless it is one we do not deliver to. The connection
// goes to exactly this address (no second lookup for a rebinding name to change).
absl::StatusOr<std::string> Resolve(const std::string& host, bool allow_link_local) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res); rc != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", host, ": ", gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(res, freeaddrinfo);
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    if (!allow_link_local && Forbidden(ai->ai_addr)) {
      return absl::PermissionDeniedError(
          absl::StrCat(host, " resolves to a link-local or metadata address"));
    }
  }
  char text[INET6_ADDRSTRLEN] = {};
  const void* addr =
      res->ai_family == AF_INET
          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr)
          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(res->ai_addr)->sin6_addr);
  inet_ntop(res->ai_family, addr, text, sizeof text);
  return std::string(text);
}

}  // namespace

std::string WebhookSignature(const std::string& secret, const std::string& timestamp,
                             const std::string& body) {
  return "sha256=" + HmacSha256Hex(secret, absl::StrCat(timestamp, ".", body));
}

WebhookSender::WebhookSender(Store* store, const WebhookRegistry* hooks,
                             WebhookSenderOptions options)
    : store_(store), hooks_(hooks), options_(options) {}

WebhookSender::~WebhookSender() { Stop(); }

absl::Status WebhookSender::Start() {
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void WebhookSender::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

std::string WebhookSender::RenderMetrics() const {
  constexpr const char* kName = "judge_webhook_deliveries_total";
  return PromText()
      .Family(kName, "counter", "Webhook deliveries by outcome.")
      .Sample(kName, delivered_.load(), "result", "delivered")
      .Sample(kName, failed_attempts_.load(), "result", "failed_attempt")
      .Sample(kName, refused_.load(), "result", "refused_address")
      .Sample(kName, gave_up_.load(), "result", "gave_up")
      .str();
}

absl::Status WebhookSender::Deliver(const Store::Delivery& d, const Webhook& hook) {
  absl::StatusOr<judge::v1::Submission> sub = store_->Get(d.submission_id);
  if (!sub.ok()) return sub.status();  // NotFound: erased meanwhile
  sub->clear_source();
  sub->clear_custom_stdin();
  std::string body;
  google::protobuf::util::JsonPrintOptions json;
  json.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(*sub, &body, json).ok()) {
    return absl::InternalError("cannot render the submission as JSON");
  }
  absl::StatusOr<std::string> ip = Resolve(hook.parsed.host, options_.allow_link_local);
  if (!ip.ok()) return ip.status();
  httplib::Client client(
      absl::StrCat(hook.parsed.scheme, "://", hook.parsed.host, ":", hook.parsed.port));
  client.set_hostname_addr_map({{hook.parsed.host, *ip}});
  client.set_follow_location(false);
  client.set_connection_timeout(options_.connect_timeout);
  client.set_read_timeout(options_.read_timeout);
  client.set_write_timeout(options_.read_timeout);
  const std::string timestamp = std::to_string(UnixMs() / 1000);
  httplib::Headers headers = {
      {"X-Judge-Timestamp", timestamp},
      {"X-Judge-Signature", WebhookSignature(hook.secret, timestamp, body)},
      {"X-Judge-Delivery", d.submission_id},
      {"User-Agent", "judged-webhook/1"},
  };
  httplib::Result res = client.Post(hook.parsed.path, headers, body, "application/json");
  if (!res) {
    return absl::UnavailableError(
        absl::StrCat("POST ", hook.url, ": ", httplib::to_string(res.error())));
  }
  if (res->status < 200 || res->status >= 300) {
    return absl::UnavailableError(absl::StrCat("POST ", hook.url, ": HTTP ", res->status));
  }
  return absl::OkStatus();
}

void WebhookSender::Loop() {
  std::mt19937_64 rng(std::random_device{}());
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    absl::StatusOr<std::vector<Store::Delivery>> outbox = store_->Outbox();
    lock.lock();
    Clock::time_point next_wake = Clock::now() + std::chrono::seconds(30);
    if (!outbox.ok()) spdlog::error("webhooks: {}", std::string(outbox.status().message()));
    for (const Store::Delivery& d : outbox.ok() ? *outbox : std::vector<Store::Delivery>()) {
      if (stopping_) break;
      Retry& retry = retries_[d.submission_id];
      if (retry.attempts > 0 && retry.next > Clock::now()) {
        next_wake = std::min(next_wake, retry.next);
        continue;
      }
      const Webhook* hook = hooks_->Find(d.key_id);
      lock.unlock();
      absl::Status sent = hook == nullptr ? absl::NotFoundError("the key has no webhook any more")
                                          : Deliver(d, *hook);
      lock.lock();
      if (sent.ok()) {
        (void)store_->Delivered(d.submission_id);
        retries_.erase(d.submission_id);
        ++delivered_;
        spdlog::info("webhook submission={} delivered key={}", d.submission_id, d.key_id);
        continue;
      }
      // Erased meanwhile, no hook any more, or an address we never deliver to: no retry helps.
      const bool hopeless = absl::IsNotFound(sent) || absl::IsPermissionDenied(sent);
      if (absl::IsPermissionDenied(sent)) ++refused_;
      const bool expired =
          UnixMs() - d.enqueued_ms >
          std::chrono::duration_cast<std::chrono::milliseconds>(options_.give_up).count();
      if (hopeless || expired) {
        (void)store_->Delivered(d.submission_id);
        ++gave_up_;
        spdlog::error("webhook submission={} given up after {} attempts: {}", d.submission_id,
                      retry.attempts + 1, std::string(sent.message()));
        retries_.erase(d.submission_id);
        continue;
      }
      ++failed_attempts_;
      ++retry.attempts;
      // 1 s doubling to 5 min, each wait somewhere in its upper half: receivers that come back
      // are not hit by every judge at once.
      const double full_ms = static_cast<double>(
          Backoff(std::chrono::seconds(1), 2, retry.attempts - 1, std::chrono::minutes(5)).count());
      const auto wait = std::chrono::milliseconds(
          static_cast<int64_t>(std::uniform_real_distribution<double>(0.5, 1.0)(rng) * full_ms));
      retry.next = Clock::now() + wait;
      next_wake = std::min(next_wake, retry.next);
      spdlog::error("webhook submission={} attempt {} failed: {}; again in {} ms", d.submission_id,
                    retry.attempts, std::string(sent.message()), wait.count());
    }
    if (stopping_) break;
    cv_.wait_until(lock, next_wake, [&] { return stopping_ || woken_; });
    woken_ = false;
  }
}

}  // namespace judge
