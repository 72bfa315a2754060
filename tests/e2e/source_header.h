// What a solution or hostile-program file declares in its first lines ("// expect: ACCEPTED"),
// and its language, from its extension as the language table names source files.
#pragma once

#include <sstream>
#include <string>

#include "judge/core/language.h"

namespace judge_test {

// The value after "KEY:" in the first six lines, trimmed; "" when absent.
inline std::string HeaderValue(const std::string& source, const std::string& key) {
  std::istringstream in(source);
  std::string line;
  for (int i = 0; i < 6 && std::getline(in, line); ++i) {
    size_t at = line.find(key + ":");
    if (at != std::string::npos) {
      std::string v = line.substr(at + key.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      v.erase(v.find_last_not_of(" \t\r") + 1);
      return v;
    }
  }
  return "";
}

// .sql, .py, .c, .cc (or .cpp), .java, .js, .ts, .go, .rs; "" when unknown.
inline std::string LanguageOf(const std::string& file) {
  auto ext = [](const std::string& name) { return name.substr(name.rfind('.') + 1); };
  for (const judge::Language& l : judge::Languages()) {
    if (ext(l.source_name) == ext(file)) return l.id;
  }
  return ext(file) == "cpp" ? "cpp" : "";
}

}  // namespace judge_test
