// Languages are data: how a source is compiled, how the result is run, which seccomp profile
// and limits the runtime needs, and what its exit codes and error output mean. The grader and
// the compiler read this table and hold no special case for any language.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "judge/v1/judge.pb.h"
#include "sandbox/spec.h"

namespace judge {

// In the run box, the artifact (binary, source or directory) is mounted read-only under here.
inline constexpr const char* kBoxArtifactDir = "/opt/judge";
// Programs the judge ships (sql-runner) are mounted read-only at /opt/tools/<name>.
inline constexpr const char* kBoxToolDir = "/opt/tools";

// How a test's input reaches the program.
enum class TestInput {
  kStdin,    // the test's input file on stdin
  kFixture,  // the test's fixture script as {fixture} (SQL: the database to query)
};

// How similarity (similarity.cc) reads a source: braces and semicolons, indentation, or SQL.
enum class SourceFamily { kCLike, kPython, kSql };

// A non-zero exit code with a meaning of its own (e.g. sql-runner's refused query).
struct ExitVerdict {
  int exit_code;
  judge::v1::Verdict verdict;
};

struct Language {
  std::string id;       // c, cpp, python3, sql, java, javascript, typescript, go, rust
  std::string display;  // "Java 17 (OpenJDK 17, any class with main)"
  // What clients show and use (ListLanguages: the page, judgectl): a short name for menus,
  // the file extensions that name the language (the first is the usual one), the page's
  // editor mode (a CodeMirror language: c, cpp, python, sql, java, javascript, typescript, go,
  // rust) and the editor's starter, which reads stdin and writes stdout.
  std::string name;  // "Python 3"
  std::vector<std::string> extensions;
  std::string editor_mode;
  std::string starter;
  // Similarity (similarity.cc): how the source is tokenized, and the words that are the shape
  // of the code and kept; every other word is an identifier a copier may rename.
  SourceFamily family = SourceFamily::kCLike;
  std::vector<std::string> keywords;
  std::string source_name;  // written into the compile box's work dir; {source} in compile_argv
  // A name of the source's own choosing, where the compiler insists on one (Java: the public
  // class's file); "" or nullptr: source_name.
  std::string (*source_name_for)(const std::string& source) = nullptr;
  // The entry point, found in the compiled artifact ({entry} in run_argv; Java: the class that
  // declares main). "" means there is none: a COMPILATION_ERROR saying `no_entry_message`.
  std::string (*entry_for)(const std::string& artifact_path,
                           const std::string& source_name) = nullptr;
  std::string no_entry_message;
  // Run in the compile box (profile `compile`, work dir /box); empty: nothing to compile. A zero
  // exit with the artifact present means success; anything else is COMPILATION_ERROR with the
  // compiler's stderr (or stdout).
  std::vector<std::string> compile_argv;
  std::vector<std::string> compile_env;
  // Processes and threads the compiler may have at once (javac, go build and rustc are
  // multi-threaded and run helpers).
  uint32_t compile_processes = 64;
  // What compiling leaves: a file ("main"), or a directory, written with a trailing '/'
  // ("classes/"), whose regular files are all kept. Without a compile step: the source itself.
  std::string artifact;
  // The run's argv and env. Placeholders, replaced per run:
  //   {artifact}   box path of the artifact (file or directory)
  //   {fixture}    box path of the test's fixture (TestInput::kFixture)
  //   {entry}      the entry point found after compiling (see entry_for)
  //   {tool:NAME}  box path of a program the judge ships (see `tools`)
  //   {time_ms}    90% of the CPU limit (a runtime's own deadline, under the sandbox's)
  //   {memory_mib} the memory limit; {heap_mib}: heap_percent of it, less runtime_overhead_mib
  //   {stack_mib}  the stack limit; {stack_kib}: 7/8 of it (room for the runtime's own frames)
  std::vector<std::string> run_argv;
  std::vector<std::string> run_env;
  sandbox::Profile run_profile = sandbox::Profile::kRun;
  std::vector<std::string> tools;  // names of GraderOptions::tools mounted into the run box
  // Host paths bound read-only at the same path in the compile and run boxes, besides /usr
  // (Debian's JDK keeps jvm.cfg and its security files in /etc/java-17-openjdk).
  std::vector<std::string> host_paths;
  TestInput input = TestInput::kStdin;
  // Memory the runtime needs besides the program's heap (JIT, metaspace, code, GC tables),
  // measured: {heap_mib} is the memory limit less this.
  uint32_t runtime_overhead_mib = 0;
  uint32_t heap_percent = 100;
  // Threads the runtime starts on its own (JIT compilers, GC, V8's platform workers, Go's
  // sysmon), measured with a trace; added to the challenge's process limit, so the candidate
  // gets the same number of threads of their own in every language.
  uint32_t runtime_threads = 0;
  // Address space reserved and never touched (heap and class space reservations, code range,
  // Go's arenas), measured: added to RLIMIT_AS where there is no memory cgroup, in the run box
  // and in the compile box (javac is a JVM, go build a Go program).
  uint32_t address_space_extra_mib = 0;
  // Exit codes with a meaning of their own; others are RUNTIME_ERROR.
  std::vector<ExitVerdict> exit_verdicts;
  // Text a runtime writes to stderr when the program's heap is exhausted (a JVM's
  // OutOfMemoryError, V8's fatal heap error): the run is MEMORY_LIMIT_EXCEEDED, not a crash.
  std::vector<std::string> out_of_memory_markers;
  // Multiplier on cpu and wall limits when the challenge does not set one.
  double default_time_multiplier = 1.0;
  // judged's start-up self-test: this source (with this fixture, for kFixture) must compile
  // and print exactly self_test_output.
  std::string self_test_source;
  std::string self_test_fixture;
  std::string self_test_output = "ok\n";

  // A class-form challenge's variant of a language (LoadedChallenge::LanguageFor): files the
  // compile box gets beside the candidate's source (name, content), and the class to run when
  // it is fixed ({entry}; entry_for is then unset). Empty in the built-in table.
  std::vector<std::pair<std::string, std::string>> extra_files;
  std::string fixed_entry;
};

// The built-in languages, in display order.
const std::vector<Language>& Languages();
// nullptr when unknown.
const Language* FindLanguage(const std::string& id);

// What the placeholders of run_argv and run_env stand for in one run.
struct RunContext {
  std::string artifact;  // box path
  std::string fixture;   // box path; empty when there is none
  std::string entry;     // see Language::entry_for
  uint64_t cpu_time_ms = 0;
  uint64_t memory_bytes = 0;
  uint64_t stack_bytes = 0;
};

// run_argv or run_env with every placeholder replaced. Unknown placeholders stay as they are
// (the language table's test asserts there are none).
std::vector<std::string> ExpandPlaceholders(const Language& language,
                                            const std::vector<std::string>& templ,
                                            const RunContext& context);

// The verdict of a run that did not end in a clean exit, from the language's own table: its
// exit codes, then its out-of-memory markers; VERDICT_UNSPECIFIED when neither applies.
judge::v1::Verdict LanguageVerdict(const Language& language, int exit_code,
                                   const std::string& stderr_data);

// The line of a runtime's error output worth showing: the first line that names an error or an
// exception (Python's and Node's come after a traceback or the source line), else the first
// non-blank line. At most `max_bytes`.
std::string ErrorLine(const std::string& stderr_data, size_t max_bytes);

}  // namespace judge
