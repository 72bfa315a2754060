// expect: COMPILATION_ERROR
// compile-says: solution.js:9
// A syntax error is one COMPILATION_ERROR naming the candidate's file and line.
class TtlLruCache {
  constructor(capacity) {
    this.capacity = capacity;
  }
  put(now, key, value, ttl) {
    this.map.set(key, value;
  }
}
