// expect: ACCEPTED
// Reference in TypeScript (strict): a Map from key to a node of a pooled doubly linked list (recency, in
// typed arrays), and a binary min-heap of deadlines whose entries carry the node's generation,
// so entries of replaced or removed nodes are skipped. O(log n) per operation.
import * as fs from "fs";

const data: Buffer = fs.readFileSync(0);
let at = 0;
function skip(): void {
  while (at < data.length && data[at] <= 32) at++;
}
function word(): number {
  skip();
  const first = data[at];
  while (at < data.length && data[at] > 32) at++;
  return first;
}
function number(): number {
  skip();
  let v = 0;
  while (at < data.length && data[at] >= 48 && data[at] <= 57) v = v * 10 + (data[at++] - 48);
  return v;  // up to 3e9: exact in a double
}

const cap = number();
const q = number();
const prev = new Int32Array(cap), next = new Int32Array(cap), gen = new Int32Array(cap);
const keyOf = new Float64Array(cap), valueOf = new Float64Array(cap);
const free = new Int32Array(cap);
let freeTop = 0;
for (let i = cap - 1; i >= 0; i--) free[freeTop++] = i;
let head: number = -1, tail: number = -1;

function unlink(n: number): void {
  if (prev[n] >= 0) next[prev[n]] = next[n]; else head = next[n];
  if (next[n] >= 0) prev[next[n]] = prev[n]; else tail = prev[n];
}
function pushFront(n: number): void {
  prev[n] = -1;
  next[n] = head;
  if (head >= 0) prev[head] = n; else tail = n;
  head = n;
}

let hDeadline: Float64Array = new Float64Array(1 << 16);
let hNode: Int32Array = new Int32Array(1 << 16);
let hGen: Int32Array = new Int32Array(1 << 16);
let hSize = 0;
function growF(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
function growI(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
function heapPush(deadline: number, node: number, g: number): void {
  if (hSize === hDeadline.length) {
    hDeadline = growF(hDeadline); hNode = growI(hNode); hGen = growI(hGen);
  }
  let i = hSize++;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (hDeadline[p] <= deadline) break;
    hDeadline[i] = hDeadline[p]; hNode[i] = hNode[p]; hGen[i] = hGen[p];
    i = p;
  }
  hDeadline[i] = deadline; hNode[i] = node; hGen[i] = g;
}
function heapPop(): void {
  hSize--;
  const d = hDeadline[hSize], n = hNode[hSize], g = hGen[hSize];
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= hSize) break;
    if (c + 1 < hSize && hDeadline[c + 1] < hDeadline[c]) c++;
    if (hDeadline[c] >= d) break;
    hDeadline[i] = hDeadline[c]; hNode[i] = hNode[c]; hGen[i] = hGen[c];
    i = c;
  }
  hDeadline[i] = d; hNode[i] = n; hGen[i] = g;
}

const map = new Map<number, number>();
const out: string[] = [];
for (let i = 0; i < q; i++) {
  const op = word();
  const now = number();
  while (hSize > 0 && hDeadline[0] <= now) {
    const n = hNode[0], g = hGen[0];
    heapPop();
    if (gen[n] === g) {
      map.delete(keyOf[n]);
      unlink(n);
      gen[n]++;
      free[freeTop++] = n;
    }
  }
  if (op === 80) {  // PUT
    const key = number(), value = number(), ttl = number();
    let n = map.get(key);
    if (n !== undefined) {
      unlink(n);
    } else {
      if (freeTop === 0) {
        const old = tail;
        unlink(old);
        map.delete(keyOf[old]);
        gen[old]++;
        free[freeTop++] = old;
      }
      n = free[--freeTop];
      keyOf[n] = key;
      map.set(key, n);
    }
    gen[n]++;
    valueOf[n] = value;
    pushFront(n);
    if (ttl > 0) heapPush(now + ttl, n, gen[n]);
  } else if (op === 71) {  // GET
    const n = map.get(number());
    if (n === undefined) {
      out.push("-1");
    } else {
      unlink(n);
      pushFront(n);
      out.push(String(valueOf[n]));
    }
  } else if (op === 68) {  // DEL
    const key = number();
    const n = map.get(key);
    if (n === undefined) {
      out.push("0");
    } else {
      map.delete(key);
      unlink(n);
      gen[n]++;
      free[freeTop++] = n;
      out.push("1");
    }
  } else {
    out.push(String(map.size));
  }
}
if (out.length > 0) fs.writeFileSync(1, out.join("\n") + "\n");
