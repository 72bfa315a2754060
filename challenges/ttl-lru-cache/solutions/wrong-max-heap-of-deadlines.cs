// expect: WRONG_ANSWER
// fails-on: expiry
// The trap: the heap of deadlines compares the wrong way round (a max-heap), so an entry's expiry
// waits until every later deadline has passed too.
// Reference in C#: an open-addressing hash map (int keys, no boxing) from key to a node of a
// pooled doubly linked list (recency), and a binary min-heap of deadlines kept in parallel
// arrays; a heap entry carries the node's generation, so entries of replaced or removed nodes
// are skipped. O(log n) per operation.
using System;
using System.IO;

public static class Program {
  // The whole input at once; words are read straight from the bytes.
  static byte[] data;
  static int len, at;

  static void Skip() {
    while (at < len && data[at] <= (byte)' ') ++at;
  }

  // The first byte of the next word (the rest of it is skipped).
  static int Word() {
    Skip();
    if (at >= len) return -1;
    int first = data[at];
    while (at < len && data[at] > (byte)' ') ++at;
    return first;
  }

  static long Number() {
    Skip();
    long v = 0;
    while (at < len) {
      int c = data[at] - '0';
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      ++at;
    }
    return v;
  }

  // Output: one byte buffer, grown as needed.
  static byte[] outBuf = new byte[1 << 16];
  static int outLen;
  static readonly byte[] digits = new byte[24];

  static void Write(long v) {
    if (outLen + 24 > outBuf.Length) Array.Resize(ref outBuf, outBuf.Length * 2);
    if (v < 0) {
      outBuf[outLen++] = (byte)'-';
      v = -v;
    }
    int n = 0;
    do {
      digits[n++] = (byte)('0' + v % 10);
      v /= 10;
    } while (v > 0);
    while (n > 0) outBuf[outLen++] = digits[--n];
    outBuf[outLen++] = (byte)'\n';
  }

  // Linear probing with backward-shift deletion; values are node indices, -1 when absent.
  sealed class IntMap {
    readonly int[] keys, vals;
    readonly bool[] used;
    readonly int mask;
    public int Count;

    public IntMap(int expected) {
      int n = 16;
      while (n < expected * 2) n <<= 1;
      keys = new int[n];
      vals = new int[n];
      used = new bool[n];
      mask = n - 1;
    }

    int Slot(int key) {
      ulong h = (ulong)(uint)key * 0x9E3779B97F4A7C15UL;
      return (int)(h >> 40) & mask;
    }

    public int Get(int key) {
      for (int i = Slot(key); used[i]; i = (i + 1) & mask) {
        if (keys[i] == key) return vals[i];
      }
      return -1;
    }

    public void Put(int key, int val) {
      int i = Slot(key);
      for (; used[i]; i = (i + 1) & mask) {
        if (keys[i] == key) {
          vals[i] = val;
          return;
        }
      }
      used[i] = true;
      keys[i] = key;
      vals[i] = val;
      ++Count;
    }

    public int Remove(int key) {
      int i = Slot(key);
      for (; used[i]; i = (i + 1) & mask) {
        if (keys[i] == key) break;
      }
      if (!used[i]) return -1;
      int val = vals[i];
      --Count;
      // Shift back the entries of the same run that probed past i.
      int j = i;
      while (true) {
        used[i] = false;
        while (true) {
          j = (j + 1) & mask;
          if (!used[j]) return val;
          int k = Slot(keys[j]);
          if (i <= j ? (i < k && k <= j) : (i < k || k <= j)) continue;
          break;
        }
        keys[i] = keys[j];
        vals[i] = vals[j];
        used[i] = true;
        i = j;
      }
    }
  }

  // Node pool: recency list (head: most recent) and entry data.
  static int[] prev, next, gen, keyOf;
  static long[] valueOf;
  static int head = -1, tail = -1;
  static int[] free;
  static int freeTop;
  // Heap of (deadline, node, generation).
  static long[] hDeadline = new long[1 << 16];
  static int[] hNode = new int[1 << 16], hGen = new int[1 << 16];
  static int hSize;

  static void Unlink(int n) {
    if (prev[n] >= 0) next[prev[n]] = next[n]; else head = next[n];
    if (next[n] >= 0) prev[next[n]] = prev[n]; else tail = prev[n];
  }

  static void PushFront(int n) {
    prev[n] = -1;
    next[n] = head;
    if (head >= 0) prev[head] = n; else tail = n;
    head = n;
  }

  static void HeapPush(long deadline, int node, int g) {
    if (hSize == hDeadline.Length) {
      Array.Resize(ref hDeadline, hSize * 2);
      Array.Resize(ref hNode, hSize * 2);
      Array.Resize(ref hGen, hSize * 2);
    }
    int i = hSize++;
    while (i > 0) {
      int p = (i - 1) >> 1;
      if (hDeadline[p] >= deadline) break;  // the bug: the largest deadline rises to the top
      hDeadline[i] = hDeadline[p];
      hNode[i] = hNode[p];
      hGen[i] = hGen[p];
      i = p;
    }
    hDeadline[i] = deadline;
    hNode[i] = node;
    hGen[i] = g;
  }

  static void HeapPop() {
    --hSize;
    long d = hDeadline[hSize];
    int n = hNode[hSize], g = hGen[hSize];
    int i = 0;
    while (true) {
      int c = 2 * i + 1;
      if (c >= hSize) break;
      if (c + 1 < hSize && hDeadline[c + 1] > hDeadline[c]) ++c;
      if (hDeadline[c] <= d) break;
      hDeadline[i] = hDeadline[c];
      hNode[i] = hNode[c];
      hGen[i] = hGen[c];
      i = c;
    }
    hDeadline[i] = d;
    hNode[i] = n;
    hGen[i] = g;
  }

  public static void Main() {
    using (Stream stdin = Console.OpenStandardInput()) {
      var ms = new MemoryStream();
      stdin.CopyTo(ms);
      data = ms.GetBuffer();
      len = (int)ms.Length;
    }
    int cap = (int)Number();
    long q = Number();
    prev = new int[cap];
    next = new int[cap];
    gen = new int[cap];
    keyOf = new int[cap];
    valueOf = new long[cap];
    free = new int[cap];
    for (int i = cap - 1; i >= 0; --i) free[freeTop++] = i;
    var map = new IntMap(cap + 16);
    for (long i = 0; i < q; ++i) {
      int op = Word();
      long now = Number();
      while (hSize > 0 && hDeadline[0] <= now) {
        int n = hNode[0], g = hGen[0];
        HeapPop();
        if (gen[n] == g) {
          map.Remove(keyOf[n]);
          Unlink(n);
          ++gen[n];
          free[freeTop++] = n;
        }
      }
      if (op == 'P') {
        int key = (int)Number();
        long value = Number(), ttl = Number();
        int found = map.Get(key);
        int n;
        if (found >= 0) {
          n = found;
          Unlink(n);
        } else {
          if (freeTop == 0) {
            int old = tail;
            Unlink(old);
            map.Remove(keyOf[old]);
            ++gen[old];
            free[freeTop++] = old;
          }
          n = free[--freeTop];
          keyOf[n] = key;
          map.Put(key, n);
        }
        ++gen[n];
        valueOf[n] = value;
        PushFront(n);
        if (ttl > 0) HeapPush(now + ttl, n, gen[n]);
      } else if (op == 'G') {
        int found = map.Get((int)Number());
        if (found < 0) {
          Write(-1);
        } else {
          Unlink(found);
          PushFront(found);
          Write(valueOf[found]);
        }
      } else if (op == 'D') {
        int found = map.Remove((int)Number());
        if (found < 0) {
          Write(0);
        } else {
          Unlink(found);
          ++gen[found];
          free[freeTop++] = found;
          Write(1);
        }
      } else {
        Write(map.Count);
      }
    }
    using (Stream stdout = Console.OpenStandardOutput()) {
      stdout.Write(outBuf, 0, outLen);
    }
  }
}
