// expect: COMPILATION_ERROR
// compile-says: solution.c: error: the class form has no main
// A candidate file with its own main: the harness is the program, so the rule is named.
#include <stdio.h>

struct TtlLruCache { int capacity; };
TtlLruCache *cache_create(int capacity) { TtlLruCache *c = malloc(sizeof *c); c->capacity = capacity; return c; }
void cache_put(TtlLruCache *c, int64_t now, int64_t key, int64_t value, int64_t ttl) { (void)c; (void)now; (void)key; (void)value; (void)ttl; }
int64_t cache_get(TtlLruCache *c, int64_t now, int64_t key) { (void)c; (void)now; (void)key; return -1; }
bool cache_remove(TtlLruCache *c, int64_t now, int64_t key) { (void)c; (void)now; (void)key; return false; }
int cache_size(TtlLruCache *c, int64_t now) { (void)c; (void)now; return 0; }
void cache_free(TtlLruCache *c) { free(c); }

int main(void) {
    TtlLruCache *c = cache_create(2);
    printf("%d\n", cache_size(c, 0));
    return 0;
}
