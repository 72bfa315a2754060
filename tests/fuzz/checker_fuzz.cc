// Every built-in checker on arbitrary expected/output bytes, and the SQL result format's parser
// and printer: nothing crashes, and a result that parses prints back to what parses the same.
// Input: one selector byte, then expected and output separated by the first NUL.
#include <cstdint>
#include <string>

#include "judge/core/checker.h"
#include "judge/core/sql_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t nul = rest.find('\0');
  const std::string expected = rest.substr(0, nul);
  const std::string output = nul == std::string::npos ? "" : rest.substr(nul + 1);
  switch (selector % 6) {
    case 0: (void)judge::CheckExact(expected, output); break;
    case 1: (void)judge::CheckTokens(expected, output); break;
    case 2: (void)judge::CheckFloat(expected, output, 1e-6, 1e-9); break;
    case 3: (void)judge::CheckSqlResult(expected, output, true); break;
    case 4: (void)judge::CheckSqlResult(expected, output, false); break;
    case 5: (void)judge::Excerpt(rest, selector); break;
  }
  absl::StatusOr<judge::SqlResult> parsed = judge::ParseSqlResult(rest);
  if (parsed.ok()) {
    std::string again = judge::FormatSqlHeader(parsed->columns) + "\n";
    for (const auto& row : parsed->rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        line += (i ? "\t" : "") + judge::FormatSqlValue(row[i]);
      }
      again += line + "\n";
      (void)judge::DescribeSqlRow(row);
    }
    absl::StatusOr<judge::SqlResult> reparsed = judge::ParseSqlResult(again);
    if (!reparsed.ok() || reparsed->rows.size() != parsed->rows.size()) __builtin_trap();
  }
  return 0;
}
