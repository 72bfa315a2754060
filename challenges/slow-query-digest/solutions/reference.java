// expect: ACCEPTED
// Reference in Java: the same event rules and fingerprint steps as reference.cc. The log is read
// as ISO-8859-1, one char per byte (a log need not be UTF-8), so String order is byte order;
// the number pattern is spelled out by hand; groups in a HashMap; times as integer microseconds.
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

public class Main {
  static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
  }
  static boolean isDigit(char c) { return c >= '0' && c <= '9'; }
  static boolean isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
  static boolean isAlnum(char c) { return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  static boolean isWord(char c) { return isAlnum(c) || c == '_'; }

  static long micros(String t) {
    long whole = 0, frac = 0;
    int i = 0, digits = 0;
    while (i < t.length() && isDigit(t.charAt(i))) whole = whole * 10 + (t.charAt(i++) - '0');
    if (i < t.length() && t.charAt(i) == '.') {
      for (++i; i < t.length() && isDigit(t.charAt(i)); ++i) {
        if (digits < 6) { frac = frac * 10 + (t.charAt(i) - '0'); ++digits; }
      }
    }
    while (digits++ < 6) frac *= 10;
    return whole * 1000000 + frac;
  }

  // Step 1: one left-to-right pass: comments become a space, string literals become ?.
  static String stripCommentsAndStrings(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0, n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        out.append(' ');
      } else if (c == '#' || (c == '-' && i + 2 < n && s.charAt(i + 1) == '-' && s.charAt(i + 2) == ' ')) {
        while (i < n && s.charAt(i) != '\n') ++i;
        out.append(' ');
      } else if (c == '\'' || c == '"') {
        ++i;
        while (i < n) {
          char d = s.charAt(i);
          if (d == '\\') {
            i += 2;
          } else if (d == c) {
            if (i + 1 < n && s.charAt(i + 1) == c) { i += 2; } else { ++i; break; }
          } else {
            ++i;
          }
        }
        if (i > n) i = n;
        out.append('?');
      } else {
        out.append(c);
        ++i;
      }
    }
    return out.toString();
  }

  static boolean aheadOk(String s, int end) {
    if (end >= s.length()) return true;
    char c = s.charAt(end);
    return !(isAlnum(c) || c == '_' || c == '$');
  }

  static int exponent(String s, int at) {
    int n = s.length();
    if (at < n && (s.charAt(at) == 'e' || s.charAt(at) == 'E')) {
      int k = at + 1;
      if (k < n && (s.charAt(k) == '+' || s.charAt(k) == '-')) ++k;
      if (k < n && isDigit(s.charAt(k))) {
        while (k < n && isDigit(s.charAt(k))) ++k;
        return k;
      }
    }
    return 0;
  }

  // Step 2: numbers not touching an identifier; the regex's alternatives in its order (hex,
  // then digits with optional fraction and exponent, longest first).
  static String replaceNumbers(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int n = s.length();
    int[] candidates = new int[4];
    int i = 0;
    while (i < n) {
      char p = i > 0 ? s.charAt(i - 1) : ' ';
      boolean behindOk = i == 0 || !(isAlnum(p) || p == '_' || p == '$' || p == '.');
      int matchEnd = 0;
      if (behindOk && isDigit(s.charAt(i))) {
        if (s.charAt(i) == '0' && i + 2 < n && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
            && isHex(s.charAt(i + 2))) {
          int j = i + 2;
          while (j < n && isHex(s.charAt(j))) ++j;
          if (aheadOk(s, j)) matchEnd = j;
        }
        if (matchEnd == 0) {
          int d = i;
          while (d < n && isDigit(s.charAt(d))) ++d;
          int f = 0;
          if (d + 1 < n && s.charAt(d) == '.' && isDigit(s.charAt(d + 1))) {
            f = d + 1;
            while (f < n && isDigit(s.charAt(f))) ++f;
          }
          int count = 0;
          if (f > 0) {
            int e = exponent(s, f);
            if (e > 0) candidates[count++] = e;
            candidates[count++] = f;
          }
          int e = exponent(s, d);
          if (e > 0) candidates[count++] = e;
          candidates[count++] = d;
          for (int k = 0; k < count; ++k) {
            if (aheadOk(s, candidates[k])) { matchEnd = candidates[k]; break; }
          }
        }
      }
      if (matchEnd > 0) {
        out.append('?');
        i = matchEnd;
      } else {
        out.append(s.charAt(i++));
      }
    }
    return out.toString();
  }

  // A `(` group holding only ?, comma and spaces at s[i]: the index after `)`, or 0.
  static int group(String s, int i) {
    if (i >= s.length() || s.charAt(i) != '(') return 0;
    ++i;
    while (i < s.length() && (s.charAt(i) == '?' || s.charAt(i) == ',' || s.charAt(i) == ' ')) ++i;
    return i < s.length() && s.charAt(i) == ')' ? i + 1 : 0;
  }

  static String fingerprint(String text) {
    String s = replaceNumbers(stripCommentsAndStrings(text));
    StringBuilder t = new StringBuilder(s.length());  // steps 3 and 4: lowercase, collapse, trim
    for (int i = 0; i < s.length(); ++i) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') c = (char) (c - 'A' + 'a');
      if (isSpace(c)) {
        if (t.length() > 0 && t.charAt(t.length() - 1) != ' ') t.append(' ');
      } else {
        t.append(c);
      }
    }
    while (t.length() > 0 && t.charAt(t.length() - 1) == ' ') t.setLength(t.length() - 1);
    if (t.length() > 0 && t.charAt(t.length() - 1) == ';') {  // step 5
      t.setLength(t.length() - 1);
      while (t.length() > 0 && t.charAt(t.length() - 1) == ' ') t.setLength(t.length() - 1);
    }
    String ts = t.toString();
    StringBuilder u = new StringBuilder(ts.length());  // step 6: the word null
    for (int i = 0; i < ts.length();) {
      if (ts.startsWith("null", i) && (i == 0 || !isWord(ts.charAt(i - 1)))
          && (i + 4 >= ts.length() || !isWord(ts.charAt(i + 4)))) {
        u.append('?');
        i += 4;
      } else {
        u.append(ts.charAt(i++));
      }
    }
    String us = u.toString();
    StringBuilder v = new StringBuilder(us.length());  // step 7: in(...) and values(...) lists
    for (int i = 0; i < us.length();) {
      int word = 0;
      if (i == 0 || !isWord(us.charAt(i - 1))) {
        if (us.startsWith("in", i)) word = 2;
        else if (us.startsWith("values", i)) word = 6;
      }
      if (word > 0) {
        int j = i + word;
        if (j < us.length() && us.charAt(j) == ' ') ++j;
        int end = group(us, j);
        if (end > 0) {
          while (true) {
            int m = end;
            if (m < us.length() && us.charAt(m) == ' ') ++m;
            if (m >= us.length() || us.charAt(m) != ',') break;
            ++m;
            if (m < us.length() && us.charAt(m) == ' ') ++m;
            int next = group(us, m);
            if (next == 0) break;
            end = next;
          }
          v.append(us, i, i + word).append("(?+)");
          i = end;
          continue;
        }
      }
      v.append(us.charAt(i++));
    }
    String vs = v.toString();
    StringBuilder w = new StringBuilder(vs.length());  // step 8: limit ?, ? and limit ? offset ?
    for (int i = 0; i < vs.length();) {
      if (vs.startsWith("limit ?", i) && (i == 0 || !isWord(vs.charAt(i - 1)))) {
        int j = i + 7, end = 0, m = j;
        if (m < vs.length() && vs.charAt(m) == ' ') ++m;
        if (m < vs.length() && vs.charAt(m) == ',') {
          ++m;
          if (m < vs.length() && vs.charAt(m) == ' ') ++m;
          if (m < vs.length() && vs.charAt(m) == '?') end = m + 1;
        }
        if (end == 0 && vs.startsWith(" offset ?", j)) end = j + 9;
        if (end > 0) {
          w.append("limit ?");
          i = end;
          continue;
        }
      }
      w.append(vs.charAt(i++));
    }
    return w.toString();
  }

  static boolean isBanner(String line) {
    if (line.contains("mysqld, Version:") && line.endsWith("started with:")) return true;
    if (line.startsWith("Tcp port:")) return true;
    // Time\s+Id\s+Command\s+Argument at the start of the line.
    int i = 0;
    String[] words = {"Time", "Id", "Command", "Argument"};
    for (int k = 0; k < words.length; ++k) {
      if (k > 0) {
        int start = i;
        while (i < line.length() && isSpace(line.charAt(i))) ++i;
        if (i == start) return false;
      }
      if (!line.startsWith(words[k], i)) return false;
      i += words[k].length();
    }
    return true;
  }

  static final class Event {
    boolean active, hasQt, admin, hasText;
    int kinds;
    long qt, rows;
    StringBuilder text = new StringBuilder();
  }

  static HashMap<String, long[]> groups = new HashMap<>(1 << 16);
  static long counted = 0, threshold = 0;

  static void finish(Event ev) {
    if (!ev.active || !ev.hasQt || ev.admin || !ev.hasText) return;
    boolean blank = true;
    for (int i = 0; i < ev.text.length() && blank; ++i) blank = isSpace(ev.text.charAt(i));
    if (blank || ev.qt <= threshold) return;
    long[] g = groups.computeIfAbsent(fingerprint(ev.text.toString()), k -> new long[4]);
    ++counted;
    g[0]++;
    g[1] += ev.qt;
    g[2] = Math.max(g[2], ev.qt);
    g[3] += ev.rows;
  }

  static String seconds(long us) {
    String frac = Long.toString(us % 1000000);
    return (us / 1000000) + "." + "000000".substring(frac.length()) + frac;
  }

  public static void main(String[] args) throws IOException {
    InputStream in = System.in;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0;) bytes.write(buf, 0, n);
    String all = new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1);
    int nl = all.indexOf('\n');
    String[] first = (nl < 0 ? all : all.substring(0, nl)).trim().split("\\s+");
    threshold = micros(first[0]);
    int topN = first.length > 1 ? Integer.parseInt(first[1]) : 0;
    Event ev = new Event();
    int pos = nl < 0 ? all.length() : nl + 1;
    while (pos < all.length()) {
      int end = all.indexOf('\n', pos);
      if (end < 0) end = all.length();
      String line = all.substring(pos, end);
      pos = end + 1;
      if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
      if (isBanner(line)) {
        finish(ev);
        ev = new Event();
        continue;
      }
      int kind = line.startsWith("# Time:") ? 1
          : line.startsWith("# User@Host:") ? 2
          : line.startsWith("# Query_time:") ? 4 : 0;
      if (kind != 0) {
        if (!ev.active || ev.hasText || (ev.kinds & kind) != 0) {
          finish(ev);
          ev = new Event();
          ev.active = true;
        }
        ev.kinds |= kind;
        if (kind == 4) {
          int k = line.indexOf("Query_time:") + 11;
          while (k < line.length() && isSpace(line.charAt(k))) ++k;
          int s = k;
          while (k < line.length() && (isDigit(line.charAt(k)) || line.charAt(k) == '.')) ++k;
          if (k > s && isDigit(line.charAt(s))) {
            ev.hasQt = true;
            ev.qt = micros(line.substring(s, k));
          }
          int r = line.indexOf("Rows_examined:");
          if (r >= 0) {
            int m = r + 14;
            while (m < line.length() && isSpace(line.charAt(m))) ++m;
            long v = 0;
            boolean any = false;
            while (m < line.length() && isDigit(line.charAt(m))) {
              v = v * 10 + (line.charAt(m++) - '0');
              any = true;
            }
            if (any) ev.rows = v;
          }
        }
        continue;
      }
      ev.active = true;
      if (!ev.hasText) {
        if (line.startsWith("#")) {
          if (line.startsWith("# administrator command:")) ev.admin = true;
          continue;
        }
        int a = 0, b = line.length();
        while (a < b && isSpace(line.charAt(a))) ++a;
        while (b > a && isSpace(line.charAt(b - 1))) --b;
        boolean empty = a == b;
        if (empty || (line.startsWith("use ") && line.charAt(b - 1) == ';')
            || line.startsWith("SET timestamp=") || line.startsWith("SET insert_id=")
            || line.startsWith("SET last_insert_id=")) {
          continue;
        }
        ev.hasText = true;
        ev.text.setLength(0);
        ev.text.append(line);
      } else {
        ev.text.append('\n').append(line);
      }
    }
    finish(ev);

    List<String> ranked = new ArrayList<>(groups.keySet());
    ranked.sort((x, y) -> {
      int byTotal = Long.compare(groups.get(y)[1], groups.get(x)[1]);
      return byTotal != 0 ? byTotal : x.compareTo(y);  // chars are bytes: byte order
    });
    StringBuilder out = new StringBuilder(1 << 16);
    out.append(counted).append(' ').append(groups.size()).append('\n');
    for (int i = 0; i < ranked.size() && i < topN; ++i) {
      long[] g = groups.get(ranked.get(i));
      out.append(g[0]).append('\t').append(seconds(g[1])).append('\t').append(seconds(g[2]))
          .append('\t').append(g[3]).append('\t').append(ranked.get(i)).append('\n');
    }
    System.out.write(out.toString().getBytes(StandardCharsets.ISO_8859_1));
    System.out.flush();
  }
}
