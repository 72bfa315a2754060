// expect: COMPILATION_ERROR
// compile-says: solution.ts(9,
// tsc --strict checks the candidate's file alone, and names its lines.
class TtlLruCache {
  constructor(private capacity: number) {}
  put(now: number, key: number, value: number, ttl: number): void {}
  get(now: number, key: number): number {
    const missing: string = "-1";
    return missing;
  }
  remove(now: number, key: number): boolean {
    return false;
  }
  size(now: number): number {
    return 0;
  }
}
