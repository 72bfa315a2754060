#include "judge/core/similarity.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include "judge/core/language.h"

namespace judge {
namespace {

using Family = SourceFamily;

Family FamilyOf(const std::string& language) {
  const Language* lang = FindLanguage(language);
  return lang != nullptr ? lang->family : Family::kCLike;
}

// What a word becomes: kept (the shape of the code), dropped (declaration words and modifiers a
// copier adds, removes or swaps: `let`/`const`/`auto`, `public`, `mut`), a literal ("N"), or,
// for every other word, an identifier ("V"). Only a language's own keywords (its entry's
// `keywords` in language.cc) are kept: a name that is a keyword elsewhere (`match`, `type`,
// `map`, `count`, `left`) is the candidate's to rename in this one. Types are identifiers too
// (`int`, `long`, `String`, `Node` alike).
enum class WordKind { kKeep, kDrop, kLiteral, kName };

const std::set<std::string>& KeptWords(const std::string& language) {
  static const auto* kByLanguage = [] {
    auto* m = new std::map<std::string, std::set<std::string>>();
    for (const Language& l : Languages()) {
      (*m)[l.id] = std::set<std::string>(l.keywords.begin(), l.keywords.end());
    }
    return m;
  }();
  auto it = kByLanguage->find(language);
  return it == kByLanguage->end() ? kByLanguage->at("cpp") : it->second;
}

WordKind KindOf(const std::string& language, const std::string& word) {
  static const std::set<std::string> kLiterals = {"true", "false",   "null",     "nil",
                                                  "none", "nullptr", "undefined"};
  static const std::set<std::string> kDropped = {
      "let",      "var",       "const",  "auto",     "mut",       "static",       "public",
      "private",  "protected", "final",  "pub",      "unsigned",  "signed",       "volatile",
      "inline",   "readonly",  "extern", "register", "constexpr", "override",     "virtual",
      "abstract", "export",    "pass",   "not",      "crate",     "synchronized", "move",
      "ref",      "dyn",       "unsafe"};
  if (KeptWords(language).count(word)) return WordKind::kKeep;
  if (FamilyOf(language) == Family::kSql) return WordKind::kName;  // its keywords are all kept
  if (kLiterals.count(word)) return WordKind::kLiteral;
  if (kDropped.count(word)) return WordKind::kDrop;
  return WordKind::kName;
}

struct Token {
  std::string text;
  uint32_t line;
};

// Operators as one token each, longest first.
const char* const kOperators[] = {
    "===", "!==", "**=", "<<=", ">>=", "...", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=",
    "-=",  "*=",  "/=",  "%=",  "&=",  "|=",  "^=", "->", "=>", "::", "<<", ">>", ":=", "**", "//"};

// An operator's normal form: the comparisons are one (a condition negated by flipping its
// comparison reads the same), `and`/`&&` and `or`/`||` alike, Go's `:=` an assignment; "" drops
// it (negation, brackets, braces and semicolons: layout as much as code, or a copier's freedom).
std::string NormalOperator(const std::string& op) {
  static const auto* kMap = new std::map<std::string, std::string>{
      {"==", "<"}, {"!=", "<"}, {"===", "<"}, {"!==", "<"}, {"<=", "<"}, {">=", "<"}, {">", "<"},
      {":=", "="}, {"!", ""},   {"{", ""},    {"}", ""},    {";", ""},   {"(", ""},   {")", ""}};
  auto it = kMap->find(op);
  return it == kMap->end() ? op : it->second;
}

// Reads a source into tokens, one kind of lexeme at a time; `i` and `line` walk the text.
class Lexer {
 public:
  Lexer(const std::string& language, const std::string& s)
      : language_(language), family_(FamilyOf(language)), s_(s), n_(s.size()) {}

  std::vector<Token> Run() {
    while (i_ < n_) {
      const char c = s_[i_];
      if (c == '\n') {
        ++line_;
        ++i_;
      } else if (isspace(static_cast<unsigned char>(c))) {
        ++i_;
      } else if (Comment(c)) {
      } else if (c == '"' || c == '\'' || c == '`') {
        String(c);
      } else if (isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
        Word();
      } else if (isdigit(static_cast<unsigned char>(c))) {
        Number();
      } else {
        Operator(c);
      }
    }
    return std::move(out_);
  }

 private:
  void SkipTo(size_t end) {
    for (; i_ < end && i_ < n_; ++i_) line_ += s_[i_] == '\n';
  }
  void Emit(const std::string& text) { out_.push_back({text, line_}); }

  // A comment at i: skipped (true), or none there (false).
  bool Comment(char c) {
    const bool line_comment =
        (family_ == Family::kCLike && c == '/' && i_ + 1 < n_ && s_[i_ + 1] == '/') ||
        (family_ == Family::kPython && c == '#') ||
        (family_ == Family::kSql && c == '-' && i_ + 1 < n_ && s_[i_ + 1] == '-');
    if (line_comment) {
      while (i_ < n_ && s_[i_] != '\n') ++i_;
      return true;
    }
    if (family_ != Family::kPython && c == '/' && i_ + 1 < n_ && s_[i_ + 1] == '*') {
      size_t end = s_.find("*/", i_ + 2);
      SkipTo(end == std::string::npos ? n_ : end + 2);
      return true;
    }
    return false;
  }

  // Strings (Python's triple quotes too; a Rust lifetime is a quote with no closing one near).
  void String(char c) {
    if (family_ == Family::kPython && i_ + 2 < n_ && s_[i_ + 1] == c && s_[i_ + 2] == c) {
      // Triple quotes: docstrings, comments in all but name. Dropped.
      size_t end = s_.find(std::string(3, c), i_ + 3);
      SkipTo(end == std::string::npos ? n_ : end + 3);
      return;
    }
    size_t j = i_ + 1;
    while (j < n_ && s_[j] != c && (s_[j] != '\n' || c == '`')) {
      j += s_[j] == '\\' ? 2 : 1;
    }
    if (c == '\'' && language_ == "rust" && (j >= n_ || j - i_ > 4 || s_[j] != c)) {
      ++i_;  // a lifetime: the name follows as an identifier
      return;
    }
    Emit("S");
    SkipTo(std::min(n_, j + 1));
  }

  void Word() {
    size_t j = i_;
    while (j < n_ && (isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '_' || s_[j] == '$')) {
      ++j;
    }
    std::string word = s_.substr(i_, j - i_);
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char ch) { return static_cast<char>(tolower(ch)); });
    i_ = j;
    switch (KindOf(language_, word)) {
      case WordKind::kKeep:
        if (word == "and" && family_ == Family::kPython) {
          Emit("&&");
        } else if (word == "or" && family_ == Family::kPython) {
          Emit("||");
        } else if (word == "elif") {
          Emit("else");
          Emit("if");
        } else {
          Emit(word);
        }
        break;
      case WordKind::kDrop:
        break;
      case WordKind::kLiteral:
        Emit("N");
        break;
      case WordKind::kName:
        if (skip_next_name_) {
          skip_next_name_ = false;
        } else {
          Emit("V");
        }
        break;
    }
  }

  void Number() {
    size_t j = i_;
    while (j < n_ && (isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '.' || s_[j] == '_')) {
      ++j;
    }
    Emit("N");
    i_ = j;
  }

  // The longest operator, its characters read across spaces (`< =` is `<=` reformatted: an
  // operator's spelling does not depend on the spaces in it, either way).
  void Operator(char c) {
    std::string op(1, c), chars(1, c);
    size_t op_end = i_ + 1;
    std::vector<size_t> ends = {i_ + 1};
    for (size_t j = i_ + 1; j < n_ && chars.size() < 3;) {
      if (s_[j] == ' ' || s_[j] == '\t') {
        ++j;
        continue;
      }
      if (!strchr("=!<>&|+-*/%^:.", s_[j])) break;
      chars.push_back(s_[j]);
      ends.push_back(++j);
    }
    for (const char* o : kOperators) {
      const size_t len = strlen(o);
      if (len > op.size() && chars.compare(0, len, o) == 0) {
        op = o;
        op_end = ends[len - 1];
      }
    }
    if (op == "//" && family_ != Family::kPython) {
      op = "/";
      op_end = i_ + 1;
    }
    i_ = op_end;
    if (PushOp(op)) skip_next_name_ = true;
  }

  // `x++` and `++x` read as `x += 1`, and `x op= y` as `x = x op y`: the three are one. True
  // when the operand that follows was emitted already (a prefix increment).
  bool PushOp(const std::string& op) {
    if (op == "++" || op == "--") {
      const bool prefix = out_.empty() || (out_.back().text != "V" && out_.back().text != "]");
      if (prefix) Emit("V");  // the operand that follows, taken for this one
      for (const char* t : {"=", "V", op == "++" ? "+" : "-", "N"}) Emit(t);
      return prefix;
    }
    if (op.size() >= 2 && op.back() == '=' && op != "==" && op != "!=" && op != "<=" &&
        op != ">=" && op != "===" && op != "!==") {
      Emit("=");
      Emit("V");
      Emit(op.substr(0, op.size() - 1));
      return false;
    }
    const std::string normal = NormalOperator(op);
    if (!normal.empty()) Emit(normal);
    return false;
  }

  const std::string& language_;
  const Family family_;
  const std::string& s_;
  const size_t n_;
  size_t i_ = 0;
  uint32_t line_ = 1;
  std::vector<Token> out_;
  bool skip_next_name_ = false;  // a prefix increment's operand, already emitted
};

std::vector<Token> Tokens(const std::string& language, const std::string& s) {
  return Lexer(language, s).Run();
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
