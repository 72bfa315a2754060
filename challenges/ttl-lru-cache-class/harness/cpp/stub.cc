// Implement the cache of the statement (LRU eviction plus per-entry TTL) in this class. The
// judge's harness reads the input and calls its methods; anything you print goes to stderr.
#include <cstdint>

class TtlLruCache {
 public:
  explicit TtlLruCache(int capacity) {}

  void put(int64_t now, int64_t key, int64_t value, int64_t ttl) {}

  int64_t get(int64_t now, int64_t key) { return -1; }

  bool remove(int64_t now, int64_t key) { return false; }

  int size(int64_t now) { return 0; }
};
