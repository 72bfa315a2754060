#!/usr/bin/env python3
"""Test generator for ttl-lru-cache.

Small tests' answers come from a deliberately simple model (a list in recency order, every
entry checked on every operation). The large tests' answers come from an efficient model
(dict in recency order + a heap of deadlines), which is cross-checked against the simple one
on random tests every time this script runs.

  gen.py --out DIR [--large]
"""
import argparse
import heapq
import os
import random
from collections import OrderedDict


class SimpleModel:
    """Obviously right, O(C) per operation."""

    def __init__(self, cap):
        self.cap = cap
        self.items = []  # [key, value, deadline or None], least recent first

    def _live(self, now):
        self.items = [e for e in self.items if e[2] is None or now < e[2]]

    def put(self, now, key, value, ttl):
        self._live(now)
        deadline = None if ttl == 0 else now + ttl
        for i, e in enumerate(self.items):
            if e[0] == key:
                del self.items[i]
                self.items.append([key, value, deadline])
                return None
        if len(self.items) == self.cap:
            del self.items[0]
        self.items.append([key, value, deadline])
        return None

    def get(self, now, key):
        self._live(now)
        for i, e in enumerate(self.items):
            if e[0] == key:
                del self.items[i]
                self.items.append(e)
                return e[1]
        return -1

    def delete(self, now, key):
        self._live(now)
        for i, e in enumerate(self.items):
            if e[0] == key:
                del self.items[i]
                return 1
        return 0

    def size(self, now):
        self._live(now)
        return len(self.items)


class FastModel:
    """O(log n) per operation: expired entries leave through a heap of deadlines."""

    def __init__(self, cap):
        self.cap = cap
        self.od = OrderedDict()  # key -> (value, deadline, stamp); most recent last
        self.heap = []
        self.stamp = 0

    def _expire(self, now):
        heap, od = self.heap, self.od
        while heap and heap[0][0] <= now:
            deadline, stamp, key = heapq.heappop(heap)
            e = od.get(key)
            if e is not None and e[2] == stamp:
                del od[key]

    def put(self, now, key, value, ttl):
        self._expire(now)
        od = self.od
        if key in od:
            del od[key]
        elif len(od) == self.cap:
            od.popitem(last=False)
        self.stamp += 1
        deadline = None if ttl == 0 else now + ttl
        od[key] = (value, deadline, self.stamp)
        if deadline is not None:
            heapq.heappush(self.heap, (deadline, self.stamp, key))

    def get(self, now, key):
        self._expire(now)
        e = self.od.get(key)
        if e is None:
            return -1
        self.od.move_to_end(key)
        return e[0]

    def delete(self, now, key):
        self._expire(now)
        if key in self.od:
            del self.od[key]
            return 1
        return 0

    def size(self, now):
        self._expire(now)
        return len(self.od)


def run(model_cls, cap, ops):
    m = model_cls(cap)
    out = []
    for op in ops:
        if op[0] == "PUT":
            m.put(op[1], op[2], op[3], op[4])
        elif op[0] == "GET":
            out.append(m.get(op[1], op[2]))
        elif op[0] == "DEL":
            out.append(m.delete(op[1], op[2]))
        else:
            out.append(m.size(op[1]))
    return out


def render(cap, ops):
    lines = ["%d %d" % (cap, len(ops))]
    for op in ops:
        lines.append(" ".join([op[0]] + [str(x) for x in op[1:]]))
    return "\n".join(lines) + "\n"


def P(t, k, v, ttl):
    return ("PUT", t, k, v, ttl)


def G(t, k):
    return ("GET", t, k)


def D(t, k):
    return ("DEL", t, k)


def S(t):
    return ("SIZE", t)


def small_tests():
    """(name, capacity, ops): one trap each, named after it."""
    t = []
    t.append(("sample", 2, [P(1, 1, 100, 0), P(2, 2, 200, 5), G(3, 1), P(4, 3, 300, 0), G(5, 2),
                            G(6, 3), S(7), P(8, 4, 400, 2), G(9, 4), G(12, 4), D(13, 3), S(13)]))
    t.append(("eviction-order", 3, [P(1, 1, 10, 0), P(2, 2, 20, 0), P(3, 3, 30, 0), P(4, 4, 40, 0),
                                    G(5, 1), G(5, 2), G(5, 3), G(5, 4), P(6, 5, 50, 0), G(7, 2)]))
    t.append(("get-refreshes-miss-does-not", 2,
              [P(1, 1, 10, 0), P(2, 2, 20, 0), G(3, 1), G(3, 9), P(4, 3, 30, 0), G(5, 1), G(5, 2),
               G(5, 3), G(6, 7), P(7, 4, 40, 0), G(8, 1), G(8, 3)]))
    # Re-PUT of a key that is not the LRU one: nothing may be evicted.
    t.append(("put-existing-key", 2, [P(1, 1, 10, 0), P(2, 2, 20, 0), P(3, 2, 21, 0), S(3),
                                      G(4, 1), G(4, 2), P(5, 3, 30, 0), G(6, 1), G(6, 2),
                                      G(6, 3)]))
    t.append(("expiry", 3, [P(1, 1, 10, 5), P(1, 2, 20, 100), G(3, 1), G(8, 1), G(9, 2), S(9)]))
    t.append(("expiry-boundary", 2, [P(10, 1, 10, 5), G(14, 1), G(15, 1), P(20, 2, 20, 1), G(21, 2),
                                     S(21)]))
    t.append(("re-put-resets-deadline", 2, [P(1, 1, 10, 5), P(4, 1, 11, 5), G(7, 1), G(8, 1),
                                            G(10, 1), P(10, 1, 12, 0), P(11, 1, 13, 3), G(13, 1),
                                            G(15, 1)]))
    t.append(("expired-entries-free-capacity", 2,
              [P(1, 1, 10, 0), P(2, 2, 20, 3), P(6, 3, 30, 0), G(7, 1), G(7, 3), S(7)]))
    t.append(("size-and-del-ignore-expired", 3,
              [P(1, 1, 10, 2), P(1, 2, 20, 0), S(2), D(5, 1), S(5), D(5, 2), D(5, 2), S(6)]))
    t.append(("ttl-zero-and-far-deadlines", 2,
              [P(1000000000, 1, 10, 0), P(1000000000, 2, 20, 2000000000), G(1000000000, 1),
               G(1000000000, 2), S(1000000000), G(1000000000, 1)]))
    t.append(("capacity-one", 1, [P(1, 1, 10, 0), P(2, 2, 20, 0), G(3, 1), G(3, 2), P(4, 2, 21, 1),
                                  G(4, 2), G(6, 2), P(7, 3, 30, 0), S(7)]))
    t.append(("no-operations", 5, []))
    rng = random.Random(7)
    for i in range(3):
        cap = rng.randint(1, 8)
        now = 0
        ops = []
        for _ in range(3000):
            now += rng.choice([0, 0, 0, 1, 2])
            r = rng.random()
            k = rng.randint(0, 15)
            if r < 0.45:
                ops.append(P(now, k, rng.randint(0, 10 ** 9), rng.choice([0, 0, 1, 2, 3, 5, 10])))
            elif r < 0.8:
                ops.append(G(now, k))
            elif r < 0.93:
                ops.append(D(now, k))
            else:
                ops.append(S(now))
        t.append(("random-%d-cross-checked" % (i + 1), cap, ops))
    return t


def large_lru(rng):
    """10^6 operations, capacity 2*10^5, no TTL: a linear LRU is far too slow."""
    cap = 200000
    ops = []
    now = 0
    for i in range(1000000):
        now += rng.randint(0, 1)
        r = rng.random()
        if r < 0.5:
            ops.append(P(now, rng.randint(0, 400000), rng.randint(0, 10 ** 9), 0))
        elif r < 0.97:
            ops.append(G(now, rng.randint(0, 400000)))
        elif r < 0.995:
            ops.append(D(now, rng.randint(0, 400000)))
        else:
            ops.append(S(now))
    return cap, ops


def large_expiry(rng):
    """10^6 operations, every PUT with a TTL: scanning the cache for expired entries is too slow."""
    cap = 200000
    ops = []
    now = 0
    for i in range(1000000):
        now += rng.randint(0, 2)
        r = rng.random()
        if r < 0.55:
            ops.append(P(now, rng.randint(0, 300000), rng.randint(0, 10 ** 9), rng.randint(1, 400000)))
        elif r < 0.95:
            ops.append(G(now, rng.randint(0, 300000)))
        elif r < 0.99:
            ops.append(D(now, rng.randint(0, 300000)))
        else:
            ops.append(S(now))
    return cap, ops


def adversarial_evict_every_put(rng):
    """Capacity 2*10^5 filled, then every PUT a new key that evicts the least recently used one,
    with GETs keeping the recency order moving: eviction must be O(1) or O(log n)."""
    cap, ops, now = 200000, [], 0
    for k in range(cap):
        ops.append(P(now, k, k, 0))
    next_key = cap
    while len(ops) < 1000000:
        now += 1
        if rng.random() < 0.8:
            ops.append(P(now, next_key, next_key, 0))
            next_key += 1
        else:
            ops.append(G(now, rng.randint(next_key - cap, next_key - 1)))
    return cap, ops


def adversarial_mass_expiry(rng):
    """2*10^5 entries expiring at one instant, then 8*10^5 operations, a third of them SIZE and
    the rest misses on the expired keys and new PUTs: neither the expiry nor SIZE may scan."""
    cap, ops = 200000, []
    for k in range(cap):
        ops.append(P(0, k, k, 1000))
    now, next_key = 1000, cap
    while len(ops) < 1000000:
        r = rng.random()
        if r < 0.34:
            ops.append(S(now))
        elif r < 0.67:
            ops.append(G(now, rng.randint(0, cap - 1)))
        else:
            ops.append(P(now, next_key, next_key, rng.randint(1, 10 ** 6)))
            next_key += 1
        now += rng.randint(0, 1)
    return cap, ops


# Each a factor of about sqrt(2) over the last: enough points for a narrow fit.
SCALE_SIZES = [2000, 2830, 4000, 5660, 8000, 11310, 16000, 22630, 32000, 45250, 64000, 90510, 128000, 181020, 256000, 362040, 512000, 724080, 1024000]


def scale(rng, n):
    """The scaling series: n operations with capacity n/8 and keys over n/2, TTLs on half of
    the PUTs: every part of the cache grows with n, so its growth exponent shows."""
    cap, keys = max(1, n // 8), max(2, n // 2)
    ops = []
    now = 0
    for _ in range(n):
        now += rng.randint(0, 2)
        r = rng.random()
        if r < 0.5:
            ttl = rng.randint(1, n) if rng.random() < 0.5 else 0
            ops.append(P(now, rng.randint(0, keys), rng.randint(0, 10 ** 9), ttl))
        elif r < 0.9:
            ops.append(G(now, rng.randint(0, keys)))
        elif r < 0.95:
            ops.append(D(now, rng.randint(0, keys)))
        else:
            ops.append(S(now))
    return cap, ops


def write(outdir, name, cap, ops, answer):
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, name + ".in"), "w") as f:
        f.write(render(cap, ops))
    with open(os.path.join(outdir, name + ".ans"), "w") as f:
        f.write("".join("%d\n" % x for x in answer))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--large", action="store_true")
    args = ap.parse_args()
    # The efficient model must agree with the simple one before it is trusted with large tests.
    for (name, cap, ops) in small_tests():
        simple = run(SimpleModel, cap, ops)
        fast = run(FastModel, cap, ops)
        if simple != fast:
            raise SystemExit("models disagree on %s" % name)
        if not args.large:
            write(args.out, name, cap, ops, simple)
    if args.large:
        rng = random.Random(20241123)
        cap, ops = large_lru(rng)
        write(args.out, "large-lru-1e6", cap, ops, run(FastModel, cap, ops))
        cap, ops = large_expiry(rng)
        write(args.out, "large-expiry-1e6", cap, ops, run(FastModel, cap, ops))
        cap, ops = adversarial_evict_every_put(rng)
        write(args.out, "adversarial-evict-every-put", cap, ops, run(FastModel, cap, ops))
        cap, ops = adversarial_mass_expiry(rng)
        write(args.out, "adversarial-mass-expiry", cap, ops, run(FastModel, cap, ops))
        # Inputs only: the series times a program, its output is not checked.
        for n in SCALE_SIZES:
            cap, ops = scale(random.Random(n), n)
            with open(os.path.join(args.out, "scale-%d.in" % n), "w") as f:
                f.write(render(cap, ops))


if __name__ == "__main__":
    main()
