// expect: ACCEPTED
// Reference in C: an open-addressing hash table of entry indices, an intrusive doubly linked
// list for recency, and a binary min-heap of (deadline, stamp, slot) so expired entries leave
// before each operation. O(log n) amortised per operation, no allocation after start-up.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 200005
#define TABLE (1 << 19) /* power of two > 2 * MAX_ENTRIES */
#define MAX_HEAP 1000005

typedef struct {
  int64_t key, value, deadline; /* deadline -1: never */
  uint64_t stamp;
  int prev, next, used;
} Entry;

static Entry e[MAX_ENTRIES];
static int table[TABLE]; /* -1 empty, -2 deleted, else entry index */
static int free_list[MAX_ENTRIES], free_top;
static int tombstones; /* deleted slots: the table is rebuilt before they crowd out empty ones */
static int head = -1, tail = -1, live; /* head: most recent */
typedef struct {
  int64_t deadline;
  uint64_t stamp;
  int slot;
} Item;
static Item heap[MAX_HEAP];
static int heap_n;

static uint64_t hash(int64_t k) {
  uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15ull;
  return x ^ (x >> 29);
}

static int find(int64_t key) {
  for (uint64_t i = hash(key) & (TABLE - 1);; i = (i + 1) & (TABLE - 1)) {
    if (table[i] == -1) return -1;
    if (table[i] >= 0 && e[table[i]].key == key) return table[i];
  }
}

static void table_insert(int slot) {
  for (uint64_t i = hash(e[slot].key) & (TABLE - 1);; i = (i + 1) & (TABLE - 1)) {
    if (table[i] < 0) {
      if (table[i] == -2) tombstones--;
      table[i] = slot;
      return;
    }
  }
}

static void table_put(int slot) {
  if ((live + tombstones + 1) * 4 > TABLE * 3) {
    /* Rebuild from the live entries: every lookup then ends at an empty slot again. */
    memset(table, -1, sizeof table);
    tombstones = 0;
    for (int s = head; s >= 0; s = e[s].next) table_insert(s);
  }
  table_insert(slot);
}

static void table_del(int64_t key) {
  for (uint64_t i = hash(key) & (TABLE - 1);; i = (i + 1) & (TABLE - 1)) {
    if (table[i] == -1) return;
    if (table[i] >= 0 && e[table[i]].key == key) {
      table[i] = -2;
      tombstones++;
      return;
    }
  }
}

static void unlink_entry(int s) {
  if (e[s].prev >= 0) e[e[s].prev].next = e[s].next; else head = e[s].next;
  if (e[s].next >= 0) e[e[s].next].prev = e[s].prev; else tail = e[s].prev;
}

static void push_front(int s) {
  e[s].prev = -1;
  e[s].next = head;
  if (head >= 0) e[head].prev = s;
  head = s;
  if (tail < 0) tail = s;
}

static void remove_entry(int s) {
  unlink_entry(s);
  table_del(e[s].key);
  e[s].used = 0;
  free_list[free_top++] = s;
  live--;
}

static int less(const Item* a, const Item* b) {
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->stamp < b->stamp);
}

static void heap_push(Item it) {
  int i = heap_n++;
  heap[i] = it;
  while (i > 0 && less(&heap[i], &heap[(i - 1) / 2])) {
    Item t = heap[i];
    heap[i] = heap[(i - 1) / 2];
    heap[(i - 1) / 2] = t;
    i = (i - 1) / 2;
  }
}

static Item heap_pop(void) {
  Item top = heap[0];
  heap[0] = heap[--heap_n];
  for (int i = 0;;) {
    int l = 2 * i + 1, r = l + 1, m = i;
    if (l < heap_n && less(&heap[l], &heap[m])) m = l;
    if (r < heap_n && less(&heap[r], &heap[m])) m = r;
    if (m == i) break;
    Item t = heap[i];
    heap[i] = heap[m];
    heap[m] = t;
    i = m;
  }
  return top;
}

static char ibuf[1 << 16];
static size_t ilen, ipos;
static int next_char(void) {
  if (ipos == ilen) {
    ilen = fread(ibuf, 1, sizeof ibuf, stdin);
    ipos = 0;
    if (ilen == 0) return -1;
  }
  return ibuf[ipos++];
}
static int word(char* w, int cap) {
  int c;
  while ((c = next_char()) == ' ' || c == '\n' || c == '\r') {
  }
  if (c < 0) return 0;
  int n = 0;
  while (c > ' ') {
    if (n + 1 < cap) w[n++] = (char)c;
    c = next_char();
  }
  w[n] = 0;
  return 1;
}
static int64_t num(void) {
  char w[32];
  if (!word(w, sizeof w)) return 0;
  return strtoll(w, NULL, 10);
}

static char obuf[1 << 16];
static size_t opos;
static void out_int(int64_t v) {
  if (opos + 24 > sizeof obuf) {
    fwrite(obuf, 1, opos, stdout);
    opos = 0;
  }
  opos += (size_t)snprintf(obuf + opos, 24, "%lld\n", (long long)v);
}

int main(void) {
  memset(table, -1, sizeof table);
  for (int i = MAX_ENTRIES - 1; i >= 0; --i) free_list[free_top++] = i;
  int64_t cap = num(), q = num();
  uint64_t stamp = 0;
  char op[8];
  for (int64_t i = 0; i < q; ++i) {
    if (!word(op, sizeof op)) break;
    int64_t now = num();
    while (heap_n > 0 && heap[0].deadline <= now) {
      Item it = heap_pop();
      if (e[it.slot].used && e[it.slot].stamp == it.stamp) remove_entry(it.slot);
    }
    if (op[0] == 'P') {
      int64_t key = num(), value = num(), ttl = num();
      int s = find(key);
      if (s >= 0) {
        remove_entry(s);
      } else if (live == cap) {
        remove_entry(tail);
      }
      s = free_list[--free_top];
      e[s].key = key;
      e[s].value = value;
      e[s].deadline = ttl == 0 ? -1 : now + ttl;
      e[s].stamp = ++stamp;
      e[s].used = 1;
      push_front(s);
      table_put(s);
      live++;
      if (ttl != 0) {
        Item it = {now + ttl, stamp, s};
        heap_push(it);
      }
    } else if (op[0] == 'G') {
      int s = find(num());
      if (s < 0) {
        out_int(-1);
      } else {
        unlink_entry(s);
        push_front(s);
        out_int(e[s].value);
      }
    } else if (op[0] == 'D') {
      int s = find(num());
      if (s >= 0) remove_entry(s);
      out_int(s >= 0 ? 1 : 0);
    } else {
      out_int(live);
    }
  }
  fwrite(obuf, 1, opos, stdout);
  return 0;
}
