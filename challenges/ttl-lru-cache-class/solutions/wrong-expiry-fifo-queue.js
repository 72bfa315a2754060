// expect: WRONG_ANSWER
// fails-on: random-1-cross-checked
// Trap: expiry from a FIFO queue of deadlines instead of a heap ("time never decreases, so
// deadlines arrive in order"): they do not, TTLs differ, so an entry queued behind a later
// deadline outlives its own. The hand-made tests happen to queue their deadlines in order;
// the random ones do not.
// Otherwise the reference: a Map from key to a node of a pooled doubly linked list (recency,
// in typed arrays); queue entries carry the node's generation, so entries of replaced or
// removed nodes are skipped.
"use strict";

class TtlLruCache {
  constructor(capacity) {
    const cap = capacity;
    this.prev = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.gen = new Int32Array(cap);
    this.keyOf = new Float64Array(cap);
    this.valueOf = new Float64Array(cap);
    this.free = new Int32Array(cap);
    this.freeTop = 0;
    for (let i = cap - 1; i >= 0; i--) this.free[this.freeTop++] = i;
    this.head = -1;
    this.tail = -1;
    this.map = new Map();
    // Queue of (deadline, node, generation) in parallel typed arrays, oldest at qHead.
    this.qDeadline = new Float64Array(1 << 16);
    this.qNode = new Int32Array(1 << 16);
    this.qGen = new Int32Array(1 << 16);
    this.qHead = 0;
    this.qSize = 0;
  }

  unlink(n) {
    const prev = this.prev, next = this.next;
    if (prev[n] >= 0) next[prev[n]] = next[n]; else this.head = next[n];
    if (next[n] >= 0) prev[next[n]] = prev[n]; else this.tail = prev[n];
  }

  pushFront(n) {
    this.prev[n] = -1;
    this.next[n] = this.head;
    if (this.head >= 0) this.prev[this.head] = n; else this.tail = n;
    this.head = n;
  }

  release(n) {
    this.gen[n]++;
    this.free[this.freeTop++] = n;
  }

  queuePush(deadline, node, g) {
    if (this.qSize === this.qDeadline.length) {
      const grow = (a) => { const b = new a.constructor(a.length * 2); b.set(a); return b; };
      this.qDeadline = grow(this.qDeadline);
      this.qNode = grow(this.qNode);
      this.qGen = grow(this.qGen);
    }
    const i = this.qSize++;
    this.qDeadline[i] = deadline; this.qNode[i] = node; this.qGen[i] = g;
  }

  expire(now) {
    while (this.qHead < this.qSize && this.qDeadline[this.qHead] <= now) {
      const n = this.qNode[this.qHead], g = this.qGen[this.qHead];
      this.qHead++;
      if (this.gen[n] === g) {
        this.map.delete(this.keyOf[n]);
        this.unlink(n);
        this.release(n);
      }
    }
  }

  put(now, key, value, ttl) {
    this.expire(now);
    let n = this.map.get(key);
    if (n !== undefined) {
      this.unlink(n);
    } else {
      if (this.freeTop === 0) {
        const old = this.tail;
        this.unlink(old);
        this.map.delete(this.keyOf[old]);
        this.release(old);
      }
      n = this.free[--this.freeTop];
      this.keyOf[n] = key;
      this.map.set(key, n);
    }
    this.gen[n]++;
    this.valueOf[n] = value;
    this.pushFront(n);
    if (ttl > 0) this.queuePush(now + ttl, n, this.gen[n]);
  }

  get(now, key) {
    this.expire(now);
    const n = this.map.get(key);
    if (n === undefined) return -1;
    this.unlink(n);
    this.pushFront(n);
    return this.valueOf[n];
  }

  remove(now, key) {
    this.expire(now);
    const n = this.map.get(key);
    if (n === undefined) return false;
    this.map.delete(key);
    this.unlink(n);
    this.release(n);
    return true;
  }

  size(now) {
    this.expire(now);
    return this.map.size;
  }
}
