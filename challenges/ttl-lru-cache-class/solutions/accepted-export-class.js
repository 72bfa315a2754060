// expect: ACCEPTED
// The JavaScript reference written as an ES module: `export class TtlLruCache`. The harness
// blanks out the `export` keyword (same columns and lines) and evaluates the file as a function
// body, so the module syntax is accepted as it is.
export class TtlLruCache {
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
    // Heap of (deadline, node, generation) in parallel typed arrays.
    this.hDeadline = new Float64Array(1 << 16);
    this.hNode = new Int32Array(1 << 16);
    this.hGen = new Int32Array(1 << 16);
    this.hSize = 0;
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

  heapPush(deadline, node, g) {
    if (this.hSize === this.hDeadline.length) {
      const grow = (a) => { const b = new a.constructor(a.length * 2); b.set(a); return b; };
      this.hDeadline = grow(this.hDeadline);
      this.hNode = grow(this.hNode);
      this.hGen = grow(this.hGen);
    }
    const hd = this.hDeadline, hn = this.hNode, hg = this.hGen;
    let i = this.hSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hd[p] <= deadline) break;
      hd[i] = hd[p]; hn[i] = hn[p]; hg[i] = hg[p];
      i = p;
    }
    hd[i] = deadline; hn[i] = node; hg[i] = g;
  }

  heapPop() {
    const hd = this.hDeadline, hn = this.hNode, hg = this.hGen;
    const size = --this.hSize;
    const d = hd[size], n = hn[size], g = hg[size];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && hd[c + 1] < hd[c]) c++;
      if (hd[c] >= d) break;
      hd[i] = hd[c]; hn[i] = hn[c]; hg[i] = hg[c];
      i = c;
    }
    hd[i] = d; hn[i] = n; hg[i] = g;
  }

  expire(now) {
    while (this.hSize > 0 && this.hDeadline[0] <= now) {
      const n = this.hNode[0], g = this.hGen[0];
      this.heapPop();
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
    if (ttl > 0) this.heapPush(now + ttl, n, this.gen[n]);
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
