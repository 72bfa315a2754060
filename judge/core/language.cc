#include "judge/core/language.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "judge/core/java_entry.h"
#include "judge/core/sql_exit_codes.h"

namespace judge {
namespace {

using judge::v1::Verdict;

// Debian's toolchains at their fixed paths (never whatever comes first on PATH: a rustup in
// root's home or another Node.js must not matter). /etc/alternatives is not in a box, so the
// JDK is named by its real directory.
constexpr const char* kJdk = "/usr/lib/jvm/java-17-openjdk-amd64";
constexpr const char* kJdkConf = "/etc/java-17-openjdk";
constexpr const char* kTypeScript = "/usr/local/lib/judge-typescript/node_modules";

// JavaScript's compile step parses the whole program: as a script, and where it uses module
// syntax (import, export, top-level await) as a module, as `node main.js` will run it. `node
// --check` alone gives up on a file with an import without parsing the rest, so TypeScript sent
// as JavaScript failed every test instead of compiling once with its SyntaxError.
constexpr const char* kJsParse = R"js(
const fs = require("fs"), vm = require("vm"), cp = require("child_process");
const file = process.argv[process.argv.length - 1];
const src = fs.readFileSync(file, "utf8");
try { new vm.Script(src, { filename: file }); } catch (e) {
  if (!/Cannot use import statement|Unexpected token 'export'|import\.meta|await is only valid/
      .test(e.message)) {
    console.error(String(e.stack).split("\n    at ")[0]);
    process.exit(1);
  }
  const mjs = file.replace(/\.js$/, "") + ".mjs";
  fs.copyFileSync(file, mjs);
  // Its stderr to a file: pipes would be socketpairs, which the compile box refuses.
  const log = file + ".check";
  const r = cp.spawnSync(process.execPath, ["--check", mjs],
                         { stdio: ["ignore", "ignore", fs.openSync(log, "w")] });
  const err = fs.readFileSync(log, "utf8");
  fs.unlinkSync(mjs);
  fs.unlinkSync(log);
  if (r.status !== 0) {
    console.error(err.split("\n    at ")[0].replace(/\n\nNode\.js v.*\n?$/, "")
                  .split(mjs).join(file).trim());
    process.exit(1);
  }
})js";

std::vector<Language>* MakeLanguages() {
  const std::vector<std::string> env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/box"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> out = env;
    out.insert(out.end(), more.begin(), more.end());
    return out;
  };
  auto* langs = new std::vector<Language>;

  Language c;
  c.id = "c";
  c.display = "GNU C17 (gcc 12, -std=gnu17 -O2 -lm)";
  c.name = "C (GNU C17)";
  c.extensions = {".c"};
  c.editor_mode = "c";
  c.starter = R"src(#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    char line[1 << 16];
    while (fgets(line, sizeof line, stdin)) {
        /* handle one line of input */
    }
    return 0;
}
)src";
  c.family = SourceFamily::kCLike;
  c.keywords = {"if",     "else",     "for",    "while",  "do",      "return",
                "break",  "continue", "switch", "case",   "default", "goto",
                "struct", "enum",     "union",  "sizeof", "typedef"};
  c.source_name = "main.c";
  c.compile_argv = {"/usr/bin/gcc", "-std=gnu17", "-O2", "-pipe", "-o", "main", "main.c", "-lm"};
  c.compile_env = env;
  c.artifact = "main";
  c.run_argv = {"{artifact}"};
  c.run_env = env;
  c.self_test_source =
      "#include <stdio.h>\n#include <unistd.h>\nint main(void){pid_t "
      "p=getpid();(void)p;puts(\"ok\");return 0;}\n";
  langs->push_back(c);

  Language cpp = c;
  cpp.id = "cpp";
  cpp.display = "C++17 (g++ 12, -O2)";
  cpp.name = "C++17";
  cpp.extensions = {".cc", ".cpp", ".cxx"};
  cpp.editor_mode = "cpp";
  cpp.starter = R"src(#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    string line;
    while (getline(cin, line)) {
        // handle one line of input
    }
    return 0;
}
)src";
  cpp.family = SourceFamily::kCLike;
  cpp.keywords = {"if",       "else",   "for",      "while",    "do",    "return",    "break",
                  "continue", "switch", "case",     "default",  "goto",  "struct",    "enum",
                  "union",    "sizeof", "typedef",  "class",    "new",   "delete",    "try",
                  "catch",    "throw",  "template", "typename", "using", "namespace", "operator"};
  cpp.source_name = "main.cc";
  cpp.compile_argv = {"/usr/bin/g++", "-std=c++17", "-O2", "-pipe", "-o", "main", "main.cc"};
  cpp.self_test_source = "#include <iostream>\nint main(){std::cout<<\"ok\\n\";}\n";
  // Without a memory cgroup the limit is RLIMIT_AS: allocation fails instead of the OOM killer.
  cpp.out_of_memory_markers = {"what():  std::bad_alloc"};
  langs->push_back(cpp);

  // The syntax check is Python's compile step: a SyntaxError is a COMPILATION_ERROR.
  Language py;
  py.id = "python3";
  py.display = "Python 3 (Debian's /usr/bin/python3)";
  py.name = "Python 3";
  py.extensions = {".py"};
  py.editor_mode = "python";
  py.starter = R"src(import sys


def main():
    for line in sys.stdin:
        line = line.rstrip("\n")
        # handle one line of input


main()
)src";
  py.family = SourceFamily::kPython;
  py.keywords = {"if",     "else",   "for", "while",  "return",  "break",    "continue", "def",
                 "class",  "lambda", "try", "except", "finally", "raise",    "with",     "yield",
                 "import", "from",   "in",  "is",     "global",  "nonlocal", "assert",   "del",
                 "async",  "await",  "and", "or",     "elif"};
  py.source_name = "main.py";
  py.compile_argv = {"/usr/bin/python3", "-I", "-S", "-c",
                     "import sys,traceback\n"
                     "try:\n"
                     "    compile(open('main.py','rb').read(),'main.py','exec')\n"
                     "except (SyntaxError, ValueError) as e:\n"
                     "    sys.stderr.write(''.join(traceback.format_exception_only(type(e), e)))\n"
                     "    sys.exit(1)\n"};
  py.compile_env = env;
  py.artifact = "main.py";
  py.run_argv = {"/usr/bin/python3", "-I", "-S", "{artifact}"};
  py.run_env = env;
  py.default_time_multiplier = 3.0;
  // Without a memory cgroup the limit is RLIMIT_AS: Python raises MemoryError.
  py.out_of_memory_markers = {"\nMemoryError"};
  py.self_test_source = "print('ok')\n";
  langs->push_back(py);

  // SQL prepares inside sql-runner, per test, against the test's own fixture. The query's own
  // deadline sits just under the cpu limit, so a runaway query is reported by sql-runner
  // itself; the sandbox's limit stays the backstop. Half the memory is SQLite's heap.
  Language sql;
  sql.id = "sql";
  sql.display = "SQL (SQLite 3.40, one read-only SELECT)";
  sql.name = "SQL (SQLite)";
  sql.extensions = {".sql"};
  sql.editor_mode = "sql";
  sql.starter = R"src(-- One query; the tables are described in the statement.
SELECT 1;
)src";
  sql.family = SourceFamily::kSql;
  sql.keywords = {"select", "from",   "where",   "join",     "left",   "right",     "inner",
                  "outer",  "full",   "cross",   "on",       "using",  "group",     "by",
                  "order",  "having", "limit",   "distinct", "union",  "all",       "intersect",
                  "except", "exists", "between", "like",     "in",     "is",        "not",
                  "and",    "or",     "case",    "when",     "then",   "else",      "end",
                  "as",     "asc",    "desc",    "with",     "over",   "partition", "coalesce",
                  "ifnull", "nullif", "count",   "sum",      "avg",    "min",       "max",
                  "cast",   "insert", "into",    "values",   "update", "set",       "delete",
                  "create", "table",  "if"};
  sql.source_name = "main.sql";
  sql.artifact = "main.sql";
  sql.run_argv = {"{tool:sql-runner}", "--fixture", "{fixture}",  "--query",   "{artifact}",
                  "--time-ms",         "{time_ms}", "--heap-mib", "{heap_mib}"};
  sql.run_env = {"LANG=C.UTF-8"};
  sql.tools = {"sql-runner"};
  sql.heap_percent = 50;
  sql.self_test_source = "SELECT x FROM t";
  sql.self_test_fixture = "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1);";
  sql.self_test_output = "#cols\tx\nI1\n";
  sql.input = TestInput::kFixture;
  sql.exit_verdicts = {{sqlrunner::kRuntime, judge::v1::VERDICT_RUNTIME_ERROR},
                       {sqlrunner::kUsage, judge::v1::VERDICT_INTERNAL_ERROR},
                       {sqlrunner::kRefused, judge::v1::VERDICT_COMPILATION_ERROR},
                       {sqlrunner::kTime, judge::v1::VERDICT_TIME_LIMIT_EXCEEDED},
                       {sqlrunner::kMemory, judge::v1::VERDICT_MEMORY_LIMIT_EXCEEDED}};
  langs->push_back(sql);

  // Java: javac into classes/, every class file kept; the JVM runs the class that declares
  // main (a public class named anything is compiled from its own file name) with the serial
  // collector (no GC threads, the smallest start), no perf-data file (an mmapped file in /tmp
  // per run), its heap from the
  // memory limit and its stack from the stack limit. Unified logging goes to stderr, never
  // into the program's output. MALLOC_ARENA_MAX keeps glibc from reserving 64 MiB per thread.
  Language java;
  java.id = "java";
  java.display = "Java 17 (OpenJDK 17, any class with main)";
  java.name = "Java 17";
  java.extensions = {".java"};
  java.editor_mode = "java";
  java.starter = R"src(import java.io.*;
import java.util.*;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringBuilder out = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            // handle one line of input
        }
        System.out.print(out);
    }
}
)src";
  java.family = SourceFamily::kCLike;
  java.keywords = {"if",       "else",       "for",    "while",   "do",    "return",  "break",
                   "continue", "switch",     "case",   "default", "class", "enum",    "interface",
                   "extends",  "implements", "new",    "try",     "catch", "finally", "throw",
                   "throws",   "instanceof", "import", "package"};
  java.source_name = "Main.java";
  java.source_name_for = [](const std::string& source) {
    const std::string name = JavaPublicTypeName(source);
    return name.empty() ? std::string() : name + ".java";
  };
  java.entry_for = [](const std::string& classes, const std::string& source_name) {
    return JavaMainClass(classes, source_name.substr(0, source_name.size() - 5));
  };
  java.no_entry_message =
      "error: no class declares public static void main(String[] args): the program needs one";
  java.compile_argv = {absl::StrCat(kJdk, "/bin/javac"),
                       "-J-XX:+UseSerialGC",
                       "-J-XX:TieredStopAtLevel=1",
                       "-J-XX:-UsePerfData",
                       "-J-Xmx512m",
                       "-J-Xss8m",
                       "-encoding",
                       "UTF-8",
                       "-Xlint:none",
                       "-d",
                       "classes",
                       "{source}"};
  java.compile_env = with({"MALLOC_ARENA_MAX=2"});
  java.artifact = "classes/";
  java.run_argv = {absl::StrCat(kJdk, "/bin/java"), "-XX:+UseSerialGC", "-XX:-UsePerfData",
                   "-Xshare:auto", "-Xmx{heap_mib}m", "-Xss{stack_mib}m",
                   "-XX:ReservedCodeCacheSize=64m", "-XX:CompressedClassSpaceSize=64m",
                   "-XX:ErrorFile=/tmp/hs_err.log", "-Xlog:disable", "-Xlog:all=warning:stderr",
                   "-Djava.io.tmpdir=/tmp", "-Duser.home=/box",
                   // SecureRandom (Files.createTempFile, UUID.randomUUID) seeds from urandom:
                   // a box has no /dev/random, and the JDK's fallback spins for seconds.
                   "-Djava.security.egd=file:/dev/urandom", "-cp", "{artifact}", "{entry}"};
  java.run_env = with({"MALLOC_ARENA_MAX=2"});
  java.run_profile = sandbox::Profile::kRunJvm;
  java.host_paths = {kJdkConf};
  java.runtime_overhead_mib = 96;
  java.runtime_threads = 24;
  java.address_space_extra_mib = 4096;
  java.out_of_memory_markers = {"java.lang.OutOfMemoryError: Java heap space",
                                "java.lang.OutOfMemoryError: GC overhead limit exceeded"};
  java.default_time_multiplier = 2.0;
  java.self_test_source =
      "public class Main { public static void main(String[] a) { System.out.println(\"ok\"); } }\n";
  langs->push_back(java);

  // JavaScript: parsing the whole program is the compile step (a SyntaxError is one
  // COMPILATION_ERROR; see kJsParse).
  Language js;
  js.id = "javascript";
  js.display = "JavaScript (Node.js, /usr/bin/node, CommonJS)";
  js.name = "JavaScript (Node.js)";
  js.extensions = {".js", ".mjs"};
  js.editor_mode = "javascript";
  js.starter = R"src(const lines = require("fs").readFileSync(0, "utf8").split("\n");
const out = [];
for (const line of lines) {
  // handle one line of input
}
process.stdout.write(out.join("\n"));
)src";
  js.family = SourceFamily::kCLike;
  js.keywords = {"if",      "else",     "for",    "while",  "do",      "return",
                 "break",   "continue", "switch", "case",   "default", "class",
                 "extends", "new",      "delete", "try",    "catch",   "finally",
                 "throw",   "function", "in",     "of",     "typeof",  "instanceof",
                 "yield",   "await",    "async",  "import", "require"};
  js.source_name = "main.js";
  js.compile_argv = {"/usr/bin/node", "-e", kJsParse, "main.js"};
  js.compile_env = env;
  js.artifact = "main.js";
  js.run_argv = {"/usr/bin/node", "--max-old-space-size={heap_mib}", "--stack-size={stack_kib}",
                 "{artifact}"};
  js.run_env = with({"NODE_OPTIONS=", "UV_USE_IO_URING=0"});
  js.run_profile = sandbox::Profile::kRunV8;
  js.runtime_overhead_mib = 96;
  js.runtime_threads = 16;
  js.address_space_extra_mib = 4096;
  js.out_of_memory_markers = {"JavaScript heap out of memory"};
  js.default_time_multiplier = 2.0;
  js.self_test_source = "console.log('ok');\n";
  langs->push_back(js);

  // TypeScript: tsc from the pinned npm package (toolchains/typescript), strict, to ES2022
  // CommonJS with Node's types and no DOM, then run as JavaScript.
  Language ts = js;
  ts.id = "typescript";
  ts.display = "TypeScript 5.9 (tsc --strict, ES2022, CommonJS; run by Node.js)";
  ts.name = "TypeScript";
  ts.extensions = {".ts"};
  ts.editor_mode = "typescript";
  ts.starter = R"src(import * as fs from "fs";

const lines: string[] = fs.readFileSync(0, "utf8").split("\n");
const out: string[] = [];
for (const line of lines) {
  // handle one line of input
}
process.stdout.write(out.join("\n"));
)src";
  ts.family = SourceFamily::kCLike;
  ts.keywords = {"if",      "else",       "for",        "while", "do",       "return",
                 "break",   "continue",   "switch",     "case",  "default",  "class",
                 "extends", "implements", "interface",  "enum",  "new",      "delete",
                 "try",     "catch",      "finally",    "throw", "function", "in",
                 "of",      "typeof",     "instanceof", "yield", "await",    "async",
                 "import",  "type",       "namespace",  "as"};
  ts.source_name = "main.ts";
  ts.compile_argv = {"/usr/bin/node",
                     absl::StrCat(kTypeScript, "/typescript/lib/tsc.js"),
                     "--strict",
                     "--target",
                     "es2022",
                     "--lib",
                     "es2022",
                     "--module",
                     "commonjs",
                     "--types",
                     "node",
                     "--typeRoots",
                     absl::StrCat(kTypeScript, "/@types"),
                     "--skipLibCheck",
                     "--noEmitOnError",
                     "--pretty",
                     "false",
                     "main.ts"};
  ts.compile_env = env;
  ts.self_test_source =
      "import * as fs from \"fs\";\nconst s: string = fs.existsSync(\"/\") ? \"ok\" : "
      "\"no\";\nconsole.log(s);\n";
  langs->push_back(ts);

  // Go: the standard library only, offline (GOPATH mode, no proxy), with a build cache private
  // to this compilation in the box's /tmp; Debian ships the standard library precompiled.
  Language go;
  go.id = "go";
  go.display = "Go 1.19 (golang-go, standard library only)";
  go.name = "Go";
  go.extensions = {".go"};
  go.editor_mode = "go";
  go.starter = R"src(package main

import (
	"bufio"
	"os"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		line := in.Text()
		_ = line // handle one line of input
	}
}
)src";
  go.family = SourceFamily::kCLike;
  go.keywords = {"if",     "else",      "for",     "return", "break",       "continue",
                 "switch", "case",      "default", "goto",   "fallthrough", "func",
                 "struct", "interface", "map",     "chan",   "go",          "defer",
                 "select", "range",     "package", "import"};
  go.source_name = "main.go";
  go.compile_argv = {"/usr/bin/go", "build", "-o", "main", "main.go"};
  go.compile_env = with({"GOCACHE=/tmp/go-cache", "GOPATH=/tmp/go-path", "GO111MODULE=off",
                         "GOPROXY=off", "GOFLAGS=", "CGO_ENABLED=0", "GOTMPDIR=/tmp"});
  go.artifact = "main";
  go.run_argv = {"{artifact}"};
  go.run_env = with({"GOMEMLIMIT={heap_mib}MiB", "GOTRACEBACK=single"});
  go.runtime_overhead_mib = 16;
  go.runtime_threads = 16;
  go.address_space_extra_mib = 2048;
  go.out_of_memory_markers = {"runtime: out of memory"};
  go.default_time_multiplier = 1.5;
  go.self_test_source = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"ok\") }\n";
  langs->push_back(go);

  // Rust: rustc -O, edition 2021, std only; linked by gcc named directly (/usr/bin/cc is an
  // alternatives link, not in a box).
  Language rust;
  rust.id = "rust";
  rust.display = "Rust 1.63 (rustc -O, edition 2021, std only)";
  rust.name = "Rust";
  rust.extensions = {".rs"};
  rust.editor_mode = "rust";
  rust.starter = R"src(use std::io::{self, BufRead, BufWriter, Write};

fn main() {
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        let _ = &line; // handle one line of input
    }
    out.flush().unwrap();
}
)src";
  rust.family = SourceFamily::kCLike;
  rust.keywords = {"if",       "else",  "for", "while",  "loop", "return", "break",
                   "continue", "match", "fn",  "struct", "enum", "impl",   "trait",
                   "mod",      "use",   "in",  "as",     "where"};
  rust.source_name = "main.rs";
  rust.compile_argv = {"/usr/bin/rustc",      "-O", "--edition", "2021",   "-C",
                       "linker=/usr/bin/gcc", "-o", "main",      "main.rs"};
  rust.compile_env = with({"TMPDIR=/tmp"});
  rust.artifact = "main";
  rust.run_argv = {"{artifact}"};
  rust.run_env = env;
  rust.out_of_memory_markers = {"memory allocation of "};
  rust.self_test_source = "fn main() { println!(\"ok\"); }\n";
  langs->push_back(rust);

  // C#: Debian's Mono, mcs (C# up to 7.2) to main.exe, run by mono with SGen's heap capped at
  // the memory limit. mcs is a .NET program too, started by mono directly (/usr/bin/mcs is a
  // shell script). Mono's shared area (a file in /dev/shm per process) is off; its look-up of
  // the user through nscd gets the box's EACCES and goes on.
  Language cs;
  cs.id = "csharp";
  cs.display = "C# 7.2 (Mono 6.8: mcs -optimize+, mono)";
  cs.name = "C# (Mono)";
  cs.extensions = {".cs"};
  cs.editor_mode = "csharp";
  cs.starter = R"src(using System;
using System.IO;
using System.Text;

public class Program {
    public static void Main() {
        var input = new StreamReader(Console.OpenStandardInput());
        var output = new StringBuilder();
        string line;
        while ((line = input.ReadLine()) != null) {
            // handle one line of input
        }
        Console.Write(output);
    }
}
)src";
  cs.family = SourceFamily::kCLike;
  cs.keywords = {"if",     "else",  "for",       "foreach", "while",     "do",
                 "return", "break", "continue",  "switch",  "case",      "default",
                 "goto",   "class", "struct",    "enum",    "interface", "new",
                 "try",    "catch", "finally",   "throw",   "in",        "is",
                 "as",     "using", "namespace", "yield",   "delegate",  "operator"};
  cs.source_name = "main.cs";
  cs.compile_argv = {"/usr/bin/mono", "/usr/lib/mono/4.5/mcs.exe",
                     "-optimize+",    "-langversion:7.2",
                     "-nologo",       "-out:main.exe",
                     "main.cs"};
  const std::vector<std::string> mono_env = {"MONO_DISABLE_SHARED_AREA=1",
                                             "MONO_ENV_OPTIONS=", "MONO_CFG_DIR=/etc"};
  cs.compile_env = with(mono_env);
  cs.compile_env.push_back("MONO_GC_PARAMS=max-heap-size=512m");
  cs.artifact = "main.exe";
  cs.run_argv = {"/usr/bin/mono", "--gc=sgen", "{artifact}"};
  cs.run_env = with(mono_env);
  cs.run_env.push_back("MONO_GC_PARAMS=max-heap-size={heap_mib}m");
  cs.host_paths = {"/etc/mono"};
  cs.runtime_overhead_mib = 48;
  cs.runtime_threads = 8;
  cs.address_space_extra_mib = 1024;
  cs.out_of_memory_markers = {"System.OutOfMemoryException"};
  cs.default_time_multiplier = 2.0;
  cs.self_test_source =
      "public class P { public static void Main() { System.Console.WriteLine(\"ok\"); } }\n";
  langs->push_back(cs);

  // Ruby 3.1 without RubyGems (its start goes from ~43 ms to ~7 ms; a judge has no gems to
  // load). The syntax check compiles the file to Ruby's instructions (`ruby -c` would also print
  // "Syntax OK", which would be shown as the compiler's output).
  Language rb;
  rb.id = "ruby";
  rb.display = "Ruby 3.1 (ruby --disable-gems, standard library)";
  rb.name = "Ruby";
  rb.extensions = {".rb"};
  rb.editor_mode = "ruby";
  rb.starter = R"src(out = []
$stdin.each_line do |line|
  line = line.chomp
  # handle one line of input
end
$stdout.write(out.join("\n"))
)src";
  rb.family = SourceFamily::kPython;  // # comments, `and`/`or` words
  rb.keywords = {"if",  "elsif", "else",   "unless", "case",   "when",   "while", "until",
                 "for", "in",    "do",     "end",    "return", "break",  "next",  "redo",
                 "def", "class", "module", "begin",  "rescue", "ensure", "raise", "yield",
                 "and", "or",    "not",    "then",   "lambda", "proc"};
  rb.source_name = "main.rb";
  rb.compile_argv = {"/usr/bin/ruby3.1", "--disable-gems", "-e",
                     "begin\n"
                     "  RubyVM::InstructionSequence.compile_file('main.rb')\n"
                     "rescue SyntaxError => e\n"
                     "  $stderr.puts(e.message)\n"
                     "  exit(1)\n"
                     "end\n"};
  rb.compile_env = env;
  rb.artifact = "main.rb";
  rb.run_argv = {"/usr/bin/ruby3.1", "--disable-gems", "{artifact}"};
  rb.run_env = with({"RUBYOPT=", "RUBYLIB="});
  rb.runtime_threads = 4;
  rb.address_space_extra_mib = 256;
  rb.out_of_memory_markers = {"(NoMemoryError)", "failed to allocate memory"};
  rb.default_time_multiplier = 5.0;
  rb.self_test_source = "puts 'ok'\n";
  langs->push_back(rb);

  // PHP 8.2's CLI without php.ini (-n: Debian's sets memory_limit to -1 and loads extensions
  // by ini), memory_limit from the memory limit, errors to stderr (never into the answer); the
  // syntax check is `php -l`, its errors on stderr and its "No syntax errors detected" dropped.
  Language php;
  php.id = "php";
  php.display = "PHP 8.2 (php -n, CLI)";
  php.name = "PHP";
  php.extensions = {".php"};
  php.editor_mode = "php";
  php.starter = R"src(<?php
$out = [];
while (($line = fgets(STDIN)) !== false) {
    $line = rtrim($line, "\n");
    // handle one line of input
}
echo implode("\n", $out);
)src";
  php.family = SourceFamily::kCLike;
  php.keywords = {"if",       "else",  "elseif",     "for",    "foreach", "while",   "do",
                  "return",   "break", "continue",   "switch", "case",    "default", "match",
                  "function", "fn",    "class",      "new",    "try",     "catch",   "finally",
                  "throw",    "as",    "instanceof", "echo",   "print",   "use",     "namespace",
                  "yield",    "and",   "or"};
  php.source_name = "main.php";
  php.compile_argv = {"/usr/bin/dash", "-c",
                      "exec /usr/bin/php8.2 -n -d display_errors=stderr -l main.php >/dev/null"};
  php.compile_env = env;
  php.artifact = "main.php";
  php.run_argv = {"/usr/bin/php8.2",
                  "-n",
                  "-d",
                  "memory_limit={heap_mib}M",
                  "-d",
                  "display_errors=stderr",
                  "-d",
                  "error_reporting=-1",
                  "-d",
                  "zend.assertions=-1",
                  "{artifact}"};
  php.run_env = env;
  php.runtime_overhead_mib = 16;
  php.address_space_extra_mib = 256;
  php.out_of_memory_markers = {"Allowed memory size of"};
  php.default_time_multiplier = 3.0;
  php.self_test_source = "<?php\necho \"ok\\n\";\n";
  langs->push_back(php);
  return langs;
}

}  // namespace

const std::vector<Language>& Languages() {
  static const std::vector<Language>* kLanguages = MakeLanguages();
  return *kLanguages;
}

const Language* FindLanguage(const std::string& id) {
  for (const Language& l : Languages()) {
    if (l.id == id) return &l;
  }
  return nullptr;
}

std::vector<std::string> ExpandPlaceholders(const Language& language,
                                            const std::vector<std::string>& templ,
                                            const RunContext& context) {
  const uint64_t mib = 1ull << 20;
  const uint64_t memory_mib = context.memory_bytes / mib;
  const uint64_t share = memory_mib * language.heap_percent / 100;
  const uint64_t heap_mib =
      share > language.runtime_overhead_mib + 8 ? share - language.runtime_overhead_mib : 8;
  const uint64_t stack_mib = std::max<uint64_t>(context.stack_bytes / mib, 1);
  std::vector<std::pair<std::string, std::string>> subst = {
      {"{artifact}", context.artifact},
      {"{fixture}", context.fixture},
      {"{entry}", context.entry},
      {"{time_ms}", std::to_string(std::max<uint64_t>(context.cpu_time_ms * 9 / 10, 50))},
      {"{memory_mib}", std::to_string(memory_mib)},
      {"{heap_mib}", std::to_string(heap_mib)},
      {"{stack_mib}", std::to_string(stack_mib)},
      {"{stack_kib}", std::to_string(stack_mib * 1024 * 7 / 8)},
  };
  for (const std::string& tool : language.tools) {
    subst.push_back({absl::StrCat("{tool:", tool, "}"), absl::StrCat(kBoxToolDir, "/", tool)});
  }
  std::vector<std::string> out;
  out.reserve(templ.size());
  for (const std::string& t : templ) out.push_back(absl::StrReplaceAll(t, subst));
  return out;
}

Verdict LanguageVerdict(const Language& language, int exit_code, const std::string& stderr_data) {
  for (const ExitVerdict& e : language.exit_verdicts) {
    if (e.exit_code == exit_code) return e.verdict;
  }
  for (const std::string& marker : language.out_of_memory_markers) {
    if (stderr_data.find(marker) != std::string::npos) {
      return judge::v1::VERDICT_MEMORY_LIMIT_EXCEEDED;
    }
  }
  return judge::v1::VERDICT_UNSPECIFIED;
}

std::string ErrorLine(const std::string& stderr_data, size_t max_bytes) {
  // A line that starts with a (dotted) name ending in Error or Exception, then ':' or its end:
  // "TypeError: x is not a function", "ZeroDivisionError: division by zero",
  // "Exception in thread "main" java.lang.IllegalStateException: ...".
  auto names_an_error = [](const std::string& line) {
    size_t n = 0;
    while (n < line.size() && (isalnum(static_cast<unsigned char>(line[n])) || line[n] == '_' ||
                               line[n] == '.' || line[n] == '$')) {
      ++n;
    }
    std::string name = line.substr(0, n);
    bool ends = (name.size() >= 5 && name.compare(name.size() - 5, 5, "Error") == 0) ||
                (name.size() >= 9 && name.compare(name.size() - 9, 9, "Exception") == 0);
    return ends && (n == line.size() || line[n] == ':' || line[n] == ' ');
  };
  std::string first, chosen;
  size_t start = 0;
  while (start < stderr_data.size()) {
    size_t end = stderr_data.find('\n', start);
    if (end == std::string::npos) end = stderr_data.size();
    std::string line = stderr_data.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (first.empty()) first = line;
    if (names_an_error(line)) {
      chosen = line;
      break;
    }
  }
  if (chosen.empty()) chosen = first;
  while (!chosen.empty() && (chosen.back() == '\r' || chosen.back() == ' ')) chosen.pop_back();
  if (chosen.size() > max_bytes) {
    size_t end = max_bytes;  // on a UTF-8 boundary
    while (end > 0 && (static_cast<unsigned char>(chosen[end]) & 0xC0) == 0x80) --end;
    chosen = chosen.substr(0, end) + "…";
  }
  return chosen;
}

}  // namespace judge
