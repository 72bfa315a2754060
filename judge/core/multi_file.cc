#include "judge/core/multi_file.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace judge {
namespace {

bool PlainName(const std::string& name) {
  if (name.empty() || name.size() > 100 || name[0] == '.') return false;
  for (char c : name) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      return false;
  }
  return true;
}

bool EndsWithAny(const std::string& name, const std::vector<std::string>& exts) {
  for (const std::string& e : exts) {
    if (absl::EndsWith(name, e)) return true;
  }
  return false;
}

// The source extensions of a language, for the files that are compiled (not headers).
std::vector<std::string> Sources(const std::string& language) {
  if (language == "c") return {".c"};
  if (language == "cpp") return {".cc", ".cpp", ".cxx", ".c++"};
  if (language == "java") return {".java"};
  if (language == "python3") return {".py"};
  if (language == "go") return {".go"};
  if (language == "rust") return {".rs"};
  return {};
}

}  // namespace

bool DefinesMain(const std::string& text, const std::string& word) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    if (at > 0 && (absl::ascii_isalnum(text[at - 1]) || text[at - 1] == '_')) continue;
    size_t i = at + word.size();
    while (i < text.size() && i < at + word.size() + 64 && absl::ascii_isspace(text[i])) ++i;
    if (i < text.size() && text[i] == '(') return true;
  }
  return false;
}

absl::StatusOr<int> ChooseMain(const std::string& language, const SourceFiles& files) {
  if (Sources(language).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(language.substr(0, 32),
                     " takes one file; several files are for c, cpp, java, python3, go and rust"));
  }
  std::vector<int> candidates;
  for (int i = 0; i < files.size(); ++i) {
    const std::string& name = files[i].name();
    const std::string& text = files[i].content();
    if (!EndsWithAny(name, Sources(language))) continue;
    bool entry = false;
    if (language == "python3") {
      entry = name == "main.py";
    } else if (language == "java") {
      entry = DefinesMain(text, "main") && absl::StrContains(text, "static");
    } else if (language == "rust") {
      entry = name == "main.rs" || DefinesMain(text, "fn main");
    } else if (language == "go") {
      entry = DefinesMain(text, "func main");
    } else {
      entry = DefinesMain(text);
    }
    if (entry) candidates.push_back(i);
  }
  // Python without main.py: the one .py file.
  if (candidates.empty() && language == "python3") {
    for (int i = 0; i < files.size(); ++i) {
      if (absl::EndsWith(files[i].name(), ".py")) candidates.push_back(i);
    }
    if (candidates.size() > 1) {
      return absl::InvalidArgumentError(
          "several .py files and none is main.py: name the entry main.py");
    }
  }
  if (candidates.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no ", language, " file of the submission defines main"));
  }
  if (candidates.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("several files define main: ", files[candidates[0]].name(), " and ",
                     files[candidates[1]].name()));
  }
  return candidates[0];
}

absl::StatusOr<Language> WithFiles(const Language& base, const SourceFiles& others) {
  Language lang = base;
  std::set<std::string> names = {base.source_name};
  for (const auto& [name, content] : base.extra_files) names.insert(name);
  std::vector<std::string> compiled;
  for (const judge::v1::SourceFile& f : others) {
    if (!PlainName(f.name())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "file name \"", f.name().substr(0, 64),
          "\" must be a plain name (letters, digits, '.', '_', '-'; not starting with '.')"));
    }
    if (!names.insert(f.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("file ", f.name(), " twice, or named as the entry is compiled"));
    }
    lang.extra_files.emplace_back(f.name(), f.content());
    if (EndsWithAny(f.name(), Sources(base.id))) compiled.push_back(f.name());
  }
  if (base.id == "c" || base.id == "cpp" || base.id == "java" || base.id == "go") {
    // The other sources are compiled with the entry: right after it (before -lm and the like).
    auto at = lang.compile_argv.end();
    for (auto it = lang.compile_argv.begin(); it != lang.compile_argv.end(); ++it) {
      if (*it == base.source_name || *it == "{source}") at = it + 1;
    }
    lang.compile_argv.insert(at, compiled.begin(), compiled.end());
  } else if (base.id == "python3") {
    // The entry and its modules in one folder, each checked by Python's own compile.
    lang.compile_argv = {"/usr/bin/python3", "-I", "-S", "-c",
                         "import os,sys,traceback\n"
                         "os.mkdir('app')\n"
                         "for f in sorted(os.listdir('.')):\n"
                         "    if not os.path.isfile(f): continue\n"
                         "    data=open(f,'rb').read()\n"
                         "    if f.endswith('.py'):\n"
                         "        try:\n"
                         "            compile(data,f,'exec')\n"
                         "        except (SyntaxError, ValueError) as e:\n"
                         "            sys.stderr.write(''.join(traceback.format_exception_only("
                         "type(e), e)))\n"
                         "            sys.exit(1)\n"
                         "    open(os.path.join('app',f),'wb').write(data)\n"};
    lang.artifact = "app/";
    // -I leaves the script's folder off sys.path: the modules' folder goes first explicitly.
    lang.run_argv = {"/usr/bin/python3",
                     "-I",
                     "-S",
                     "-c",
                     "import runpy,sys\n"
                     "d=sys.argv[1].rstrip('/')\n"
                     "sys.path.insert(0,d)\n"
                     "sys.argv=[d+'/main.py']\n"
                     "runpy.run_path(sys.argv[0],run_name='__main__')\n",
                     "{artifact}"};
  }
  return lang;
}

}  // namespace judge
