// The keys file and the webhooks file (operator input) from arbitrary bytes, and bearer
// authentication and webhook URLs from arbitrary strings: errors, never crashes.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "judge/api/auth.h"
#include "judge/api/webhooks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  static int fd = memfd_create("fuzz-file", 0);
  if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) != ssize_t(text.size())) {
    return 0;
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  absl::StatusOr<judge::KeyStore> keys = judge::KeyStore::Load(path);
  if (keys.ok()) (void)keys->Authenticate(text);
  (void)judge::WebhookRegistry::Load(path);
  (void)judge::ParseWebhookUrl(text);
  return 0;
}
