// Implement the cache described in the statement: the judge's harness reads the operations,
// calls these methods and prints what get, remove and size return. No input or output here
// (console.log goes to stderr, where it cannot change your answers). No export is needed.

class TtlLruCache {
  constructor(capacity: number) {
  }

  put(now: number, key: number, value: number, ttl: number): void {
  }

  // The value, or -1 when key is not live.
  get(now: number, key: number): number {
    return -1;
  }

  // True when a live key was removed.
  remove(now: number, key: number): boolean {
    return false;
  }

  // The number of live entries.
  size(now: number): number {
    return 0;
  }
}
