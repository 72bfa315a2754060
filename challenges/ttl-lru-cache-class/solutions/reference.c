// expect: ACCEPTED
// Reference in C (class form): an open-addressing hash table of entry indices, an intrusive
// doubly linked list for recency, and a binary min-heap of (deadline, stamp, slot) so expired
// entries leave before each call. O(log n) amortised per call; the arrays are allocated once by
// cache_create, the heap grows by doubling.

typedef struct {
  int64_t key, value;
  uint64_t stamp;
  int prev, next, used;
} Entry;

typedef struct {
  int64_t deadline;
  uint64_t stamp;
  int slot;
} Item;

struct TtlLruCache {
  int cap, live, head, tail; /* head: most recent */
  Entry *e;
  int *free_list, free_top;
  int *table; /* -1 empty, -2 deleted, else entry index */
  uint64_t mask;
  int tombstones; /* deleted slots: the table is rebuilt before they crowd out empty ones */
  Item *heap;
  int heap_n, heap_cap;
  uint64_t stamp;
};

static uint64_t hash(int64_t k) {
  uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15ull;
  return x ^ (x >> 29);
}

static int find(TtlLruCache *c, int64_t key) {
  for (uint64_t i = hash(key) & c->mask;; i = (i + 1) & c->mask) {
    int s = c->table[i];
    if (s == -1) return -1;
    if (s >= 0 && c->e[s].key == key) return s;
  }
}

static void table_insert(TtlLruCache *c, int slot) {
  for (uint64_t i = hash(c->e[slot].key) & c->mask;; i = (i + 1) & c->mask) {
    if (c->table[i] < 0) {
      if (c->table[i] == -2) c->tombstones--;
      c->table[i] = slot;
      return;
    }
  }
}

static void table_put(TtlLruCache *c, int slot) {
  if ((uint64_t)(c->live + c->tombstones + 1) * 4 > (c->mask + 1) * 3) {
    /* Rebuild from the live entries: every lookup then ends at an empty slot again. */
    memset(c->table, -1, sizeof(int) * (c->mask + 1));
    c->tombstones = 0;
    for (int s = c->head; s >= 0; s = c->e[s].next) table_insert(c, s);
  }
  table_insert(c, slot);
}

static void table_del(TtlLruCache *c, int64_t key) {
  for (uint64_t i = hash(key) & c->mask;; i = (i + 1) & c->mask) {
    int s = c->table[i];
    if (s == -1) return;
    if (s >= 0 && c->e[s].key == key) {
      c->table[i] = -2;
      c->tombstones++;
      return;
    }
  }
}

static void unlink_entry(TtlLruCache *c, int s) {
  Entry *e = c->e;
  if (e[s].prev >= 0) e[e[s].prev].next = e[s].next; else c->head = e[s].next;
  if (e[s].next >= 0) e[e[s].next].prev = e[s].prev; else c->tail = e[s].prev;
}

static void push_front(TtlLruCache *c, int s) {
  c->e[s].prev = -1;
  c->e[s].next = c->head;
  if (c->head >= 0) c->e[c->head].prev = s;
  c->head = s;
  if (c->tail < 0) c->tail = s;
}

static void remove_entry(TtlLruCache *c, int s) {
  unlink_entry(c, s);
  table_del(c, c->e[s].key);
  c->e[s].used = 0;
  c->free_list[c->free_top++] = s;
  c->live--;
}

static int less(const Item *a, const Item *b) {
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->stamp < b->stamp);
}

static void heap_push(TtlLruCache *c, Item it) {
  if (c->heap_n == c->heap_cap) {
    c->heap_cap *= 2;
    c->heap = realloc(c->heap, sizeof(Item) * (size_t)c->heap_cap);
  }
  Item *h = c->heap;
  int i = c->heap_n++;
  while (i > 0 && less(&it, &h[(i - 1) / 2])) {
    h[i] = h[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h[i] = it;
}

static void heap_pop(TtlLruCache *c) {
  Item *h = c->heap;
  Item last = h[--c->heap_n];
  int n = c->heap_n, i = 0;
  for (;;) {
    int l = 2 * i + 1, m = l;
    if (l >= n) break;
    if (l + 1 < n && less(&h[l + 1], &h[l])) m = l + 1;
    if (!less(&h[m], &last)) break;
    h[i] = h[m];
    i = m;
  }
  if (n > 0) h[i] = last;
}

/* Drops every entry whose deadline has come (live only while now < deadline). */
static void expire(TtlLruCache *c, int64_t now) {
  while (c->heap_n > 0 && c->heap[0].deadline <= now) {
    Item it = c->heap[0];
    heap_pop(c);
    if (c->e[it.slot].used && c->e[it.slot].stamp == it.stamp) remove_entry(c, it.slot);
  }
}

TtlLruCache *cache_create(int capacity) {
  TtlLruCache *c = calloc(1, sizeof *c);
  int n = capacity > 0 ? capacity : 1;
  uint64_t size = 16;
  while (size < 2 * (uint64_t)n + 2) size *= 2;
  c->cap = capacity;
  c->head = c->tail = -1;
  c->e = calloc((size_t)n, sizeof(Entry));
  c->free_list = malloc(sizeof(int) * (size_t)n);
  for (int i = n - 1; i >= 0; --i) c->free_list[c->free_top++] = i;
  c->mask = size - 1;
  c->table = malloc(sizeof(int) * size);
  memset(c->table, -1, sizeof(int) * size);
  c->heap_cap = 1024;
  c->heap = malloc(sizeof(Item) * (size_t)c->heap_cap);
  return c;
}

void cache_put(TtlLruCache *c, int64_t now, int64_t key, int64_t value, int64_t ttl) {
  expire(c, now);
  if (c->cap <= 0) return;
  int s = find(c, key);
  if (s >= 0) {
    remove_entry(c, s);
  } else if (c->live == c->cap) {
    remove_entry(c, c->tail);
  }
  s = c->free_list[--c->free_top];
  c->e[s].key = key;
  c->e[s].value = value;
  c->e[s].stamp = ++c->stamp;
  c->e[s].used = 1;
  table_put(c, s); /* before push_front: a rebuild re-inserts the listed entries */
  push_front(c, s);
  c->live++;
  if (ttl != 0) {
    Item it = {now + ttl, c->stamp, s};
    heap_push(c, it);
  }
}

int64_t cache_get(TtlLruCache *c, int64_t now, int64_t key) {
  expire(c, now);
  int s = find(c, key);
  if (s < 0) return -1;
  unlink_entry(c, s);
  push_front(c, s);
  return c->e[s].value;
}

bool cache_remove(TtlLruCache *c, int64_t now, int64_t key) {
  expire(c, now);
  int s = find(c, key);
  if (s < 0) return false;
  remove_entry(c, s);
  return true;
}

int cache_size(TtlLruCache *c, int64_t now) {
  expire(c, now);
  return c->live;
}

void cache_free(TtlLruCache *c) {
  free(c->e);
  free(c->free_list);
  free(c->table);
  free(c->heap);
  free(c);
}
