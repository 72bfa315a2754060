// expect: ACCEPTED
// Reference in C#: the same event rules and fingerprint steps as reference.cc, on a char[] of the
// log read one char per byte (a log need not be UTF-8), so ordinal string order is byte order;
// every comparison is ordinal (the default, culture-aware ones are slower and sort "a" before
// "B"); the number pattern spelled out by hand; groups in a Dictionary; times as integer
// microseconds.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

public static class Program {
  static bool IsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  }
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
  static bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
  static bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  static bool IsWord(char c) { return IsAlnum(c) || c == '_'; }

  static long Micros(char[] s, int i, int end) {
    long whole = 0, frac = 0;
    int digits = 0;
    while (i < end && IsDigit(s[i])) whole = whole * 10 + (s[i++] - '0');
    if (i < end && s[i] == '.') {
      for (++i; i < end && IsDigit(s[i]); ++i) {
        if (digits < 6) {
          frac = frac * 10 + (s[i] - '0');
          ++digits;
        }
      }
    }
    while (digits++ < 6) frac *= 10;
    return whole * 1000000 + frac;
  }

  // Whether s[i..end) starts with p (ordinal).
  static bool At(char[] s, int i, int end, string p) {
    if (i < 0 || i + p.Length > end) return false;
    for (int k = 0; k < p.Length; ++k) {
      if (s[i + k] != p[k]) return false;
    }
    return true;
  }

  static int Find(char[] s, int i, int end, string p) {
    for (int last = end - p.Length; i <= last; ++i) {
      if (s[i] == p[0] && At(s, i, end, p)) return i;
    }
    return -1;
  }

  // Each fingerprint step reads one buffer and writes the other; step 7 may grow a text by
  // half ("in()" becomes "in(?+)"), hence twice the length.
  static char[] bufA = new char[1 << 12], bufB = new char[1 << 12];

  // Step 1: one left-to-right pass: comments become a space, string literals become ?.
  static int StripCommentsAndStrings(char[] s, int n, char[] o) {
    int i = 0, len = 0;
    while (i < n) {
      char c = s[i];
      if (c == '/' && i + 1 < n && s[i + 1] == '*') {
        int end = Find(s, i + 2, n, "*/");
        i = end < 0 ? n : end + 2;
        o[len++] = ' ';
      } else if (c == '#' || (c == '-' && i + 2 < n && s[i + 1] == '-' && s[i + 2] == ' ')) {
        while (i < n && s[i] != '\n') ++i;
        o[len++] = ' ';
      } else if (c == '\'' || c == '"') {
        ++i;
        while (i < n) {
          char d = s[i];
          if (d == '\\') {
            i += 2;
          } else if (d == c) {
            if (i + 1 < n && s[i + 1] == c) {
              i += 2;
            } else {
              ++i;
              break;
            }
          } else {
            ++i;
          }
        }
        if (i > n) i = n;
        o[len++] = '?';
      } else {
        o[len++] = c;
        ++i;
      }
    }
    return len;
  }

  static bool AheadOk(char[] s, int n, int end) {
    if (end >= n) return true;
    char c = s[end];
    return !(IsAlnum(c) || c == '_' || c == '$');
  }

  static int Exponent(char[] s, int n, int at) {
    if (at < n && (s[at] == 'e' || s[at] == 'E')) {
      int k = at + 1;
      if (k < n && (s[k] == '+' || s[k] == '-')) ++k;
      if (k < n && IsDigit(s[k])) {
        while (k < n && IsDigit(s[k])) ++k;
        return k;
      }
    }
    return 0;
  }

  // Step 2: numbers not touching an identifier; the regex's alternatives in its order (hex,
  // then digits with optional fraction and exponent, longest first).
  static readonly int[] candidates = new int[4];

  static int ReplaceNumbers(char[] s, int n, char[] o) {
    int i = 0, len = 0;
    while (i < n) {
      char c = s[i];
      int matchEnd = 0;
      if (IsDigit(c)) {
        char p = i > 0 ? s[i - 1] : ' ';
        bool behindOk = !(IsAlnum(p) || p == '_' || p == '$' || p == '.');
        if (behindOk) {
          if (c == '0' && i + 2 < n && (s[i + 1] == 'x' || s[i + 1] == 'X') && IsHex(s[i + 2])) {
            int j = i + 2;
            while (j < n && IsHex(s[j])) ++j;
            if (AheadOk(s, n, j)) matchEnd = j;
          }
          if (matchEnd == 0) {
            int d = i;
            while (d < n && IsDigit(s[d])) ++d;
            int f = 0;
            if (d + 1 < n && s[d] == '.' && IsDigit(s[d + 1])) {
              f = d + 1;
              while (f < n && IsDigit(s[f])) ++f;
            }
            int count = 0;
            if (f > 0) {
              int fe = Exponent(s, n, f);
              if (fe > 0) candidates[count++] = fe;
              candidates[count++] = f;
            }
            int e = Exponent(s, n, d);
            if (e > 0) candidates[count++] = e;
            candidates[count++] = d;
            for (int k = 0; k < count; ++k) {
              if (AheadOk(s, n, candidates[k])) {
                matchEnd = candidates[k];
                break;
              }
            }
          }
        }
      }
      if (matchEnd > 0) {
        o[len++] = '?';
        i = matchEnd;
      } else {
        o[len++] = c;
        ++i;
      }
    }
    return len;
  }

  // A `(` group holding only ?, comma and spaces at s[i]: the index after `)`, or 0.
  static int Group(char[] s, int n, int i) {
    if (i >= n || s[i] != '(') return 0;
    ++i;
    while (i < n && (s[i] == '?' || s[i] == ',' || s[i] == ' ')) ++i;
    return i < n && s[i] == ')' ? i + 1 : 0;
  }

  static string Fingerprint(char[] text, int n) {
    if (bufA.Length < 2 * n + 16) {
      bufA = new char[2 * n + 16];
      bufB = new char[2 * n + 16];
    }
    char[] a = bufA, b = bufB;
    int na = StripCommentsAndStrings(text, n, a);
    int nb = ReplaceNumbers(a, na, b);
    na = 0;  // steps 3 and 4: lowercase, collapse whitespace, trim
    for (int i = 0; i < nb; ++i) {
      char c = b[i];
      if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
      if (IsSpace(c)) {
        if (na > 0 && a[na - 1] != ' ') a[na++] = ' ';
      } else {
        a[na++] = c;
      }
    }
    while (na > 0 && a[na - 1] == ' ') --na;
    if (na > 0 && a[na - 1] == ';') {  // step 5
      --na;
      while (na > 0 && a[na - 1] == ' ') --na;
    }
    nb = 0;  // step 6: the word null
    for (int i = 0; i < na;) {
      if (At(a, i, na, "null") && (i == 0 || !IsWord(a[i - 1])) && (i + 4 >= na || !IsWord(a[i + 4]))) {
        b[nb++] = '?';
        i += 4;
      } else {
        b[nb++] = a[i++];
      }
    }
    na = 0;  // step 7: in(...) and values(...) lists
    for (int i = 0; i < nb;) {
      int word = 0;
      if (i == 0 || !IsWord(b[i - 1])) {
        if (At(b, i, nb, "in")) word = 2;
        else if (At(b, i, nb, "values")) word = 6;
      }
      if (word > 0) {
        int j = i + word;
        if (j < nb && b[j] == ' ') ++j;
        int end = Group(b, nb, j);
        if (end > 0) {
          while (true) {
            int m = end;
            if (m < nb && b[m] == ' ') ++m;
            if (m >= nb || b[m] != ',') break;
            ++m;
            if (m < nb && b[m] == ' ') ++m;
            int next = Group(b, nb, m);
            if (next == 0) break;
            end = next;
          }
          for (int k = 0; k < word; ++k) a[na++] = b[i + k];
          a[na++] = '(';
          a[na++] = '?';
          a[na++] = '+';
          a[na++] = ')';
          i = end;
          continue;
        }
      }
      a[na++] = b[i++];
    }
    nb = 0;  // step 8: limit ?, ? and limit ? offset ?
    for (int i = 0; i < na;) {
      if (At(a, i, na, "limit ?") && (i == 0 || !IsWord(a[i - 1]))) {
        int j = i + 7, end = 0, m = j;
        if (m < na && a[m] == ' ') ++m;
        if (m < na && a[m] == ',') {
          ++m;
          if (m < na && a[m] == ' ') ++m;
          if (m < na && a[m] == '?') end = m + 1;
        }
        if (end == 0 && At(a, j, na, " offset ?")) end = j + 9;
        if (end > 0) {
          for (int k = 0; k < 7; ++k) b[nb++] = a[i + k];
          i = end;
          continue;
        }
      }
      b[nb++] = a[i++];
    }
    return new string(b, 0, nb);
  }

  static readonly string[] BannerWords = { "Time", "Id", "Command", "Argument" };

  static bool IsBanner(char[] s, int i, int end) {
    if (end - i >= 13 && At(s, end - 13, end, "started with:") && Find(s, i, end, "mysqld, Version:") >= 0) {
      return true;
    }
    if (At(s, i, end, "Tcp port:")) return true;
    // Time\s+Id\s+Command\s+Argument at the start of the line.
    for (int k = 0; k < BannerWords.Length; ++k) {
      if (k > 0) {
        int start = i;
        while (i < end && IsSpace(s[i])) ++i;
        if (i == start) return false;
      }
      if (!At(s, i, end, BannerWords[k])) return false;
      i += BannerWords[k].Length;
    }
    return true;
  }

  // The event being read; its query text is copied line by line into text.
  static bool evActive, evHasQt, evAdmin, evHasText;
  static int evKinds;
  static long evQt, evRows;
  static char[] text = new char[1 << 12];
  static int textLen;

  static void Reset(bool active) {
    evActive = active;
    evHasQt = evAdmin = evHasText = false;
    evKinds = 0;
    evQt = evRows = 0;
    textLen = 0;
  }

  static void Reserve(int n) {
    if (textLen + n > text.Length) Array.Resize(ref text, Math.Max(text.Length * 2, textLen + n));
  }

  static void AppendText(char[] s, int i, int n) {
    Reserve(n);
    Array.Copy(s, i, text, textLen, n);
    textLen += n;
  }

  static Dictionary<string, long[]> groups = new Dictionary<string, long[]>(1 << 16, StringComparer.Ordinal);
  static long counted, threshold;

  static void Finish() {
    if (!evActive || !evHasQt || evAdmin || !evHasText) return;
    bool blank = true;
    for (int i = 0; i < textLen && blank; ++i) blank = IsSpace(text[i]);
    if (blank || evQt <= threshold) return;
    string fp = Fingerprint(text, textLen);
    long[] g;
    if (!groups.TryGetValue(fp, out g)) {
      g = new long[4];
      groups[fp] = g;
    }
    ++counted;
    g[0]++;
    g[1] += evQt;
    g[2] = Math.Max(g[2], evQt);
    g[3] += evRows;
  }

  static string Seconds(long us) {
    return (us / 1000000).ToString() + "." + (us % 1000000).ToString("D6");
  }

  public static void Main() {
    byte[] bytes = new byte[1 << 20];
    int len = 0;
    using (Stream stdin = Console.OpenStandardInput()) {
      while (true) {
        if (len == bytes.Length) Array.Resize(ref bytes, bytes.Length * 2);
        int got = stdin.Read(bytes, len, bytes.Length - len);
        if (got <= 0) break;
        len += got;
      }
    }
    // One char per byte (ISO-8859-1), whatever the bytes are.
    char[] all = new char[len];
    for (int k = 0; k < len; ++k) all[k] = (char)bytes[k];
    bytes = null;
    int nl = Array.IndexOf(all, '\n', 0, len);
    if (nl < 0) nl = len;
    string[] first = new string(all, 0, nl).Split(new[] { ' ', '\t', '\r' }, StringSplitOptions.RemoveEmptyEntries);
    threshold = Micros(first[0].ToCharArray(), 0, first[0].Length);
    int topN = first.Length > 1 ? int.Parse(first[1]) : 0;
    Reset(false);
    int pos = nl + 1;
    while (pos < len) {
      int end = Array.IndexOf(all, '\n', pos, len - pos);
      if (end < 0) end = len;
      int ls = pos, le = end > pos && all[end - 1] == '\r' ? end - 1 : end;  // the line: [ls, le)
      pos = end + 1;
      if (IsBanner(all, ls, le)) {
        Finish();
        Reset(false);
        continue;
      }
      int kind = At(all, ls, le, "# Time:") ? 1
                 : At(all, ls, le, "# User@Host:") ? 2
                 : At(all, ls, le, "# Query_time:") ? 4 : 0;
      if (kind != 0) {
        if (!evActive || evHasText || (evKinds & kind) != 0) {
          Finish();
          Reset(true);
        }
        evKinds |= kind;
        if (kind == 4) {
          int k = ls + 13;  // after "# Query_time:"
          while (k < le && IsSpace(all[k])) ++k;
          int s = k;
          while (k < le && (IsDigit(all[k]) || all[k] == '.')) ++k;
          if (k > s && IsDigit(all[s])) {
            evHasQt = true;
            evQt = Micros(all, s, k);
          }
          int r = Find(all, ls, le, "Rows_examined:");
          if (r >= 0) {
            int m = r + 14;
            while (m < le && IsSpace(all[m])) ++m;
            long val = 0;
            bool any = false;
            while (m < le && IsDigit(all[m])) {
              val = val * 10 + (all[m++] - '0');
              any = true;
            }
            if (any) evRows = val;
          }
        }
        continue;
      }
      evActive = true;
      if (!evHasText) {
        if (le > ls && all[ls] == '#') {
          if (At(all, ls, le, "# administrator command:")) evAdmin = true;
          continue;
        }
        int a = ls, b = le;
        while (a < b && IsSpace(all[a])) ++a;
        while (b > a && IsSpace(all[b - 1])) --b;
        if (a == b || (At(all, ls, le, "use ") && all[b - 1] == ';') ||
            At(all, ls, le, "SET timestamp=") || At(all, ls, le, "SET insert_id=") ||
            At(all, ls, le, "SET last_insert_id=")) {
          continue;
        }
        evHasText = true;
        textLen = 0;
        AppendText(all, ls, le - ls);
      } else {
        Reserve(1);
        text[textLen++] = '\n';
        AppendText(all, ls, le - ls);
      }
    }
    Finish();

    var ranked = new List<KeyValuePair<string, long[]>>(groups);
    ranked.Sort((x, y) => {
      int byTotal = y.Value[1].CompareTo(x.Value[1]);
      return byTotal != 0 ? byTotal : string.CompareOrdinal(x.Key, y.Key);  // chars are bytes
    });
    var output = new StringBuilder(1 << 16);
    output.Append(counted).Append(' ').Append(groups.Count).Append('\n');
    for (int i = 0; i < ranked.Count && i < topN; ++i) {
      long[] g = ranked[i].Value;
      output.Append(g[0]).Append('\t').Append(Seconds(g[1])).Append('\t').Append(Seconds(g[2]))
          .Append('\t').Append(g[3]).Append('\t').Append(ranked[i].Key).Append('\n');
    }
    var result = new byte[output.Length];
    for (int k = 0; k < output.Length; ++k) result[k] = (byte)output[k];
    using (Stream stdout = Console.OpenStandardOutput()) {
      stdout.Write(result, 0, result.Length);
    }
  }
}
