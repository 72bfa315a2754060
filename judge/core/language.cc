#include "judge/core/language.h"

namespace judge {

const std::vector<Language>& Languages() {
  static const std::vector<Language>* kLanguages = [] {
    const std::vector<std::string> env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/box"};
    auto* langs = new std::vector<Language>;
    langs->push_back({"c", "C17 (gcc 12, -O2, -lm)", "main.c",
                      {"/usr/bin/gcc", "-std=c17", "-O2", "-pipe", "-o", "main", "main.c", "-lm"},
                      "main", {"{artifact}"}, env, 1.0, false});
    langs->push_back({"cpp", "C++17 (g++ 12, -O2)", "main.cc",
                      {"/usr/bin/g++", "-std=c++17", "-O2", "-pipe", "-o", "main", "main.cc"},
                      "main", {"{artifact}"}, env, 1.0, false});
    // The syntax check is Python's compile step: a SyntaxError is a COMPILATION_ERROR.
    langs->push_back(
        {"python3", "Python 3 (Debian's /usr/bin/python3)", "main.py",
         {"/usr/bin/python3", "-I", "-S", "-c",
          "import sys,traceback\n"
          "try:\n"
          "    compile(open('main.py','rb').read(),'main.py','exec')\n"
          "except (SyntaxError, ValueError) as e:\n"
          "    sys.stderr.write(''.join(traceback.format_exception_only(type(e), e)))\n"
          "    sys.exit(1)\n"},
         "main.py", {"/usr/bin/python3", "-I", "-S", "{artifact}"}, env, 3.0, false});
    // SQL prepares inside sql-runner, per test, against the test's own fixture.
    langs->push_back({"sql", "SQL (SQLite 3.40, one read-only SELECT)", "main.sql", {},
                      "main.sql", {}, {"LANG=C.UTF-8"}, 1.0, true});
    return langs;
  }();
  return *kLanguages;
}

const Language* FindLanguage(const std::string& id) {
  for (const Language& l : Languages()) {
    if (l.id == id) return &l;
  }
  return nullptr;
}

}  // namespace judge
