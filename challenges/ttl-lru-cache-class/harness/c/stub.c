// Implement the cache of the statement (LRU eviction plus per-entry TTL) behind these functions.
// The prelude ttl_lru_cache.h is already included: <stdint.h>, <stdbool.h>, <stdlib.h>,
// <string.h> and the prototypes. The judge's harness reads the input and calls them; anything
// you print goes to stderr. Keep the six functions non-static.

struct TtlLruCache {
  int capacity;
};

TtlLruCache *cache_create(int capacity) {
  TtlLruCache *c = malloc(sizeof *c);
  c->capacity = capacity;
  return c;
}

void cache_put(TtlLruCache *c, int64_t now, int64_t key, int64_t value, int64_t ttl) {
}

int64_t cache_get(TtlLruCache *c, int64_t now, int64_t key) {
  return -1;
}

bool cache_remove(TtlLruCache *c, int64_t now, int64_t key) {
  return false;
}

int cache_size(TtlLruCache *c, int64_t now) {
  return 0;
}

void cache_free(TtlLruCache *c) {
  free(c);
}
