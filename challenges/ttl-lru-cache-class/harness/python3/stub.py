# Implement the cache described in the statement: the judge's harness reads the operations,
# calls these methods and prints what get, remove and size return. No input or output here
# (a print() goes to stderr, where it cannot change your answers).


class TtlLruCache:
    def __init__(self, capacity: int):
        self.capacity = capacity

    def put(self, now: int, key: int, value: int, ttl: int) -> None:
        pass

    def get(self, now: int, key: int) -> int:
        return -1  # the value, or -1 when key is not live

    def remove(self, now: int, key: int) -> bool:
        return False  # True when a live key was removed

    def size(self, now: int) -> int:
        return 0  # the number of live entries
