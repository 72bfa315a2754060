// expect: WRONG_ANSWER
// fails-on: expiry-boundary
// The trap: an entry is still treated as live at now == t + ttl (expiry uses < instead of <=).
// Reference in Java: an open-addressing hash map (primitive keys, no boxing) from key to a node
// of a pooled doubly linked list (recency),
// and a binary min-heap of deadlines kept in parallel arrays; a heap entry carries the node's
// generation, so entries of replaced or removed nodes are skipped. O(log n) per operation.
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

public class Main {
  static final class Input {
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int len = 0, at = 0;

    Input(InputStream in) { this.in = in; }

    int next() throws IOException {
      if (at == len) {
        len = in.read(buf, 0, buf.length);
        at = 0;
        if (len <= 0) { len = 0; return -1; }
      }
      return buf[at++];
    }

    // The first byte of the next word (the rest of it is skipped).
    int word() throws IOException {
      int c;
      while ((c = next()) == ' ' || c == '\n' || c == '\r') { }
      int first = c;
      while (c > ' ') c = next();
      return first;
    }

    long number() throws IOException {
      int c;
      while ((c = next()) == ' ' || c == '\n' || c == '\r') { }
      long v = 0;
      while (c >= '0' && c <= '9') { v = v * 10 + (c - '0'); c = next(); }
      return v;
    }
  }

  // Linear probing with backward-shift deletion; values are node indices, -1 when absent.
  static final class LongIntMap {
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

  // Node pool: recency list (head: most recent) and entry data.
  static int[] prev, next, gen;
  static long[] keyOf, valueOf;
  static int head = -1, tail = -1;
  static int[] free;
  static int freeTop = 0;
  // Heap of (deadline, node, generation).
  static long[] hDeadline = new long[1 << 16];
  static int[] hNode = new int[1 << 16], hGen = new int[1 << 16];
  static int hSize = 0;

  static void unlink(int n) {
    if (prev[n] >= 0) next[prev[n]] = next[n]; else head = next[n];
    if (next[n] >= 0) prev[next[n]] = prev[n]; else tail = prev[n];
  }

  static void pushFront(int n) {
    prev[n] = -1;
    next[n] = head;
    if (head >= 0) prev[head] = n; else tail = n;
    head = n;
  }

  static void heapPush(long deadline, int node, int g) {
    if (hSize == hDeadline.length) {
      hDeadline = java.util.Arrays.copyOf(hDeadline, hSize * 2);
      hNode = java.util.Arrays.copyOf(hNode, hSize * 2);
      hGen = java.util.Arrays.copyOf(hGen, hSize * 2);
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

  static void heapPop() {
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

  public static void main(String[] args) throws IOException {
    Input in = new Input(new DataInputStream(System.in));
    int cap = (int) in.number();
    long q = in.number();
    prev = new int[cap];
    next = new int[cap];
    gen = new int[cap];
    keyOf = new long[cap];
    valueOf = new long[cap];
    free = new int[cap];
    for (int i = cap - 1; i >= 0; --i) free[freeTop++] = i;
    LongIntMap map = new LongIntMap(cap + 16);
    StringBuilder out = new StringBuilder(1 << 16);
    for (long i = 0; i < q; ++i) {
      int op = in.word();
      long now = in.number();
      while (hSize > 0 && hDeadline[0] < now) {
        int n = hNode[0], g = hGen[0];
        heapPop();
        if (gen[n] == g) {
          map.remove(keyOf[n]);
          unlink(n);
          ++gen[n];
          free[freeTop++] = n;
        }
      }
      if (op == 'P') {
        long key = in.number(), value = in.number(), ttl = in.number();
        int found = map.get(key);
        int n;
        if (found >= 0) {
          n = found;
          unlink(n);
        } else {
          if (freeTop == 0) {
            int old = tail;
            unlink(old);
            map.remove(keyOf[old]);
            ++gen[old];
            free[freeTop++] = old;
          }
          n = free[--freeTop];
          keyOf[n] = key;
          map.put(key, n);
        }
        ++gen[n];
        valueOf[n] = value;
        pushFront(n);
        if (ttl > 0) heapPush(now + ttl, n, gen[n]);
      } else if (op == 'G') {
        int found = map.get(in.number());
        if (found < 0) {
          out.append("-1\n");
        } else {
          int n = found;
          unlink(n);
          pushFront(n);
          out.append(valueOf[n]).append('\n');
        }
      } else if (op == 'D') {
        int found = map.remove(in.number());
        if (found < 0) {
          out.append("0\n");
        } else {
          int n = found;
          unlink(n);
          ++gen[n];
          free[freeTop++] = n;
          out.append("1\n");
        }
      } else {
        out.append(map.size()).append('\n');
      }
      if (out.length() > (1 << 16)) {
        System.out.print(out);
        out.setLength(0);
      }
    }
    System.out.print(out);
    System.out.flush();
  }
}
