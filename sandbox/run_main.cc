// sandbox-run: the judge's sandbox as a command, like isolate --run.
//   sandbox-run [options] -- PROGRAM [ARGS...]
// The program's stdout and stderr pass through (capped); the JSON result goes to --result FILE,
// or to stderr after the program's output.
// Exit status: 0 when the sandbox worked (whatever the program did), 2 on bad usage, 1 when the
// sandbox itself failed.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
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
    case 'k': case 'K': mult = 1ull << 10; digits.pop_back(); break;
    case 'm': case 'M': mult = 1ull << 20; digits.pop_back(); break;
    case 'g': case 'G': mult = 1ull << 30; digits.pop_back(); break;
    default: break;
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Runs PROGRAM in the judge's sandbox: fresh user, pid, mount, ipc, uts and net namespaces, "
      "a read-only root holding only /usr and the binds you name, cgroup limits and a seccomp "
      "allow-list. Prints a JSON result (status, exit_code, signal, syscall, cpu_ms, wall_ms, "
      "memory_kib, message).",
      "sandbox-run"};
  double cpu_time = 0, wall_time = 0;
  std::string memory = "256m", output = "64m", file_size = "64m", tmp_size = "16m";
  uint32_t processes = 64, open_files = 64;
  std::string stdin_path, stdout_path, stderr_path, result_path, workdir = "/box", profile = "run";
  std::vector<std::string> bind_ro, bind_rw, env;
  bool no_system = false, no_proc = false;
  std::vector<std::string> command;
  app.add_option("--cpu-time", cpu_time, "CPU time limit in seconds, all processes (0: none)");
  app.add_option("--wall-time", wall_time,
                 "Wall time limit in seconds (0: 3 x cpu time + 1, or none)");
  app.add_option("--memory", memory, "Memory limit, e.g. 256m (0: none)")->capture_default_str();
  app.add_option("--processes", processes, "Processes and threads at once")
      ->capture_default_str();
  app.add_option("--output", output, "Bytes of stdout before OUTPUT_LIMIT")->capture_default_str();
  app.add_option("--file-size", file_size, "Largest file the program may write")
      ->capture_default_str();
  app.add_option("--open-files", open_files, "RLIMIT_NOFILE")->capture_default_str();
  app.add_option("--tmp-size", tmp_size, "Size of /tmp and of the work dir tmpfs")
      ->capture_default_str();
  app.add_option("--stdin", stdin_path, "Host file for stdin (default /dev/null)");
  app.add_option("--stdout", stdout_path, "Host file for stdout (default: this stdout)");
  app.add_option("--stderr", stderr_path, "Host file for stderr (default: this stderr)");
  app.add_option("--bind-ro", bind_ro, "HOST[:BOX] bind mount, read-only (repeatable)");
  app.add_option("--bind-rw", bind_rw, "HOST[:BOX] bind mount, writable (repeatable)");
  app.add_option("--workdir", workdir, "Working directory in the box (a fresh tmpfs)")
      ->capture_default_str();
  app.add_option("--profile", profile, "Seccomp profile: run (threads only) or compile")
      ->check(CLI::IsMember({"run", "compile"}))
      ->capture_default_str();
  app.add_option("--env", env, "K=V passed to the program (repeatable; nothing else is)");
  app.add_option("--result", result_path, "Write the JSON result here (default: stderr)");
  app.add_flag("--no-system-mounts", no_system, "Do not bind /usr, /lib* and /etc/ld.so.cache");
  app.add_flag("--no-proc", no_proc, "No /proc in the box");
  app.footer("Usage: sandbox-run [OPTIONS] -- PROGRAM [ARGS...]\nExit status: 0 when the sandbox "
             "worked (whatever the program did), 1 when the sandbox failed, 2 on bad usage.");
  // Everything after "--" is the command, untouched by option parsing.
  int split = 1;
  while (split < argc && std::string(argv[split]) != "--") ++split;
  for (int i = split + 1; i < argc; ++i) command.emplace_back(argv[i]);
  CLI11_PARSE(app, split, argv);
  if (command.empty()) {
    std::cerr << "sandbox-run: no command given (sandbox-run [OPTIONS] -- PROGRAM [ARGS...])\n";
    return 2;
  }

  sandbox::RunSpec spec;
  spec.argv = command;
  spec.env = env;
  spec.workdir = workdir;
  spec.mount_proc = !no_proc;
  spec.profile = profile == "compile" ? sandbox::Profile::kCompile : sandbox::Profile::kRun;
  if (!no_system) sandbox::Sandbox::AddSystemMounts(spec);
  for (const std::string& b : bind_ro) spec.mounts.push_back(ParseBind(b, false));
  for (const std::string& b : bind_rw) spec.mounts.push_back(ParseBind(b, true));
  for (const std::string& e : env) {
    if (e.find('=') == std::string::npos) {
      std::cerr << "sandbox-run: --env takes K=V, got " << e << "\n";
      return 2;
    }
  }
  sandbox::Limits& l = spec.limits;
  if (cpu_time < 0 || wall_time < 0) {
    std::cerr << "sandbox-run: time limits cannot be negative\n";
    return 2;
  }
  l.cpu_time_ms = static_cast<uint64_t>(cpu_time * 1000);
  l.wall_time_ms = wall_time > 0 ? static_cast<uint64_t>(wall_time * 1000)
                   : cpu_time > 0 ? l.cpu_time_ms * 3 + 1000
                                  : 0;
  for (auto [text, dst, name] : {std::tuple{&memory, &l.memory_bytes, "--memory"},
                                 std::tuple{&output, &l.stdout_bytes, "--output"},
                                 std::tuple{&file_size, &l.file_size_bytes, "--file-size"},
                                 std::tuple{&tmp_size, &l.tmp_bytes, "--tmp-size"}}) {
    if (!ParseSize(*text, dst)) {
      std::cerr << "sandbox-run: " << name << " takes a size like 256m, got " << *text << "\n";
      return 2;
    }
  }
  l.processes = processes;
  l.open_files = open_files;
  l.tmp_inodes = 4096;
  if (!stdin_path.empty()) spec.stdin_stream = {sandbox::Stream::Kind::kFile, stdin_path, -1};
  // The program's streams pass through us (so the output cap holds) to ours or to files.
  spec.stdout_stream = {sandbox::Stream::Kind::kFile, stdout_path,
                        stdout_path.empty() ? STDOUT_FILENO : -1};
  spec.stderr_stream = {sandbox::Stream::Kind::kFile, stderr_path,
                        stderr_path.empty() ? STDERR_FILENO : -1};

  sandbox::SandboxOptions options;
  options.slots = 1;
  auto sb = sandbox::Sandbox::Create(options);
  if (!sb.ok()) {
    std::cerr << "sandbox-run: " << sb.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<sandbox::RunResult> result = (*sb)->Run(spec);
  if (!result.ok()) {
    std::cerr << "sandbox-run: " << result.status().message() << "\n";
    return result.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::string json = sandbox::ResultToJson(*result) + "\n";
  if (result_path.empty()) {
    std::fputs(json.c_str(), stderr);
  } else {
    FILE* f = std::fopen(result_path.c_str(), "we");
    if (f == nullptr || std::fputs(json.c_str(), f) < 0 || std::fclose(f) != 0) {
      std::cerr << "sandbox-run: cannot write " << result_path << "\n";
      return 1;
    }
  }
  return 0;
}
