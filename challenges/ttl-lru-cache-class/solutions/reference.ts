// expect: ACCEPTED
// Reference in TypeScript (strict): a Map from key to a node of a pooled doubly linked list
// (recency, in typed arrays), and a binary min-heap of deadlines whose entries carry the node's
// generation, so entries of replaced or removed nodes are skipped. Expired entries leave before
// each operation, so they never hold capacity. O(log n) per operation.

class TtlLruCache {
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly gen: Int32Array;
  private readonly keyOf: Float64Array;
  private readonly valueOf: Float64Array;
  private readonly free: Int32Array;
  private freeTop = 0;
  private head = -1;
  private tail = -1;
  private readonly map = new Map<number, number>();
  // Heap of (deadline, node, generation) in parallel typed arrays.
  private hDeadline = new Float64Array(1 << 16);
  private hNode = new Int32Array(1 << 16);
  private hGen = new Int32Array(1 << 16);
  private hSize = 0;

  constructor(capacity: number) {
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.gen = new Int32Array(capacity);
    this.keyOf = new Float64Array(capacity);
    this.valueOf = new Float64Array(capacity);
    this.free = new Int32Array(capacity);
    for (let i = capacity - 1; i >= 0; i--) this.free[this.freeTop++] = i;
  }

  put(now: number, key: number, value: number, ttl: number): void {
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

  get(now: number, key: number): number {
    this.expire(now);
    const n = this.map.get(key);
    if (n === undefined) return -1;
    this.unlink(n);
    this.pushFront(n);
    return this.valueOf[n];
  }

  remove(now: number, key: number): boolean {
    this.expire(now);
    const n = this.map.get(key);
    if (n === undefined) return false;
    this.map.delete(key);
    this.unlink(n);
    this.release(n);
    return true;
  }

  size(now: number): number {
    this.expire(now);
    return this.map.size;
  }

  private expire(now: number): void {
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

  private release(n: number): void {
    this.gen[n]++;
    this.free[this.freeTop++] = n;
  }

  private unlink(n: number): void {
    const prev = this.prev, next = this.next;
    if (prev[n] >= 0) next[prev[n]] = next[n]; else this.head = next[n];
    if (next[n] >= 0) prev[next[n]] = prev[n]; else this.tail = prev[n];
  }

  private pushFront(n: number): void {
    this.prev[n] = -1;
    this.next[n] = this.head;
    if (this.head >= 0) this.prev[this.head] = n; else this.tail = n;
    this.head = n;
  }

  private heapPush(deadline: number, node: number, g: number): void {
    if (this.hSize === this.hDeadline.length) {
      const d = new Float64Array(this.hSize * 2), nn = new Int32Array(this.hSize * 2);
      const gg = new Int32Array(this.hSize * 2);
      d.set(this.hDeadline); nn.set(this.hNode); gg.set(this.hGen);
      this.hDeadline = d; this.hNode = nn; this.hGen = gg;
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

  private heapPop(): void {
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
}
