// expect: ACCEPTED
// Reference in C++: the same event rules and fingerprint steps as reference.py, with the number
// pattern's lookbehind, lookahead and backtracking spelled out by hand; groups in a hash map;
// times as integer microseconds.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWord(char c) { return IsAlnum(c) || c == '_'; }
bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

int64_t Micros(std::string_view t) {
  int64_t whole = 0, frac = 0;
  size_t i = 0;
  while (i < t.size() && IsDigit(t[i])) whole = whole * 10 + (t[i++] - '0');
  int digits = 0;
  if (i < t.size() && t[i] == '.') {
    for (++i; i < t.size() && IsDigit(t[i]); ++i) {
      if (digits < 6) {
        frac = frac * 10 + (t[i] - '0');
        ++digits;
      }
    }
  }
  while (digits++ < 6) frac *= 10;
  return whole * 1000000 + frac;
}

// Step 1: one left-to-right pass: comments become a space, string literals become ?.
std::string StripCommentsAndStrings(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0, n = s.size();
  while (i < n) {
    char c = s[i];
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? n : end + 2;
      out += ' ';
    } else if (c == '#' || (c == '-' && i + 2 < n && s[i + 1] == '-' && s[i + 2] == ' ')) {
      while (i < n && s[i] != '\n') ++i;
      out += ' ';
    } else if (c == '\'' || c == '"') {
      ++i;
      while (i < n) {
        if (s[i] == '\\') {
          i += 2;
        } else if (s[i] == c) {
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
      out += '?';
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

// Step 2: numbers not touching an identifier. Tries the regex's alternatives in its order:
// hex, then digits with optional fraction and exponent, longest first.
std::string ReplaceNumbers(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  size_t n = s.size();
  auto ahead_ok = [&](size_t end) {
    return end >= n || !(IsAlnum(s[end]) || s[end] == '_' || s[end] == '$');
  };
  size_t i = 0;
  while (i < n) {
    bool behind_ok = i == 0 || !(IsAlnum(s[i - 1]) || s[i - 1] == '_' || s[i - 1] == '$' ||
                                 s[i - 1] == '.');
    size_t match_end = 0;
    if (behind_ok && IsDigit(s[i])) {
      if (s[i] == '0' && i + 2 < n + 1 && i + 1 < n && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
          i + 2 < n && IsHex(s[i + 2])) {
        size_t j = i + 2;
        while (j < n && IsHex(s[j])) ++j;
        if (ahead_ok(j)) match_end = j;
      }
      if (match_end == 0) {
        size_t d = i;
        while (d < n && IsDigit(s[d])) ++d;
        size_t f = 0;  // end of the fraction, if any
        if (d + 1 < n && s[d] == '.' && IsDigit(s[d + 1])) {
          f = d + 1;
          while (f < n && IsDigit(s[f])) ++f;
        }
        auto exponent = [&](size_t at) -> size_t {
          if (at < n && (s[at] == 'e' || s[at] == 'E')) {
            size_t k = at + 1;
            if (k < n && (s[k] == '+' || s[k] == '-')) ++k;
            if (k < n && IsDigit(s[k])) {
              while (k < n && IsDigit(s[k])) ++k;
              return k;
            }
          }
          return 0;
        };
        std::vector<size_t> candidates;
        if (f) {
          if (size_t e = exponent(f)) candidates.push_back(e);
          candidates.push_back(f);
        }
        if (size_t e = exponent(d)) candidates.push_back(e);
        candidates.push_back(d);
        for (size_t end : candidates) {
          if (ahead_ok(end)) {
            match_end = end;
            break;
          }
        }
      }
    }
    if (match_end) {
      out += '?';
      i = match_end;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// A `(` group holding only ?, comma and spaces, at s[i]; returns the index after `)` or 0.
size_t Group(const std::string& s, size_t i) {
  if (i >= s.size() || s[i] != '(') return 0;
  ++i;
  while (i < s.size() && (s[i] == '?' || s[i] == ',' || s[i] == ' ')) ++i;
  return i < s.size() && s[i] == ')' ? i + 1 : 0;
}

std::string Fingerprint(std::string_view text) {
  std::string s = ReplaceNumbers(StripCommentsAndStrings(text));
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::string t;  // step 4: collapse whitespace, trim
  t.reserve(s.size());
  for (char c : s) {
    if (IsSpace(c)) {
      if (!t.empty() && t.back() != ' ') t += ' ';
    } else {
      t += c;
    }
  }
  while (!t.empty() && t.back() == ' ') t.pop_back();
  if (!t.empty() && t.back() == ';') {  // step 5
    t.pop_back();
    while (!t.empty() && t.back() == ' ') t.pop_back();
  }
  std::string u;  // step 6: the word null
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, 4, "null") == 0 && (i == 0 || !IsWord(t[i - 1])) &&
        (i + 4 >= t.size() || !IsWord(t[i + 4]))) {
      u += '?';
      i += 4;
    } else {
      u += t[i++];
    }
  }
  std::string v;  // step 7: in(...) and values(...) lists
  for (size_t i = 0; i < u.size();) {
    size_t word = 0;
    if (i == 0 || !IsWord(u[i - 1])) {
      if (u.compare(i, 2, "in") == 0) word = 2;
      else if (u.compare(i, 6, "values") == 0) word = 6;
    }
    if (word) {
      size_t j = i + word;
      if (j < u.size() && u[j] == ' ') ++j;
      size_t end = Group(u, j);
      if (end) {
        for (;;) {
          size_t m = end;
          if (m < u.size() && u[m] == ' ') ++m;
          if (m >= u.size() || u[m] != ',') break;
          ++m;
          if (m < u.size() && u[m] == ' ') ++m;
          size_t next = Group(u, m);
          if (!next) break;
          end = next;
        }
        v.append(u, i, word);
        v += "(?+)";
        i = end;
        continue;
      }
    }
    v += u[i++];
  }
  std::string w;  // step 8: limit ?, ? and limit ? offset ?
  for (size_t i = 0; i < v.size();) {
    if (v.compare(i, 7, "limit ?") == 0 && (i == 0 || !IsWord(v[i - 1]))) {
      size_t j = i + 7;
      size_t end = 0;
      size_t m = j;
      if (m < v.size() && v[m] == ' ') ++m;
      if (m < v.size() && v[m] == ',') {
        ++m;
        if (m < v.size() && v[m] == ' ') ++m;
        if (m < v.size() && v[m] == '?') end = m + 1;
      }
      if (!end && v.compare(j, 9, " offset ?") == 0) end = j + 9;
      if (end) {
        w += "limit ?";
        i = end;
        continue;
      }
    }
    w += v[i++];
  }
  return w;
}

bool IsBanner(std::string_view line) {
  if (line.find("mysqld, Version:") != std::string_view::npos &&
      line.size() >= 13 && line.substr(line.size() - 13) == "started with:") {
    return true;
  }
  if (StartsWith(line, "Tcp port:")) return true;
  // Time\s+Id\s+Command\s+Argument at the start of the line.
  size_t i = 0;
  for (std::string_view word : {"Time", "Id", "Command", "Argument"}) {
    if (word != "Time") {
      size_t start = i;
      while (i < line.size() && IsSpace(line[i])) ++i;
      if (i == start) return false;
    }
    if (line.substr(i, word.size()) != word) return false;
    i += word.size();
  }
  return true;
}

struct Group3 {
  int64_t count = 0, total = 0, max = 0, rows = 0;
};

struct Event {
  bool active = false;
  int kinds = 0;  // bit 1: time, 2: user, 4: query time
  bool has_qt = false, admin = false, has_text = false;
  int64_t qt = 0, rows = 0;
  std::string text;
};

}  // namespace

int main() {
  std::string data;
  {
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) data.append(buf, n);
  }
  std::string_view all(data);
  size_t nl = all.find('\n');
  std::string_view first = all.substr(0, nl);
  char t_text[64] = {0};
  int top_n = 0;
  std::sscanf(std::string(first).c_str(), "%63s %d", t_text, &top_n);
  const int64_t threshold = Micros(t_text);
  std::unordered_map<std::string, Group3> groups;
  groups.reserve(1 << 16);
  int64_t counted = 0;
  Event ev;

  auto finish = [&] {
    if (!ev.active || !ev.has_qt || ev.admin || !ev.has_text) return;
    bool blank = std::all_of(ev.text.begin(), ev.text.end(), IsSpace);
    if (blank || ev.qt <= threshold) return;
    Group3& g = groups[Fingerprint(ev.text)];
    ++counted;
    ++g.count;
    g.total += ev.qt;
    g.max = std::max(g.max, ev.qt);
    g.rows += ev.rows;
  };

  size_t pos = nl == std::string_view::npos ? all.size() : nl + 1;
  while (pos < all.size()) {
    size_t end = all.find('\n', pos);
    if (end == std::string_view::npos) end = all.size();
    std::string_view line = all.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (IsBanner(line)) {
      finish();
      ev = Event();
      continue;
    }
    int kind = StartsWith(line, "# Time:")         ? 1
               : StartsWith(line, "# User@Host:")  ? 2
               : StartsWith(line, "# Query_time:") ? 4
                                                   : 0;
    if (kind) {
      if (!ev.active || ev.has_text || (ev.kinds & kind)) {
        finish();
        ev = Event();
        ev.active = true;
      }
      ev.kinds |= kind;
      if (kind == 4) {
        size_t q = line.find("Query_time:");
        size_t k = q + 11;
        while (k < line.size() && IsSpace(line[k])) ++k;
        size_t s = k;
        while (k < line.size() && (IsDigit(line[k]) || line[k] == '.')) ++k;
        if (k > s && IsDigit(line[s])) {
          ev.has_qt = true;
          ev.qt = Micros(line.substr(s, k - s));
        }
        size_t r = line.find("Rows_examined:");
        if (r != std::string_view::npos) {
          size_t m = r + 14;
          while (m < line.size() && IsSpace(line[m])) ++m;
          int64_t v = 0;
          bool any = false;
          while (m < line.size() && IsDigit(line[m])) {
            v = v * 10 + (line[m++] - '0');
            any = true;
          }
          if (any) ev.rows = v;
        }
      }
      continue;
    }
    if (!ev.active) ev.active = true;
    if (!ev.has_text) {
      if (!line.empty() && line[0] == '#') {
        if (StartsWith(line, "# administrator command:")) ev.admin = true;
        continue;
      }
      size_t a = 0, b = line.size();
      while (a < b && IsSpace(line[a])) ++a;
      while (b > a && IsSpace(line[b - 1])) --b;
      std::string_view stripped = line.substr(a, b - a);
      if (stripped.empty() || (StartsWith(line, "use ") && stripped.back() == ';') ||
          StartsWith(line, "SET timestamp=") || StartsWith(line, "SET insert_id=") ||
          StartsWith(line, "SET last_insert_id=")) {
        continue;
      }
      ev.has_text = true;
      ev.text.assign(line);
    } else {
      ev.text += '\n';
      ev.text.append(line);
    }
  }
  finish();

  std::vector<std::pair<const std::string*, const Group3*>> ranked;
  ranked.reserve(groups.size());
  for (const auto& [fp, g] : groups) ranked.emplace_back(&fp, &g);
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.second->total != b.second->total) return a.second->total > b.second->total;
    return *a.first < *b.first;  // std::string compares bytes as unsigned char
  });
  std::string out = std::to_string(counted) + " " + std::to_string(groups.size()) + "\n";
  char line[64];
  for (size_t i = 0; i < ranked.size() && static_cast<int>(i) < top_n; ++i) {
    const Group3& g = *ranked[i].second;
    std::snprintf(line, sizeof line, "%lld\t%lld.%06lld\t%lld.%06lld\t%lld\t",
                  static_cast<long long>(g.count), static_cast<long long>(g.total / 1000000),
                  static_cast<long long>(g.total % 1000000), static_cast<long long>(g.max / 1000000),
                  static_cast<long long>(g.max % 1000000), static_cast<long long>(g.rows));
    out += line;
    out += *ranked[i].first;
    out += '\n';
  }
  fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
