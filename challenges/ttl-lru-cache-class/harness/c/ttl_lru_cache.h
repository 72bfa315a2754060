/* The class form of ttl-lru-cache in C: the contract between the judge's harness (main.c) and
 * the candidate's solution.c. The judge force-includes this prelude in both files (gcc's
 * -include), so solution.c may use int64_t, bool, malloc and memset without including anything;
 * the six functions below must be defined there, and not `static`. */
#ifndef TTL_LRU_CACHE_H
#define TTL_LRU_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct TtlLruCache TtlLruCache;

/* A new, empty cache that holds at most `capacity` live entries. */
TtlLruCache *cache_create(int capacity);
/* PUT: store key -> value at time `now`, live while now < t + ttl (ttl == 0: never expires). */
void cache_put(TtlLruCache *c, int64_t now, int64_t key, int64_t value, int64_t ttl);
/* GET: the value of a live key (and it becomes the most recently used), or -1. */
int64_t cache_get(TtlLruCache *c, int64_t now, int64_t key);
/* DEL: remove a live key: true; false if the key is not live. */
bool cache_remove(TtlLruCache *c, int64_t now, int64_t key);
/* SIZE: the number of live entries at time `now`. */
int cache_size(TtlLruCache *c, int64_t now);
/* Release the cache. */
void cache_free(TtlLruCache *c);

#endif
