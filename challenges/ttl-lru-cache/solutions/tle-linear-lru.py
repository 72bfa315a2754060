# expect: TIME_LIMIT_EXCEEDED
# fails-on: large-lru-1e6
# Trap: a Python list in recency order makes every touch O(C).
import sys


def main():
    data = sys.stdin.buffer.read().split()
    cap, q = int(data[0]), int(data[1])
    order = []  # least recent first
    store = {}  # key -> (value, deadline or None)
    out = []
    i = 2
    for _ in range(q):
        op, now = data[i], int(data[i + 1])
        for k in [k for k in order if store[k][1] is not None and now >= store[k][1]]:
            order.remove(k)
            del store[k]
        if op == b"PUT":
            key, value, ttl = data[i + 2], data[i + 3], int(data[i + 4])
            i += 5
            if key in store:
                order.remove(key)
            elif len(order) == cap:
                del store[order.pop(0)]
            order.append(key)
            store[key] = (value, now + ttl if ttl else None)
        elif op == b"GET":
            key = data[i + 2]
            i += 3
            if key in store:
                order.remove(key)
                order.append(key)
                out.append(store[key][0])
            else:
                out.append(b"-1")
        elif op == b"DEL":
            key = data[i + 2]
            i += 3
            if key in store:
                order.remove(key)
                del store[key]
                out.append(b"1")
            else:
                out.append(b"0")
        else:
            i += 2
            out.append(str(len(order)).encode())
    if out:
        sys.stdout.buffer.write(b"\n".join(out) + b"\n")


main()
