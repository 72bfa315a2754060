# expect: COMPILATION_ERROR
# compile-says: File "solution.py", line 8
# A syntax error is reported at the candidate's own line (solution.py is compiled on its own).
class TtlLruCache:
    def __init__(self, capacity: int):
        self.capacity = capacity

    def put(self, now: int, key: int, value: int, ttl: int) -> None
        pass
