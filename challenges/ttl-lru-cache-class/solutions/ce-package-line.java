// expect: COMPILATION_ERROR
// compile-says: TtlLruCache.java: error: the class form takes TtlLruCache in the default package
// An IDE's package line left in: the harness's Main could not see the class.
package com.example.cache;

public class TtlLruCache {
    public TtlLruCache(int capacity) {}
    public void put(long now, long key, long value, long ttl) {}
    public long get(long now, long key) { return -1; }
    public boolean remove(long now, long key) { return false; }
    public int size(long now) { return 0; }
}
