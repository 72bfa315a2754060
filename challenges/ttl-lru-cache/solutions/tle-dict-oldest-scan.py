# expect: TIME_LIMIT_EXCEEDED
# fails-on: large-lru-1e6
# Trap: a dict of last-use times scanned for the oldest key on every eviction is O(C) each.
import sys


def main():
    data = sys.stdin.buffer.read().split()
    cap, q = int(data[0]), int(data[1])
    store = {}  # key -> [value, deadline or None, last_use]
    tick = 0
    out = []
    i = 2
    for _ in range(q):
        op, now = data[i], int(data[i + 1])
        tick += 1
        expired = [k for k, e in store.items() if e[1] is not None and now >= e[1]]
        for k in expired:
            del store[k]
        if op == b"PUT":
            key, value, ttl = data[i + 2], data[i + 3], int(data[i + 4])
            i += 5
            if key not in store and len(store) == cap:
                oldest = min(store, key=lambda k: store[k][2])
                del store[oldest]
            store[key] = [value, now + ttl if ttl else None, tick]
        elif op == b"GET":
            key = data[i + 2]
            i += 3
            e = store.get(key)
            if e is None:
                out.append(b"-1")
            else:
                e[2] = tick
                out.append(e[0])
        elif op == b"DEL":
            key = data[i + 2]
            i += 3
            out.append(b"1" if store.pop(key, None) is not None else b"0")
        else:
            i += 2
            out.append(str(len(store)).encode())
    if out:
        sys.stdout.buffer.write(b"\n".join(out) + b"\n")


main()
