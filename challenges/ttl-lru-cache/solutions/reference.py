# expect: ACCEPTED
# Reference: an OrderedDict in recency order plus a heap of deadlines; expired entries leave
# before each operation, so they never hold capacity. O(log n) amortised per operation.
import sys
from collections import OrderedDict
from heapq import heappush, heappop


def main():
    data = sys.stdin.buffer.read().split()
    cap, q = int(data[0]), int(data[1])
    od = OrderedDict()  # key -> [value, stamp]
    heap = []
    out = []
    stamp = 0
    i = 2
    for _ in range(q):
        op = data[i]
        now = int(data[i + 1])
        while heap and heap[0][0] <= now:
            _, s, k = heappop(heap)
            e = od.get(k)
            if e is not None and e[1] == s:
                del od[k]
        if op == b"PUT":
            key, value, ttl = data[i + 2], data[i + 3], int(data[i + 4])
            i += 5
            if key in od:
                del od[key]
            elif len(od) == cap:
                od.popitem(last=False)
            stamp += 1
            od[key] = [value, stamp]
            if ttl:
                heappush(heap, (now + ttl, stamp, key))
        elif op == b"GET":
            key = data[i + 2]
            i += 3
            e = od.get(key)
            if e is None:
                out.append(b"-1")
            else:
                od.move_to_end(key)
                out.append(e[0])
        elif op == b"DEL":
            key = data[i + 2]
            i += 3
            if key in od:
                del od[key]
                out.append(b"1")
            else:
                out.append(b"0")
        else:
            i += 2
            out.append(str(len(od)).encode())
    if out:
        sys.stdout.buffer.write(b"\n".join(out) + b"\n")


main()
