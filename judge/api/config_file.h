// The judge's small config files (--keys, --webhooks): one record a line, whitespace-separated
// fields, '#' starts a comment, blank lines are skipped. Each record keeps its line number, so
// an error says "<path>:<line>: <why>".
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace judge {

struct ConfigRecord {
  int line = 0;
  std::vector<std::string> fields;  // at least one
};

// NOT_FOUND "<what> <path>: cannot be read" when it cannot be opened.
inline absl::StatusOr<std::vector<ConfigRecord>> ReadConfigRecords(const std::string& path,
                                                                   const std::string& what) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(what, " ", path, ": cannot be read"));
  std::vector<ConfigRecord> records;
  std::string text;
  for (int n = 1; std::getline(in, text); ++n) {
    if (size_t hash = text.find('#'); hash != std::string::npos) text.resize(hash);
    std::istringstream words(text);
    ConfigRecord record{n, {}};
    for (std::string word; words >> word;) record.fields.push_back(word);
    if (!record.fields.empty()) records.push_back(std::move(record));
  }
  return records;
}

inline absl::Status ConfigError(const std::string& path, const ConfigRecord& record,
                                const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(path, ":", record.line, ": ", why));
}

}  // namespace judge
