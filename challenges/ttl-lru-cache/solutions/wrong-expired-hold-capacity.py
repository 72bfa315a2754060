# expect: WRONG_ANSWER
# fails-on: expired-entries-free-capacity
# Trap: lazy expiry that only checks the key being read lets expired entries hold capacity, so
# a PUT evicts a live entry instead.
import sys
from collections import OrderedDict


def main():
    data = sys.stdin.buffer.read().split()
    cap, q = int(data[0]), int(data[1])
    od = OrderedDict()  # key -> (value, deadline or None)
    out = []
    i = 2
    for _ in range(q):
        op, now = data[i], int(data[i + 1])
        if op == b"PUT":
            key, value, ttl = data[i + 2], data[i + 3], int(data[i + 4])
            i += 5
            if key in od:
                del od[key]
            elif len(od) == cap:
                od.popitem(last=False)
            od[key] = (value, now + ttl if ttl else None)
        elif op == b"GET":
            key = data[i + 2]
            i += 3
            e = od.get(key)
            if e is not None and e[1] is not None and now >= e[1]:
                del od[key]
                e = None
            if e is None:
                out.append(b"-1")
            else:
                od.move_to_end(key)
                out.append(e[0])
        elif op == b"DEL":
            key = data[i + 2]
            i += 3
            e = od.pop(key, None)
            out.append(b"1" if e is not None and (e[1] is None or now < e[1]) else b"0")
        else:
            i += 2
            out.append(str(sum(1 for v in od.values() if v[1] is None or now < v[1])).encode())
    if out:
        sys.stdout.buffer.write(b"\n".join(out) + b"\n")


main()
