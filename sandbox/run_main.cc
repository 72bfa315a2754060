// sandbox-run: the judge's sandbox as a command, like isolate --run.
//   sandbox-run [options] -- PROGRAM [ARGS...]
// The program's stdout and stderr pass through (capped); the JSON result goes to --result FILE,
// or to stderr after the program's output.
// Exit status: 0 when the sandbox worked (whatever the program did), 2 on bad usage, 1 when the
// sandbox itself failed.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sandbox/result_json.h"
#include "sandbox/sandbox.h"

namespace {

// "256m", "1g", "512k" or bytes.
bool ParseSize(const std::string& text, uint64_t* out) {
  if (text.empty()) return false;
  uint64_t mult = 1;
  std::string digits = text;
  switch (text.back()) {
    case 'k':
    case 'K':
      mult = 1ull << 10;
      digits.pop_back();
      break;
    case 'm':
    case 'M':
      mult = 1ull << 20;
      digits.pop_back();
      break;
    case 'g':
    case 'G':
      mult = 1ull << 30;
      digits.pop_back();
      break;
    default:
      break;
  }
  uint64_t v = 0;
  if (!absl::SimpleAtoi(digits, &v)) return false;
  *out = v * mult;
  return true;
}

// "HOST[:BOX]"
sandbox::Mount ParseBind(const std::string& arg, bool writable) {
  size_t colon = arg.find(':');
  if (colon == std::string::npos) return {arg, arg, writable};
  return {arg.substr(0, colon), arg.substr(colon + 1), writable};
}

// The command line, parsed by hand: this process starts once per run, and a parser library's
// start-up (static initialisers, iostreams, exceptions) cost more than the parsing itself.
struct Option {
  const char* name;
  const char* value;  // what the value looks like, or nullptr for a flag
  const char* help;
  std::string* text = nullptr;               // single value
  std::vector<std::string>* list = nullptr;  // repeatable
  bool* flag = nullptr;
  std::string shown_default;
};

constexpr const char* kAbout =
    "Runs PROGRAM in the judge's sandbox: fresh user, pid, mount, ipc, uts and net namespaces, a "
    "read-only root holding only /usr and the binds you name, cgroup limits and a seccomp "
    "allow-list. Prints a JSON result (status, exit_code, signal, syscall, cpu_ms, wall_ms, "
    "memory_kib, message).";

void PrintHelp(const std::vector<Option>& options) {
  std::printf("%s\n\nUsage: sandbox-run [OPTIONS] -- PROGRAM [ARGS...]\n\nOptions:\n", kAbout);
  std::printf("  %-28s%s\n", "-h,--help", "Print this help message and exit");
  for (const Option& o : options) {
    std::string left = std::string(o.name) + (o.value ? std::string(" ") + o.value : "");
    std::string help = o.help;
    if (!o.shown_default.empty()) help += " [default: " + o.shown_default + "]";
    std::printf("  %-28s%s\n", left.c_str(), help.c_str());
  }
  std::printf(
      "\nExit status: 0 when the sandbox worked (whatever the program did), 1 when the "
      "sandbox failed, 2 on bad usage.\n");
}

int Usage(const std::string& why) {
  std::fprintf(stderr, "sandbox-run: %s (see sandbox-run --help)\n", why.c_str());
  return 2;
}

// What the command line asked for, as text until BuildSpec reads it.
struct Args {
  std::string cpu_time = "0", wall_time = "0", memory = "256m", output = "64m", file_size = "64m",
              tmp_size = "16m", processes = "64", open_files = "64";
  std::string stdin_path, stdout_path, stderr_path, result_path, workdir = "/box", profile = "run";
  std::vector<std::string> bind_ro, bind_rw, env;
  bool no_system = false, no_proc = false;
  std::vector<std::string> command;  // everything after "--"
};

std::vector<Option> OptionsFor(Args& a) {
  std::vector<Option> options = {
      {"--cpu-time", "SECONDS", "CPU time limit, all processes (0: none)", &a.cpu_time},
      {"--wall-time", "SECONDS", "Wall time limit (0: 3 x cpu time + 1, or none)", &a.wall_time},
      {"--memory", "SIZE", "Memory limit, e.g. 256m (0: none)", &a.memory},
      {"--processes", "N", "Processes and threads at once", &a.processes},
      {"--output", "SIZE", "Bytes of stdout before OUTPUT_LIMIT", &a.output},
      {"--file-size", "SIZE", "Largest file the program may write", &a.file_size},
      {"--open-files", "N", "RLIMIT_NOFILE", &a.open_files},
      {"--tmp-size", "SIZE", "Size of /tmp and of the work dir tmpfs", &a.tmp_size},
      {"--stdin", "FILE", "Host file for stdin (default /dev/null)", &a.stdin_path},
      {"--stdout", "FILE", "Host file for stdout (default: this stdout)", &a.stdout_path},
      {"--stderr", "FILE", "Host file for stderr (default: this stderr)", &a.stderr_path},
      {"--bind-ro", "HOST[:BOX]", "Bind mount, read-only (repeatable)", nullptr, &a.bind_ro},
      {"--bind-rw", "HOST[:BOX]", "Bind mount, writable (repeatable)", nullptr, &a.bind_rw},
      {"--workdir", "PATH", "Working directory in the box (a fresh tmpfs)", &a.workdir},
      {"--profile", "run|jvm|v8|compile",
       "Seccomp profile: run (threads only), jvm or v8 (run, plus what that runtime needs), or "
       "compile (processes too)",
       &a.profile},
      {"--env", "K=V", "Passed to the program (repeatable; nothing else is)", nullptr, &a.env},
      {"--result", "FILE", "Write the JSON result here (default: stderr)", &a.result_path},
      {"--no-system-mounts", nullptr, "Do not bind /usr, /lib* and /etc/ld.so.cache", nullptr,
       nullptr, &a.no_system},
      {"--no-proc", nullptr, "No /proc in the box", nullptr, nullptr, &a.no_proc},
  };
  for (Option& o : options) {
    if (o.text != nullptr && !o.text->empty() && *o.text != "0") o.shown_default = *o.text;
  }
  return options;
}

// Reads argv into `a`. Returns -1 to go on, else the exit status (0 after --help, 2 on bad
// usage, with the reason printed).
int Parse(int argc, char** argv, Args& a) {
  std::vector<Option> options = OptionsFor(a);
  // Everything after "--" is the command, untouched by option parsing.
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (arg == "-h" || arg == "--help") {
      PrintHelp(options);
      return 0;
    }
    std::string name = arg, value;
    bool has_value = false;
    if (size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    Option* opt = nullptr;
    for (Option& o : options) {
      if (name == o.name) opt = &o;
    }
    if (opt == nullptr) {
      return Usage(arg.rfind("-", 0) == 0 ? "unknown option " + name
                                          : "unexpected " + arg + " (the command goes after --)");
    }
    if (opt->flag != nullptr) {
      if (has_value) return Usage(name + " takes no value");
      *opt->flag = true;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argc) return Usage(name + " needs a value: " + opt->value);
      value = argv[++i];
    }
    if (opt->list != nullptr) {
      opt->list->push_back(value);
    } else {
      *opt->text = value;
    }
  }
  for (++i; i < argc; ++i) a.command.emplace_back(argv[i]);
  if (a.command.empty()) {
    return Usage("no command given (sandbox-run [OPTIONS] -- PROGRAM [ARGS...])");
  }
  return -1;
}

// The run `a` describes; an error names the bad value.
absl::StatusOr<sandbox::RunSpec> BuildSpec(const Args& a) {
  const std::pair<const char*, sandbox::Profile> kProfiles[] = {
      {"run", sandbox::Profile::kRun},
      {"jvm", sandbox::Profile::kRunJvm},
      {"v8", sandbox::Profile::kRunV8},
      {"compile", sandbox::Profile::kCompile}};
  sandbox::RunSpec spec;
  const auto chosen = std::find_if(std::begin(kProfiles), std::end(kProfiles),
                                   [&](const auto& p) { return a.profile == p.first; });
  if (chosen == std::end(kProfiles)) {
    return absl::InvalidArgumentError("--profile is run, jvm, v8 or compile, not " + a.profile);
  }
  spec.profile = chosen->second;
  double cpu_seconds = 0, wall_seconds = 0;
  uint32_t process_count = 0, file_count = 0;
  if (!absl::SimpleAtod(a.cpu_time, &cpu_seconds) ||
      !absl::SimpleAtod(a.wall_time, &wall_seconds)) {
    return absl::InvalidArgumentError("--cpu-time and --wall-time take seconds, e.g. 1.5");
  }
  if (!absl::SimpleAtoi(a.processes, &process_count) ||
      !absl::SimpleAtoi(a.open_files, &file_count)) {
    return absl::InvalidArgumentError("--processes and --open-files take a whole number");
  }
  spec.argv = a.command;
  spec.env = a.env;
  spec.workdir = a.workdir;
  spec.mount_proc = !a.no_proc;
  if (!a.no_system) sandbox::Sandbox::AddSystemMounts(spec);
  for (const std::string& b : a.bind_ro) spec.mounts.push_back(ParseBind(b, false));
  for (const std::string& b : a.bind_rw) spec.mounts.push_back(ParseBind(b, true));
  for (const std::string& e : a.env) {
    if (e.find('=') == std::string::npos) {
      return absl::InvalidArgumentError("--env takes K=V, got " + e);
    }
  }
  sandbox::Limits& l = spec.limits;
  if (cpu_seconds < 0 || wall_seconds < 0) {
    return absl::InvalidArgumentError("time limits cannot be negative");
  }
  l.cpu_time_ms = static_cast<uint64_t>(cpu_seconds * 1000);
  l.wall_time_ms = wall_seconds > 0  ? static_cast<uint64_t>(wall_seconds * 1000)
                   : cpu_seconds > 0 ? sandbox::DefaultWallTimeMs(l.cpu_time_ms)
                                     : 0;
  for (auto [text, dst, name] : {std::tuple{&a.memory, &l.memory_bytes, "--memory"},
                                 std::tuple{&a.output, &l.stdout_bytes, "--output"},
                                 std::tuple{&a.file_size, &l.file_size_bytes, "--file-size"},
                                 std::tuple{&a.tmp_size, &l.tmp_bytes, "--tmp-size"}}) {
    if (!ParseSize(*text, dst)) {
      return absl::InvalidArgumentError(absl::StrCat(name, " takes a size like 256m, got ", *text));
    }
  }
  l.processes = process_count;
  l.open_files = file_count;
  l.tmp_inodes = 4096;
  if (!a.stdin_path.empty()) spec.stdin_stream = {sandbox::Stream::Kind::kFile, a.stdin_path, -1};
  // The program's streams pass through us (so the output cap holds) to ours or to files.
  spec.stdout_stream = {sandbox::Stream::Kind::kFile, a.stdout_path,
                        a.stdout_path.empty() ? STDOUT_FILENO : -1};
  spec.stderr_stream = {sandbox::Stream::Kind::kFile, a.stderr_path,
                        a.stderr_path.empty() ? STDERR_FILENO : -1};
  return spec;
}

// Runs `spec` in a one-box sandbox and writes the JSON result. Returns the exit status.
int RunAndReport(const sandbox::RunSpec& spec, const std::string& result_path) {
  sandbox::SandboxOptions sandbox_options;
  sandbox_options.slots = 1;
  // Its box is cloned in Create(), with the mounts of `spec`, and builds its root while the rest
  // is set up.
  sandbox_options.prespawn = 1;
  sandbox_options.refill = false;
  auto sb = sandbox::Sandbox::Create(sandbox_options, &spec);
  if (!sb.ok()) {
    std::fprintf(stderr, "sandbox-run: %s\n", std::string(sb.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<sandbox::RunResult> result = (*sb)->Run(spec);
  if (!result.ok()) {
    std::fprintf(stderr, "sandbox-run: %s\n", std::string(result.status().message()).c_str());
    return result.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::string json = sandbox::ResultToJson(*result) + "\n";
  if (result_path.empty()) {
    std::fputs(json.c_str(), stderr);
  } else {
    int fd = open(result_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && write(fd, json.data(), json.size()) == static_cast<ssize_t>(json.size());
    if (fd < 0 || close(fd) != 0 || !ok) {
      std::fprintf(stderr, "sandbox-run: cannot write %s\n", result_path.c_str());
      return 1;
    }
  }
  // Everything outside this process is cleaned up; leave without unmapping what the box
  // shared with us (that costs more than the rest of the exit).
  (*sb)->Close();
  std::fflush(nullptr);
  _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (int status = Parse(argc, argv, args); status >= 0) return status;
  absl::StatusOr<sandbox::RunSpec> spec = BuildSpec(args);
  if (!spec.ok()) return Usage(std::string(spec.status().message()));
  return RunAndReport(*spec, args.result_path);
}
