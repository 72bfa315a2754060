// The typed canonical form of a SQL result, written by sql-runner and read by the sql_result
// checker. One header line, then one line per row:
//   #cols<TAB>name1<TAB>name2...
//   N | I<integer> | R<real, %.17g> | T<text> | B<hex>     (one per column, TAB-separated)
// Text and names escape backslash, TAB, CR and LF as \\ \t \r \n.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace judge {

struct SqlValue {
  enum Type { kNull, kInteger, kReal, kText, kBlob } type = kNull;
  int64_t integer = 0;
  double real = 0;
  std::string text;  // kText, and kBlob's bytes
};

struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<SqlValue>> rows;
};

std::string EscapeSqlText(const std::string& s);
std::string FormatSqlValue(const SqlValue& v);
std::string FormatSqlHeader(const std::vector<std::string>& columns);

// Parses the canonical form; any malformed line is an error naming its line number.
[[nodiscard]] absl::StatusOr<SqlResult> ParseSqlResult(const std::string& text);

// Human form of one row for messages: (1, 'Ann', NULL, 2.5).
std::string DescribeSqlRow(const std::vector<SqlValue>& row);

}  // namespace judge
