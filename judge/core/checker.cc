#include "judge/core/checker.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "judge/core/sql_format.h"

namespace judge {
namespace {

// Lines with trailing whitespace removed and final blank lines dropped.
std::vector<std::string_view> NormalizedLines(const std::string& text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line(text.data() + start, nl - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r' ||
                             line.back() == '\f' || line.back() == '\v')) {
      line.remove_suffix(1);
    }
    lines.push_back(line);
    start = nl + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::vector<std::string_view> Tokens(const std::string& text) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  auto is_space = [](char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
  };
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) tokens.emplace_back(text.data() + start, i - start);
  }
  return tokens;
}

bool ParseNumber(std::string_view token, double* out) {
  if (token.empty() || token.size() > 1024) return false;
  std::string s(token);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return false;
  *out = v;
  return true;
}

// strtod reads inf, infinity and nan in any case: an infinity equals only the same infinity
// and NaN only NaN (|inf - inf| would be NaN, never within any tolerance).
bool NumbersClose(double expected, double got, double abs_eps, double rel_eps) {
  if (std::isnan(expected) || std::isnan(got)) return std::isnan(expected) && std::isnan(got);
  if (std::isinf(expected) || std::isinf(got)) return expected == got;
  double diff = std::fabs(expected - got);
  return diff <= abs_eps || diff <= rel_eps * std::fabs(expected);
}

}  // namespace

std::string Excerpt(const std::string& s, size_t max_bytes) {
  std::string out;
  for (size_t i = 0; i < s.size() && out.size() < max_bytes; ++i) {
    unsigned char c = s[i];
    if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f || c >= 0x80) {
      // Keep it simple and always valid UTF-8: escape every non-ASCII byte.
      out += absl::StrFormat("\\x%02x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > max_bytes) out += "…";
  return out;
}

CheckOutcome CheckExact(const std::string& expected, const std::string& output) {
  std::vector<std::string_view> want = NormalizedLines(expected);
  std::vector<std::string_view> got = NormalizedLines(output);
  size_t n = std::min(want.size(), got.size());
  for (size_t i = 0; i < n; ++i) {
    if (want[i] != got[i]) {
      return {false, absl::StrCat("line ", i + 1, ": expected \"", Excerpt(std::string(want[i])),
                                  "\", got \"", Excerpt(std::string(got[i])), "\"")};
    }
  }
  if (want.size() != got.size()) {
    if (got.size() < want.size()) {
      return {false, absl::StrCat("output ends after ", got.size(), " lines; expected ",
                                  want.size(), " (next: \"", Excerpt(std::string(want[n])), "\")")};
    }
    return {false, absl::StrCat("extra output at line ", n + 1, ": \"",
                                Excerpt(std::string(got[n])), "\"")};
  }
  return {true, ""};
}

CheckOutcome CheckTokens(const std::string& expected, const std::string& output) {
  std::vector<std::string_view> want = Tokens(expected), got = Tokens(output);
  size_t n = std::min(want.size(), got.size());
  for (size_t i = 0; i < n; ++i) {
    if (want[i] != got[i]) {
      return {false, absl::StrCat("token ", i + 1, ": expected \"", Excerpt(std::string(want[i])),
                                  "\", got \"", Excerpt(std::string(got[i])), "\"")};
    }
  }
  if (want.size() != got.size()) {
    return {false, absl::StrCat("expected ", want.size(), " tokens, got ", got.size())};
  }
  return {true, ""};
}

CheckOutcome CheckFloat(const std::string& expected, const std::string& output, double abs_eps,
                        double rel_eps) {
  std::vector<std::string_view> want = Tokens(expected), got = Tokens(output);
  if (want.size() != got.size()) {
    return {false, absl::StrCat("expected ", want.size(), " tokens, got ", got.size())};
  }
  for (size_t i = 0; i < want.size(); ++i) {
    double w = 0, g = 0;
    bool want_num = ParseNumber(want[i], &w);
    if (want_num) {
      if (!ParseNumber(got[i], &g) || !NumbersClose(w, g, abs_eps, rel_eps)) {
        return {false, absl::StrCat("token ", i + 1, ": expected ", Excerpt(std::string(want[i])),
                                    ", got ", Excerpt(std::string(got[i])))};
      }
    } else if (want[i] != got[i]) {
      return {false, absl::StrCat("token ", i + 1, ": expected \"", Excerpt(std::string(want[i])),
                                  "\", got \"", Excerpt(std::string(got[i])), "\"")};
    }
  }
  return {true, ""};
}

namespace {

bool SqlValuesEqual(const SqlValue& want, const SqlValue& got) {
  bool want_num = want.type == SqlValue::kInteger || want.type == SqlValue::kReal;
  bool got_num = got.type == SqlValue::kInteger || got.type == SqlValue::kReal;
  if (want.type == SqlValue::kNull || got.type == SqlValue::kNull) {
    return want.type == got.type;  // NULL equals only NULL
  }
  if (want_num || got_num) {
    if (!(want_num && got_num)) return false;  // text is never equal to a number
    if (want.type == SqlValue::kInteger && got.type == SqlValue::kInteger) {
      return want.integer == got.integer;
    }
    double w = want.type == SqlValue::kInteger ? static_cast<double>(want.integer) : want.real;
    double g = got.type == SqlValue::kInteger ? static_cast<double>(got.integer) : got.real;
    return std::fabs(w - g) <= 1e-6 * std::max(1.0, std::fabs(w));
  }
  return want.type == got.type && want.text == got.text;  // byte-exact
}

bool RowsEqual(const std::vector<SqlValue>& a, const std::vector<SqlValue>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SqlValuesEqual(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace

CheckOutcome CheckSqlResult(const std::string& expected, const std::string& output, bool ordered) {
  absl::StatusOr<SqlResult> want = ParseSqlResult(expected);
  if (!want.ok()) return {false, absl::StrCat("bad answer file: ", want.status().message())};
  absl::StatusOr<SqlResult> got = ParseSqlResult(output);
  if (!got.ok()) return {false, absl::StrCat("unreadable result: ", got.status().message())};
  if (want->columns.size() != got->columns.size()) {
    return {false,
            absl::StrCat("expected ", want->columns.size(), " columns, got ", got->columns.size())};
  }
  for (size_t i = 0; i < want->columns.size(); ++i) {
    if (absl::AsciiStrToLower(want->columns[i]) != absl::AsciiStrToLower(got->columns[i])) {
      return {false, absl::StrCat("column ", i + 1, ": expected name \"", Excerpt(want->columns[i]),
                                  "\", got \"", Excerpt(got->columns[i]), "\"")};
    }
  }
  if (ordered) {
    size_t n = std::min(want->rows.size(), got->rows.size());
    for (size_t i = 0; i < n; ++i) {
      if (!RowsEqual(want->rows[i], got->rows[i])) {
        return {false, absl::StrCat("row ", i + 1, ": expected ", DescribeSqlRow(want->rows[i]),
                                    ", got ", DescribeSqlRow(got->rows[i]))};
      }
    }
    if (want->rows.size() != got->rows.size()) {
      return {false, absl::StrCat("expected ", want->rows.size(), " rows, got ", got->rows.size())};
    }
    return {true, ""};
  }
  // Multiset: match each expected row with an unused equal row (tolerances make hashing unsafe;
  // results are small).
  if (want->rows.size() != got->rows.size()) {
    return {false, absl::StrCat("expected ", want->rows.size(), " rows, got ", got->rows.size())};
  }
  std::vector<bool> used(got->rows.size(), false);
  for (const auto& row : want->rows) {
    bool found = false;
    for (size_t j = 0; j < got->rows.size() && !found; ++j) {
      if (!used[j] && RowsEqual(row, got->rows[j])) used[j] = found = true;
    }
    if (!found) return {false, absl::StrCat("missing row ", DescribeSqlRow(row))};
  }
  return {true, ""};
}

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

// Alternating runs of whitespace and tokens, the first one whitespace (possibly empty).
std::vector<std::string_view> Runs(const std::string& text) {
  std::vector<std::string_view> runs;
  size_t i = 0;
  while (i <= text.size()) {
    size_t start = i;
    while (i < text.size() && IsSpace(text[i])) ++i;
    runs.emplace_back(text.data() + start, i - start);
    if (i == text.size()) break;
    start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    runs.emplace_back(text.data() + start, i - start);
  }
  return runs;
}

std::string DescribeSpace(std::string_view s) {
  return s.empty() ? "no space" : absl::StrCat("\"", Excerpt(std::string(s)), "\"");
}

}  // namespace

CheckOutcome CheckDefaultValidator(const std::string& expected, const std::string& output,
                                   const judge::v1::Checker& flags) {
  const bool tolerant = flags.abs_epsilon() > 0 || flags.rel_epsilon() > 0;
  std::vector<std::string_view> want = Runs(expected), got = Runs(output);
  size_t token = 0;
  for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
    if (i % 2 == 0) {
      // Whitespace: only its presence counts, unless space_change_sensitive.
      if (flags.space_change_sensitive() && want[i] != got[i]) {
        return {false, absl::StrCat("space before token ", token + 1, ": expected ",
                                    DescribeSpace(want[i]), ", got ", DescribeSpace(got[i]))};
      }
      continue;
    }
    ++token;
    double w = 0, g = 0;
    if (tolerant && ParseNumber(want[i], &w)) {
      if (!ParseNumber(got[i], &g)) {
        return {false, absl::StrCat("token ", token, ": expected a number close to ",
                                    Excerpt(std::string(want[i])), ", got \"",
                                    Excerpt(std::string(got[i])), "\"")};
      }
      if (!NumbersClose(w, g, flags.abs_epsilon(), flags.rel_epsilon())) {
        return {false,
                absl::StrCat("token ", token, ": expected ", Excerpt(std::string(want[i])),
                             ", got ", Excerpt(std::string(got[i])), " (outside the tolerance)")};
      }
      continue;
    }
    const bool same =
        flags.case_sensitive()
            ? want[i] == got[i]
            : absl::EqualsIgnoreCase(absl::string_view(want[i].data(), want[i].size()),
                                     absl::string_view(got[i].data(), got[i].size()));
    if (!same) {
      return {false, absl::StrCat("token ", token, ": expected \"", Excerpt(std::string(want[i])),
                                  "\", got \"", Excerpt(std::string(got[i])), "\"")};
    }
  }
  // Both are whitespace, token, ..., whitespace (odd lengths): the first run one has and the
  // other lacks is a token.
  if (got.size() > want.size()) {
    return {false, absl::StrCat("extra output after ", token, " tokens: \"",
                                Excerpt(std::string(got[want.size()])), "\"")};
  }
  if (got.size() < want.size()) {
    return {false, absl::StrCat("output ends after ", token, " tokens; expected \"",
                                Excerpt(std::string(want[got.size()])), "\" next")};
  }
  return {true, ""};
}

absl::StatusOr<judge::v1::Checker> WithValidatorFlags(
    judge::v1::Checker checker, const google::protobuf::RepeatedPtrField<std::string>& flags) {
  for (int i = 0; i < flags.size(); ++i) {
    const std::string& f = flags[i];
    if (f == "case_sensitive") {
      checker.set_case_sensitive(true);
    } else if (f == "space_change_sensitive") {
      checker.set_space_change_sensitive(true);
    } else if (f == "float_tolerance" || f == "float_relative_tolerance" ||
               f == "float_absolute_tolerance") {
      double v = 0;
      if (i + 1 >= flags.size() || !ParseNumber(flags[i + 1], &v) || !(v >= 0)) {
        return absl::InvalidArgumentError(
            absl::StrCat("validator flag ", f, " needs a number >= 0 after it"));
      }
      ++i;
      if (f != "float_absolute_tolerance") checker.set_rel_epsilon(v);
      if (f != "float_relative_tolerance") checker.set_abs_epsilon(v);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown flag \"", f,
          "\" for the default output validator (case_sensitive, space_change_sensitive, "
          "float_tolerance E, float_relative_tolerance E, float_absolute_tolerance E)"));
    }
  }
  return checker;
}

CheckOutcome RunBuiltinChecker(const judge::v1::Checker& checker, const std::string& expected,
                               const std::string& output) {
  switch (checker.kind()) {
    case judge::v1::CHECKER_KIND_DEFAULT_VALIDATOR:
      return CheckDefaultValidator(expected, output, checker);
    case judge::v1::CHECKER_KIND_TOKENS:
      return CheckTokens(expected, output);
    case judge::v1::CHECKER_KIND_FLOAT:
      return CheckFloat(expected, output, checker.abs_epsilon(), checker.rel_epsilon());
    case judge::v1::CHECKER_KIND_SQL_RESULT:
      return CheckSqlResult(expected, output, checker.ordered());
    case judge::v1::CHECKER_KIND_EXACT:
    default:
      return CheckExact(expected, output);
  }
}

}  // namespace judge
