#include "judge/core/sql_format.h"

#include <cerrno>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace judge {
namespace {

absl::StatusOr<std::string> Unescape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) return absl::InvalidArgumentError("dangling backslash");
    switch (s[i]) {
      case '\\':
        out += '\\';
        break;
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      default:
        return absl::InvalidArgumentError("unknown escape");
    }
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<SqlValue> ParseValue(absl::string_view field) {
  SqlValue v;
  if (field.empty()) return absl::InvalidArgumentError("empty value");
  absl::string_view body = field.substr(1);
  switch (field[0]) {
    case 'N':
      if (!body.empty()) return absl::InvalidArgumentError("N takes no value");
      v.type = SqlValue::kNull;
      return v;
    case 'I':
      v.type = SqlValue::kInteger;
      if (!absl::SimpleAtoi(body, &v.integer)) return absl::InvalidArgumentError("bad integer");
      return v;
    case 'R': {
      v.type = SqlValue::kReal;
      std::string s(body);
      char* end = nullptr;
      errno = 0;
      v.real = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size()) return absl::InvalidArgumentError("bad real");
      return v;
    }
    case 'T': {
      v.type = SqlValue::kText;
      absl::StatusOr<std::string> t = Unescape(body);
      if (!t.ok()) return t.status();
      v.text = *t;
      return v;
    }
    case 'B': {
      v.type = SqlValue::kBlob;
      if (body.size() % 2) return absl::InvalidArgumentError("odd blob hex");
      for (size_t i = 0; i < body.size(); i += 2) {
        int hi = HexDigit(body[i]), lo = HexDigit(body[i + 1]);
        if (hi < 0 || lo < 0) return absl::InvalidArgumentError("bad blob hex");
        v.text += static_cast<char>(hi * 16 + lo);
      }
      return v;
    }
    default:
      return absl::InvalidArgumentError("unknown type tag");
  }
}

}  // namespace

std::string EscapeSqlText(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatSqlValue(const SqlValue& v) {
  switch (v.type) {
    case SqlValue::kNull:
      return "N";
    case SqlValue::kInteger:
      return absl::StrCat("I", v.integer);
    case SqlValue::kReal:
      return absl::StrFormat("R%.17g", v.real);
    case SqlValue::kText:
      return "T" + EscapeSqlText(v.text);
    case SqlValue::kBlob: {
      std::string out = "B";
      static const char* kHex = "0123456789abcdef";
      for (unsigned char c : v.text) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out;
    }
  }
  return "N";
}

std::string FormatSqlHeader(const std::vector<std::string>& columns) {
  std::string out = "#cols";
  for (const std::string& c : columns) absl::StrAppend(&out, "\t", EscapeSqlText(c));
  return out;
}

absl::StatusOr<SqlResult> ParseSqlResult(const std::string& text) {
  SqlResult result;
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) return absl::InvalidArgumentError("empty result: no #cols header");
  std::vector<absl::string_view> header = absl::StrSplit(lines[0], '\t');
  if (header[0] != "#cols") return absl::InvalidArgumentError("line 1: expected #cols header");
  for (size_t i = 1; i < header.size(); ++i) {
    absl::StatusOr<std::string> name = Unescape(header[i]);
    if (!name.ok()) return absl::InvalidArgumentError("line 1: bad column name");
    result.columns.push_back(*name);
  }
  for (size_t ln = 1; ln < lines.size(); ++ln) {
    std::vector<absl::string_view> fields = absl::StrSplit(lines[ln], '\t');
    if (fields.size() != result.columns.size() && !(result.columns.empty() && lines[ln].empty())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", ln + 1, ": ", fields.size(), " values for ", result.columns.size(), " columns"));
    }
    std::vector<SqlValue> row;
    for (absl::string_view f : fields) {
      absl::StatusOr<SqlValue> v = ParseValue(f);
      if (!v.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", ln + 1, ": ", v.status().message()));
      }
      row.push_back(std::move(*v));
    }
    result.rows.push_back(std::move(row));
  }
  return result;
}

std::string DescribeSqlRow(const std::vector<SqlValue>& row) {
  std::string out = "(";
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out += ", ";
    const SqlValue& v = row[i];
    switch (v.type) {
      case SqlValue::kNull:
        out += "NULL";
        break;
      case SqlValue::kInteger:
        absl::StrAppend(&out, v.integer);
        break;
      case SqlValue::kReal:
        absl::StrAppend(&out, absl::StrFormat("%.10g", v.real));
        break;
      case SqlValue::kText:
        absl::StrAppend(&out, "'", v.text.substr(0, 40), "'");
        break;
      case SqlValue::kBlob:
        absl::StrAppend(&out, "x'", v.text.size(), " bytes'");
        break;
    }
  }
  return out + ")";
}

}  // namespace judge
