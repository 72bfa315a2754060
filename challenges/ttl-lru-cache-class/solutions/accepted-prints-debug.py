# expect: ACCEPTED
# The reference with print() debugging left in put and get: still accepted, because the harness
# points stdout (fd 1 and sys.stdout) at stderr before importing this file and writes its
# answers through its own copy of the original stdout. (It prints only while the cache is
# small, so that the 10^6-operation tests stay fast.)
from collections import OrderedDict
from heapq import heappush, heappop


class TtlLruCache:
    def __init__(self, capacity: int):
        self.cap = capacity
        self.od = OrderedDict()  # key -> [value, stamp]
        self.heap = []  # (deadline, stamp, key)
        self.stamp = 0

    def _expire(self, now: int) -> None:
        heap, od = self.heap, self.od
        while heap and heap[0][0] <= now:
            _, s, k = heappop(heap)
            e = od.get(k)
            if e is not None and e[1] == s:
                del od[k]

    def put(self, now: int, key: int, value: int, ttl: int) -> None:
        heap = self.heap
        if heap and heap[0][0] <= now:
            self._expire(now)
        od = self.od
        if key in od:
            del od[key]
        elif len(od) == self.cap:
            od.popitem(last=False)
        self.stamp = stamp = self.stamp + 1
        od[key] = [value, stamp]
        if len(od) <= 3:
            print("put", now, key, value, ttl, "->", dict(od))
        if ttl:
            heappush(heap, (now + ttl, stamp, key))

    def get(self, now: int, key: int) -> int:
        heap = self.heap
        if heap and heap[0][0] <= now:
            self._expire(now)
        e = self.od.get(key)
        if len(self.od) <= 3:
            print("get", now, key, "->", e)
        if e is None:
            return -1
        self.od.move_to_end(key)
        return e[0]

    def remove(self, now: int, key: int) -> bool:
        heap = self.heap
        if heap and heap[0][0] <= now:
            self._expire(now)
        return self.od.pop(key, None) is not None

    def size(self, now: int) -> int:
        heap = self.heap
        if heap and heap[0][0] <= now:
            self._expire(now)
        return len(self.od)
