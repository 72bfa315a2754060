// Harness for the class form of ttl-lru-cache (Java): reads `C Q` and the Q operations from
// stdin, drives the candidate's class TtlLruCache (TtlLruCache.java, compiled beside this file)
// and prints one line per GET (the value or -1), DEL (1 or 0) and SIZE (the count).
//
// The harness owns stdout: before any of the candidate's code runs (the class is loaded at its
// first use, below) it keeps its own stream on fd 1 for the answers and points System.out at
// System.err, so a System.out.println in TtlLruCache.java goes to stderr and never changes the
// answer. Only the class Main is declared here, so the candidate's file may declare any other
// top-level helper class (Node, Entry, Input, ...).
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

public class Main {
  private static InputStream in;
  private static final byte[] inBuf = new byte[1 << 20];
  private static int inLen = 0, inAt = 0;

  private static OutputStream out;
  private static final byte[] outBuf = new byte[1 << 16];
  private static int outLen = 0;

  private static int next() throws IOException {
    if (inAt == inLen) {
      inLen = in.read(inBuf, 0, inBuf.length);
      inAt = 0;
      if (inLen <= 0) { inLen = 0; return -1; }
    }
    return inBuf[inAt++];
  }

  // The first byte of the next word (the rest of it is skipped); -1 at the end of the input.
  private static int word() throws IOException {
    int c;
    while ((c = next()) >= 0 && c <= ' ') { }
    int first = c;
    while (c > ' ') c = next();
    return first;
  }

  // The next number; -1 at the end of the input.
  private static long number() throws IOException {
    int c;
    while ((c = next()) >= 0 && c <= ' ') { }
    if (c < '0' || c > '9') return -1;
    long v = 0;
    while (c >= '0' && c <= '9') { v = v * 10 + (c - '0'); c = next(); }
    return v;
  }

  private static void flushOut() throws IOException {
    out.write(outBuf, 0, outLen);
    outLen = 0;
  }

  private static void emit(long v) throws IOException {
    if (outLen + 21 > outBuf.length) flushOut();
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        byte[] s = Long.toString(v).getBytes();
        System.arraycopy(s, 0, outBuf, outLen, s.length);
        outLen += s.length;
        outBuf[outLen++] = '\n';
        return;
      }
      outBuf[outLen++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long t = v; t >= 10; t /= 10) ++digits;
    int p = outLen + digits;
    outLen = p + 1;
    outBuf[p] = '\n';
    do { outBuf[--p] = (byte) ('0' + v % 10); v /= 10; } while (v > 0);
  }

  public static void main(String[] args) throws IOException {
    in = new FileInputStream(FileDescriptor.in);
    out = new FileOutputStream(FileDescriptor.out);
    System.setOut(System.err);

    long cap = number();
    long q = number();
    if (cap < 0 || q < 0) return;  // empty input: nothing to print
    TtlLruCache cache = new TtlLruCache((int) cap);
    for (long i = 0; i < q; ++i) {
      int op = word();
      long now = number();
      if (op == 'P') {
        long key = number(), value = number(), ttl = number();
        cache.put(now, key, value, ttl);
      } else if (op == 'G') {
        emit(cache.get(now, number()));
      } else if (op == 'D') {
        if (outLen + 2 > outBuf.length) flushOut();
        outBuf[outLen++] = (byte) (cache.remove(now, number()) ? '1' : '0');
        outBuf[outLen++] = '\n';
      } else if (op == 'S') {
        emit(cache.size(now));
      } else {
        System.err.println("Main.java: malformed input at operation " + (i + 1));
        System.exit(1);
      }
    }
    flushOut();
    out.flush();
  }
}
