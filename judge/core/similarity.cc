#include "judge/core/similarity.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

namespace judge {
namespace {

enum class Family { kCLike, kPython, kSql };

Family FamilyOf(const std::string& language) {
  if (language == "python3") return Family::kPython;
  if (language == "sql") return Family::kSql;
  return Family::kCLike;
}

// Words kept as they are: the shape of the code. Every other identifier becomes "V".
const std::set<std::string>& Keywords() {
  static const auto* kWords = new std::set<std::string>{
      "if",       "else",      "elif",     "for",       "while",   "do",         "return",
      "break",    "continue",  "switch",   "case",      "default", "class",      "struct",
      "enum",     "def",       "fn",       "func",      "let",     "var",        "const",
      "int",      "long",      "short",    "double",    "float",   "char",       "bool",
      "boolean",  "void",      "auto",     "static",    "public",  "private",    "protected",
      "new",      "delete",    "import",   "from",      "package", "use",        "mut",
      "match",    "loop",      "in",       "not",       "and",     "or",         "is",
      "none",     "true",      "false",    "null",      "nil",     "try",        "catch",
      "except",   "finally",   "throw",    "throws",    "raise",   "with",       "as",
      "lambda",   "yield",     "impl",     "pub",       "self",    "this",       "range",
      "go",       "defer",     "map",      "unsigned",  "sizeof",  "typedef",    "template",
      "typename", "namespace", "using",    "interface", "extends", "implements", "final",
      "select",   "where",     "join",     "left",      "right",   "inner",      "outer",
      "on",       "group",     "by",       "order",     "having",  "limit",      "distinct",
      "union",    "exists",    "between",  "like",      "asc",     "desc",       "then",
      "end",      "when",      "coalesce", "ifnull",    "count",   "sum",        "avg",
      "min",      "max",       "cast"};
  return *kWords;
}

struct Token {
  std::string text;
  uint32_t line;
};

std::vector<Token> Tokens(const std::string& language, const std::string& s) {
  const Family family = FamilyOf(language);
  std::vector<Token> out;
  uint32_t line = 1;
  size_t i = 0;
  const size_t n = s.size();
  auto skip_to = [&](size_t end) {
    for (; i < end && i < n; ++i) line += s[i] == '\n';
  };
  while (i < n) {
    const char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    // Comments.
    const bool line_comment =
        (family != Family::kPython && c == '/' && i + 1 < n && s[i + 1] == '/') ||
        (family == Family::kPython && c == '#') ||
        (family == Family::kSql && c == '-' && i + 1 < n && s[i + 1] == '-');
    if (line_comment) {
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    if (family != Family::kPython && c == '/' && i + 1 < n && s[i + 1] == '*') {
      size_t end = s.find("*/", i + 2);
      skip_to(end == std::string::npos ? n : end + 2);
      continue;
    }
    // Strings (Python's triple quotes too; a Rust lifetime is a quote with no closing one near).
    if (c == '"' || c == '\'' || c == '`') {
      if (family == Family::kPython && i + 2 < n && s[i + 1] == c && s[i + 2] == c) {
        size_t end = s.find(std::string(3, c), i + 3);
        skip_to(end == std::string::npos ? n : end + 3);
        out.push_back({"S", line});
        continue;
      }
      size_t j = i + 1;
      while (j < n && s[j] != c && (s[j] != '\n' || c == '`')) {
        j += s[j] == '\\' ? 2 : 1;
      }
      if (c == '\'' && language == "rust" && (j >= n || j - i > 4 || s[j] != c)) {
        ++i;  // a lifetime: the name follows as an identifier
        continue;
      }
      out.push_back({"S", line});
      skip_to(std::min(n, j + 1));
      continue;
    }
    if (isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
      size_t j = i;
      while (j < n && (isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '$'))
        ++j;
      std::string word = s.substr(i, j - i);
      std::transform(word.begin(), word.end(), word.begin(),
                     [](unsigned char ch) { return static_cast<char>(tolower(ch)); });
      out.push_back({Keywords().count(word) ? word : "V", line});
      i = j;
      continue;
    }
    if (isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < n && (isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.' || s[j] == '_'))
        ++j;
      out.push_back({"N", line});
      i = j;
      continue;
    }
    // Brackets, braces and semicolons are layout as much as code (a brace on its own line, an
    // optional semicolon): only operators and separators that change meaning are kept.
    if (strchr("{};", c) == nullptr) out.push_back({std::string(1, c), line});
    ++i;
  }
  return out;
}

uint64_t Fnv1a(const std::vector<Token>& tokens, size_t from, size_t count) {
  uint64_t h = 1469598103934665603ull;
  for (size_t t = from; t < from + count; ++t) {
    for (char ch : tokens[t].text) {
      h ^= static_cast<unsigned char>(ch);
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // token separator
    h *= 1099511628211ull;
  }
  return h;
}

void AddRange(std::vector<LineRange>* ranges, uint32_t line) { ranges->push_back({line, line}); }

std::vector<LineRange> Merge(std::vector<LineRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const LineRange& a, const LineRange& b) { return a.first < b.first; });
  std::vector<LineRange> out;
  for (const LineRange& r : ranges) {
    if (!out.empty() && r.first <= out.back().last + 3) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace

std::vector<Fingerprint> Fingerprints(const std::string& language, const std::string& source,
                                      const SimilarityOptions& options) {
  const std::vector<Token> tokens = Tokens(language, source);
  const size_t k = static_cast<size_t>(options.k), w = static_cast<size_t>(options.w);
  std::vector<Fingerprint> grams;
  if (tokens.size() < k) {
    if (!tokens.empty()) grams.push_back({Fnv1a(tokens, 0, tokens.size()), tokens[0].line});
    return grams;
  }
  grams.reserve(tokens.size() - k + 1);
  for (size_t i = 0; i + k <= tokens.size(); ++i)
    grams.push_back({Fnv1a(tokens, i, k), tokens[i].line});
  // Winnowing: the minimum of every window of w hashes (the rightmost on ties), each kept once.
  std::vector<Fingerprint> out;
  if (grams.size() <= w) {
    out.push_back(*std::min_element(
        grams.begin(), grams.end(),
        [](const Fingerprint& a, const Fingerprint& b) { return a.hash < b.hash; }));
    return out;
  }
  size_t last = SIZE_MAX;
  for (size_t start = 0; start + w <= grams.size(); ++start) {
    size_t best = start;
    for (size_t j = start; j < start + w; ++j) {
      if (grams[j].hash <= grams[best].hash) best = j;
    }
    if (best != last) {
      out.push_back(grams[best]);
      last = best;
    }
  }
  return out;
}

Match Compare(const std::vector<Fingerprint>& a, const std::vector<Fingerprint>& b) {
  Match m;
  std::unordered_multimap<uint64_t, uint32_t> in_b;
  std::set<uint64_t> distinct_a, distinct_b;
  for (const Fingerprint& f : b) {
    in_b.emplace(f.hash, f.line);
    distinct_b.insert(f.hash);
  }
  std::set<uint64_t> shared;
  for (const Fingerprint& f : a) {
    distinct_a.insert(f.hash);
    auto range = in_b.equal_range(f.hash);
    if (range.first == range.second) continue;
    shared.insert(f.hash);
    AddRange(&m.lines_a, f.line);
    for (auto it = range.first; it != range.second; ++it) AddRange(&m.lines_b, it->second);
  }
  const size_t smaller = std::min(distinct_a.size(), distinct_b.size());
  m.score = smaller == 0 ? 0 : static_cast<double>(shared.size()) / static_cast<double>(smaller);
  m.lines_a = Merge(std::move(m.lines_a));
  m.lines_b = Merge(std::move(m.lines_b));
  return m;
}

std::string EncodeFingerprints(const std::vector<Fingerprint>& prints) {
  std::string out;
  out.reserve(prints.size() * 12);
  for (const Fingerprint& f : prints) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((f.hash >> (8 * i)) & 0xff));
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((f.line >> (8 * i)) & 0xff));
  }
  return out;
}

std::vector<Fingerprint> DecodeFingerprints(const std::string& bytes) {
  std::vector<Fingerprint> out;
  for (size_t at = 0; at + 12 <= bytes.size(); at += 12) {
    Fingerprint f{0, 0};
    for (int i = 0; i < 8; ++i)
      f.hash |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    for (int i = 0; i < 4; ++i)
      f.line |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + 8 + i])) << (8 * i);
    out.push_back(f);
  }
  return out;
}

}  // namespace judge
