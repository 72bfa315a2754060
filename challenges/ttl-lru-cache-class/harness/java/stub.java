// Implement the cache described in the statement: the judge's harness (its own class Main)
// reads the operations, calls these methods and prints what get, remove and size return. No
// input or output and no main method here (System.out goes to stderr, where it cannot change
// your answers). Helper classes may sit beside this one in the same file.
import java.util.*;

public class TtlLruCache {
  public TtlLruCache(int capacity) {
  }

  public void put(long now, long key, long value, long ttl) {
  }

  // The value, or -1 when key is not live.
  public long get(long now, long key) {
    return -1;
  }

  // True when a live key was removed.
  public boolean remove(long now, long key) {
    return false;
  }

  // The number of live entries.
  public int size(long now) {
    return 0;
  }
}
