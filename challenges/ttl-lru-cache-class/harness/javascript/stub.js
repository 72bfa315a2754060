// Implement the cache described in the statement: the judge's harness reads the operations,
// calls these methods and prints what get, remove and size return. No input or output here
// (console.log goes to stderr, where it cannot change your answers). No export is needed.

class TtlLruCache {
  constructor(capacity) {
  }

  put(now, key, value, ttl) {
  }

  // The value, or -1 when key is not live.
  get(now, key) {
    return -1;
  }

  // True when a live key was removed.
  remove(now, key) {
    return false;
  }

  // The number of live entries.
  size(now) {
    return 0;
  }
}
