// expect: WRONG_ANSWER
// fails-on: ttl-zero-and-far-deadlines
// Trap: t + ttl overflows 32 bits (t up to 1e9, ttl up to 2e9). Linear scans otherwise: fine
// for the small tests it fails first.
#include <stdio.h>

#define MAXC 200000
static int keys[MAXC], deadlines[MAXC], n;
static long long values[MAXC];

static void expire(int now) {
  int w = 0;
  for (int r = 0; r < n; ++r) {
    if (deadlines[r] == 0 || now < deadlines[r]) {
      keys[w] = keys[r];
      values[w] = values[r];
      deadlines[w] = deadlines[r];
      ++w;
    }
  }
  n = w;
}

static int find(int key) {
  for (int i = 0; i < n; ++i) if (keys[i] == key) return i;
  return -1;
}

static void take(int i, int* k, long long* v, int* d) {  // remove, keeping order (LRU first)
  *k = keys[i];
  *v = values[i];
  *d = deadlines[i];
  for (int j = i; j + 1 < n; ++j) {
    keys[j] = keys[j + 1];
    values[j] = values[j + 1];
    deadlines[j] = deadlines[j + 1];
  }
  --n;
}

int main(void) {
  int cap, q;
  if (scanf("%d %d", &cap, &q) != 2) return 0;
  char op[8];
  for (int i = 0; i < q; ++i) {
    int now, key, ttl, k, d;
    long long value, v;
    scanf("%7s %d", op, &now);
    expire(now);
    if (op[0] == 'P') {
      scanf("%d %lld %d", &key, &value, &ttl);
      int at = find(key);
      if (at >= 0) take(at, &k, &v, &d);
      else if (n == cap) take(0, &k, &v, &d);
      keys[n] = key;
      values[n] = value;
      deadlines[n] = ttl == 0 ? 0 : now + ttl;  /* int overflow */
      ++n;
    } else if (op[0] == 'G') {
      scanf("%d", &key);
      int at = find(key);
      if (at < 0) {
        puts("-1");
      } else {
        take(at, &k, &v, &d);
        keys[n] = k; values[n] = v; deadlines[n] = d; ++n;
        printf("%lld\n", v);
      }
    } else if (op[0] == 'D') {
      scanf("%d", &key);
      int at = find(key);
      if (at >= 0) take(at, &k, &v, &d);
      puts(at >= 0 ? "1" : "0");
    } else {
      printf("%d\n", n);
    }
  }
  return 0;
}
