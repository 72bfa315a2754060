// expect: ACCEPTED
// Reference in Java: an open-addressing hash map (primitive keys, no boxing) from key to a node
// of a pooled doubly linked list (recency), and a binary min-heap of deadlines kept in parallel
// arrays; a heap entry carries the node's generation, so entries of replaced or removed nodes
// are skipped. Expired entries leave before each operation, so they never hold capacity.
// O(log n) per operation.
import java.util.Arrays;

public class TtlLruCache {
  // Node pool: recency list (head: most recent) and entry data.
  private final int[] prev, next, gen, free;
  private final long[] keyOf, valueOf;
  private int head = -1, tail = -1, freeTop = 0;
  private final LongIntMap map;
  // Heap of (deadline, node, generation).
  private long[] hDeadline = new long[1 << 16];
  private int[] hNode = new int[1 << 16], hGen = new int[1 << 16];
  private int hSize = 0;

  public TtlLruCache(int capacity) {
    prev = new int[capacity];
    next = new int[capacity];
    gen = new int[capacity];
    keyOf = new long[capacity];
    valueOf = new long[capacity];
    free = new int[capacity];
    for (int i = capacity - 1; i >= 0; --i) free[freeTop++] = i;
    map = new LongIntMap(capacity + 16);
  }

  public void put(long now, long key, long value, long ttl) {
    expire(now);
    int n = map.get(key);
    if (n >= 0) {
      unlink(n);
    } else {
      if (freeTop == 0) {
        int old = tail;
        unlink(old);
        map.remove(keyOf[old]);
        release(old);
      }
      n = free[--freeTop];
      keyOf[n] = key;
      map.put(key, n);
    }
    ++gen[n];
    valueOf[n] = value;
    pushFront(n);
    if (ttl > 0) heapPush(now + ttl, n, gen[n]);
  }

  public long get(long now, long key) {
    expire(now);
    int n = map.get(key);
    if (n < 0) return -1;
    unlink(n);
    pushFront(n);
    return valueOf[n];
  }

  public boolean remove(long now, long key) {
    expire(now);
    int n = map.remove(key);
    if (n < 0) return false;
    unlink(n);
    release(n);
    return true;
  }

  public int size(long now) {
    expire(now);
    return map.size();
  }

  private void expire(long now) {
    while (hSize > 0 && hDeadline[0] <= now) {
      int n = hNode[0], g = hGen[0];
      heapPop();
      if (gen[n] == g) {
        map.remove(keyOf[n]);
        unlink(n);
        release(n);
      }
    }
  }

  private void release(int n) {
    ++gen[n];
    free[freeTop++] = n;
  }

  private void unlink(int n) {
    if (prev[n] >= 0) next[prev[n]] = next[n]; else head = next[n];
    if (next[n] >= 0) prev[next[n]] = prev[n]; else tail = prev[n];
  }

  private void pushFront(int n) {
    prev[n] = -1;
    next[n] = head;
    if (head >= 0) prev[head] = n; else tail = n;
    head = n;
  }

  private void heapPush(long deadline, int node, int g) {
    if (hSize == hDeadline.length) {
      hDeadline = Arrays.copyOf(hDeadline, hSize * 2);
      hNode = Arrays.copyOf(hNode, hSize * 2);
      hGen = Arrays.copyOf(hGen, hSize * 2);
    }
    int i = hSize++;
    while (i > 0) {
      int p = (i - 1) >> 1;
      if (hDeadline[p] <= deadline) break;
      hDeadline[i] = hDeadline[p]; hNode[i] = hNode[p]; hGen[i] = hGen[p];
      i = p;
    }
    hDeadline[i] = deadline; hNode[i] = node; hGen[i] = g;
  }

  private void heapPop() {
    --hSize;
    long d = hDeadline[hSize];
    int n = hNode[hSize], g = hGen[hSize];
    int i = 0;
    while (true) {
      int c = 2 * i + 1;
      if (c >= hSize) break;
      if (c + 1 < hSize && hDeadline[c + 1] < hDeadline[c]) ++c;
      if (hDeadline[c] >= d) break;
      hDeadline[i] = hDeadline[c]; hNode[i] = hNode[c]; hGen[i] = hGen[c];
      i = c;
    }
    hDeadline[i] = d; hNode[i] = n; hGen[i] = g;
  }
}

// Linear probing with backward-shift deletion; values are node indices, -1 when absent.
final class LongIntMap {
  private final long[] keys;
  private final int[] vals;
  private final boolean[] used;
  private final int mask;
  private int size = 0;

  LongIntMap(int expected) {
    int n = 16;
    while (n < expected * 2) n <<= 1;
    keys = new long[n];
    vals = new int[n];
    used = new boolean[n];
    mask = n - 1;
  }

  private int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 40) & mask;
  }

  int size() { return size; }

  int get(long key) {
    for (int i = slot(key); used[i]; i = (i + 1) & mask) {
      if (keys[i] == key) return vals[i];
    }
    return -1;
  }

  void put(long key, int val) {
    int i = slot(key);
    for (; used[i]; i = (i + 1) & mask) {
      if (keys[i] == key) { vals[i] = val; return; }
    }
    used[i] = true; keys[i] = key; vals[i] = val; ++size;
  }

  int remove(long key) {
    int i = slot(key);
    for (; used[i]; i = (i + 1) & mask) {
      if (keys[i] == key) break;
    }
    if (!used[i]) return -1;
    int val = vals[i];
    --size;
    // Shift back the entries of the same run that probed past i.
    int j = i;
    while (true) {
      used[i] = false;
      while (true) {
        j = (j + 1) & mask;
        if (!used[j]) return val;
        int k = slot(keys[j]);
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
        break;
      }
      keys[i] = keys[j]; vals[i] = vals[j]; used[i] = true;
      i = j;
    }
  }
}
