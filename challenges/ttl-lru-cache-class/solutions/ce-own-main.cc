// expect: COMPILATION_ERROR
// compile-says: solution.cc: error: the class form has no main
// A candidate file with a test main of its own: the harness is the program, so the rule is named.
#include <cstdint>
#include <iostream>

class TtlLruCache {
 public:
  explicit TtlLruCache(int capacity) : capacity_(capacity) {}
  void put(int64_t, int64_t, int64_t, int64_t) {}
  int64_t get(int64_t, int64_t) { return -1; }
  bool remove(int64_t, int64_t) { return false; }
  int size(int64_t) { return 0; }

 private:
  int capacity_;
};

int main() {
  TtlLruCache c(2);
  std::cout << c.size(0) << "\n";
}
