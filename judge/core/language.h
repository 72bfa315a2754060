// Languages are data: file names, compile and run command lines, profile and time multiplier.
#pragma once

#include <string>
#include <vector>

namespace judge {

// In the run box, the artifact (binary or source) is mounted read-only under this directory.
inline constexpr const char* kBoxArtifactDir = "/opt/judge";

struct Language {
  std::string id;           // c, cpp, python3, sql
  std::string display;      // "C17 (gcc 12, -O2)"
  std::string source_name;  // written into the compile box's work dir
  // Run in the compile box (profile `compile`); empty: nothing to compile. A zero exit with
  // `artifact_name` present means success; anything else is COMPILATION_ERROR with stderr/stdout.
  std::vector<std::string> compile_argv;
  // The file kept after compiling (e.g. "main"); equal to source_name when there is no binary.
  std::string artifact_name;
  // Run argv; "{artifact}" is replaced by the artifact's box path.
  std::vector<std::string> run_argv;
  std::vector<std::string> run_env;
  // Multiplier on cpu and wall limits when the challenge does not set one.
  double default_time_multiplier = 1.0;
  bool is_sql = false;  // run through sql-runner with the test's fixture
};

// The built-in languages, in display order.
const std::vector<Language>& Languages();
// nullptr when unknown.
const Language* FindLanguage(const std::string& id);

}  // namespace judge
