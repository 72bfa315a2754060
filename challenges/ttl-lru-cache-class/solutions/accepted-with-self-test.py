# expect: ACCEPTED
# The reference with a self-test under `if __name__ == "__main__":` that prints garbage: the
# harness imports this file as the module `solution`, so the block never runs.
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
        if ttl:
            heappush(heap, (now + ttl, stamp, key))

    def get(self, now: int, key: int) -> int:
        heap = self.heap
        if heap and heap[0][0] <= now:
            self._expire(now)
        e = self.od.get(key)
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


if __name__ == "__main__":
    c = TtlLruCache(2)
    c.put(1, 1, 100, 0)
    print("self-test:", c.get(2, 1), c.size(2), "GARBAGE")
    print(12345)
