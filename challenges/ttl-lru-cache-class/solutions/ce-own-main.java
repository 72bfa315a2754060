// expect: COMPILATION_ERROR
// compile-says: TtlLruCache.java: error: the class form has no main
// A candidate class with a main of its own (a habit from stdin challenges): the rule is named.
public class TtlLruCache {
    private final int capacity;

    public TtlLruCache(int capacity) { this.capacity = capacity; }
    public void put(long now, long key, long value, long ttl) {}
    public long get(long now, long key) { return -1; }
    public boolean remove(long now, long key) { return false; }
    public int size(long now) { return 0; }

    public static void main(String[] args) {
        System.out.println(new TtlLruCache(2).size(0));
    }
}
