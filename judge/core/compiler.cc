#include "judge/core/compiler.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "judge/core/sha256.h"

namespace judge {
namespace {

absl::Status WriteWholeFile(const std::string& path, const std::string& data, int mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return absl::InternalError(absl::StrCat("create ", path, ": ", strerror(errno)));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return absl::InternalError(absl::StrCat("write ", path, ": ", strerror(errno)));
    }
    done += n;
  }
  fchmod(fd, mode);
  close(fd);
  return absl::OkStatus();
}

void RemoveTree(const std::string& dir) {
  std::error_code ignored;  // what cannot be removed now is removed with the cache at start
  std::filesystem::remove_all(dir, ignored);
}

// The files a directory artifact may hold (a JVM program's classes).
constexpr size_t kMaxArtifactFiles = 256;

}  // namespace

ArtifactDir::~ArtifactDir() {
  if (!path.empty()) RemoveTree(path);
}

Compiler::Compiler(sandbox::Sandbox* sandbox, std::string cache_dir, size_t capacity,
                   CompileLimits limits)
    : sandbox_(sandbox), cache_dir_(std::move(cache_dir)), capacity_(capacity), limits_(limits) {}

absl::Status Compiler::Init() {
  if (mkdir(cache_dir_.c_str(), 0711) != 0 && errno != EEXIST) {
    return absl::InternalError(absl::StrCat("mkdir ", cache_dir_, ": ", strerror(errno)));
  }
  // Entries from an earlier process are not trusted to be complete: start empty.
  if (DIR* d = opendir(cache_dir_.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') RemoveTree(cache_dir_ + "/" + e->d_name);
    }
    closedir(d);
  }
  return absl::OkStatus();
}

size_t Compiler::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

uint64_t Compiler::compilations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return compilations_;
}

void Compiler::EvictLocked() {
  while (entries_.size() > capacity_ && !lru_.empty()) {
    std::string key = lru_.back();
    lru_.pop_back();
    entries_.erase(key);
    // The directory goes with the last CompileResult that refers to it.
  }
}

std::string Compiler::KeyOf(const Language& language, const std::string& source) {
  std::string key =
      absl::StrCat(language.id, "\n", absl::StrJoin(language.compile_argv, "\x1f"), "\n",
                   absl::StrJoin(language.compile_env, "\x1f"), "\n", language.artifact, "\n",
                   language.source_name, "\n", language.fixed_entry, "\n", source);
  // A class form's harness files: the same source with another harness is another program.
  for (const auto& [name, content] : language.extra_files) {
    absl::StrAppend(&key, "\x1e", name, "\x1f", Sha256Hex(content));
  }
  return Sha256Hex(key);
}

void Compiler::Forget(const Language& language, const std::string& source) {
  const std::string key = KeyOf(language, source);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  lru_.erase(it->second.lru);
  entries_.erase(it);  // the directory goes with the last CompileResult that refers to it
}

absl::StatusOr<std::shared_ptr<const CompileResult>> Compiler::Compile(const Language& language,
                                                                       const std::string& source) {
  const std::string key = KeyOf(language, source);
  {
    std::unique_lock<std::mutex> lock(mu_);
    // Single flight: wait while the same key is being compiled.
    done_.wait(lock, [&] { return in_flight_.count(key) == 0; });
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      auto copy = std::make_shared<CompileResult>(*it->second.result);
      copy->from_cache = true;
      return std::shared_ptr<const CompileResult>(copy);
    }
    in_flight_[key] = true;
  }
  absl::StatusOr<std::shared_ptr<const CompileResult>> result =
      CompileUncached(language, source, key);
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_.erase(key);
  done_.notify_all();
  if (!result.ok()) return result;
  ++compilations_;
  lru_.push_front(key);
  entries_[key] = Entry{*result, lru_.begin()};
  EvictLocked();
  return result;
}

absl::Status Compiler::KeepArtifact(const sandbox::BoxDir& dir, const std::string& name,
                                    bool is_dir, const std::string& dest) const {
  if (!is_dir) {
    absl::StatusOr<std::string> artifact = dir.ReadFile(name, limits_.artifact_bytes);
    if (!artifact.ok()) return absl::NotFoundError(artifact.status().message());
    return WriteWholeFile(dest, *artifact, 0755);
  }
  absl::StatusOr<std::vector<std::string>> files = dir.ListFiles(name, kMaxArtifactFiles);
  if (!files.ok()) return absl::NotFoundError(files.status().message());
  if (files->empty()) return absl::NotFoundError(absl::StrCat(name, "/ is empty"));
  if (mkdir(dest.c_str(), 0755) != 0) {
    return absl::InternalError(absl::StrCat("mkdir ", dest, ": ", strerror(errno)));
  }
  uint64_t total = 0;
  for (const std::string& file : *files) {
    absl::StatusOr<std::string> data =
        dir.ReadFile(name + "/" + file, limits_.artifact_bytes - total);
    if (!data.ok()) return absl::NotFoundError(data.status().message());
    total += data->size();
    if (absl::Status s = WriteWholeFile(dest + "/" + file, *data, 0644); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const CompileResult>> Compiler::CompileUncached(
    const Language& language, const std::string& source, const std::string& key) {
  auto result = std::make_shared<CompileResult>();
  const std::string entry_dir = cache_dir_ + "/" + key;
  RemoveTree(entry_dir);
  if (mkdir(entry_dir.c_str(), 0711) != 0) {
    return absl::InternalError(absl::StrCat("mkdir ", entry_dir, ": ", strerror(errno)));
  }
  result->dir = std::make_shared<ArtifactDir>();
  result->dir->path = entry_dir;
  const bool artifact_is_dir = absl::EndsWith(language.artifact, "/");
  const std::string artifact_name = artifact_is_dir
                                        ? language.artifact.substr(0, language.artifact.size() - 1)
                                        : language.artifact;
  result->artifact_path = entry_dir + "/" + artifact_name;

  if (language.compile_argv.empty()) {
    absl::Status s = WriteWholeFile(result->artifact_path, source, 0644);
    if (!s.ok()) return s;
    result->ok = true;
    return std::shared_ptr<const CompileResult>(result);
  }

  absl::StatusOr<sandbox::BoxDir> dir = sandbox_->MakeBoxDir(256ull << 20, 4096);
  if (!dir.ok()) return dir.status();
  std::string source_name = language.source_name;
  if (language.source_name_for != nullptr) {
    if (std::string own = language.source_name_for(source); !own.empty()) source_name = own;
  }
  if (absl::Status s = dir->WriteFile(source_name, source); !s.ok()) return s;
  for (const auto& [name, content] : language.extra_files) {
    if (absl::Status s = dir->WriteFile(name, content); !s.ok()) return s;
  }
  sandbox::RunSpec spec;
  sandbox::Sandbox::AddSystemMounts(spec);
  for (const std::string& path : language.host_paths) spec.mounts.push_back({path, path, false});
  spec.argv = language.compile_argv;
  for (std::string& arg : spec.argv) arg = absl::StrReplaceAll(arg, {{"{source}", source_name}});
  spec.env = language.compile_env;
  spec.host_workdir = dir->path();
  spec.profile = sandbox::Profile::kCompile;
  spec.limits.cpu_time_ms = limits_.cpu_time_ms;
  spec.limits.wall_time_ms = limits_.wall_time_ms;
  spec.limits.memory_bytes = limits_.memory_bytes;
  // javac is a JVM and go build a Go program: they reserve address space they never touch.
  spec.limits.address_space_extra_bytes = static_cast<uint64_t>(language.address_space_extra_mib)
                                          << 20;
  spec.limits.processes = language.compile_processes;
  spec.limits.open_files = 256;
  spec.limits.stdout_bytes = limits_.message_bytes;
  spec.limits.stderr_bytes = limits_.message_bytes;
  spec.limits.file_size_bytes = limits_.artifact_bytes;
  spec.limits.tmp_bytes = 256ull << 20;
  spec.limits.tmp_inodes = 4096;
  absl::StatusOr<sandbox::RunResult> run = sandbox_->Run(spec);
  if (!run.ok()) return run.status();
  result->cpu_ms = run->cpu_ms;
  std::string message = run->stderr_data.empty() ? run->stdout_data : run->stderr_data;
  // Candidates see box paths only; make them shorter still.
  message = absl::StrReplaceAll(message, {{"/box/", ""}});
  if (message.size() > limits_.message_bytes) message.resize(limits_.message_bytes);
  switch (run->status) {
    case sandbox::RunStatus::kOk:
      break;
    case sandbox::RunStatus::kCpuTimeLimit:
    case sandbox::RunStatus::kWallTimeLimit:
      message = absl::StrCat("compilation took too long (", run->message, ")\n", message);
      break;
    case sandbox::RunStatus::kMemoryLimit:
      message = absl::StrCat("compilation ran out of memory (", run->message, ")\n", message);
      break;
    case sandbox::RunStatus::kOutputLimit:
      message = absl::StrCat("the compiler's output or the binary is too large\n", message);
      break;
    case sandbox::RunStatus::kSecurityViolation:
      return absl::InternalError(
          absl::StrCat("the compiler made a blocked syscall: ", run->syscall));
    default:
      break;
  }
  if (run->status != sandbox::RunStatus::kOk) {
    result->message = message;
    result->ok = false;
    return std::shared_ptr<const CompileResult>(result);
  }
  if (absl::Status s = KeepArtifact(*dir, artifact_name, artifact_is_dir, result->artifact_path);
      !s.ok()) {
    if (s.code() == absl::StatusCode::kInternal) return s;
    result->message = absl::StrCat(message, "\nno program was produced: ", s.message());
    result->ok = false;
    return std::shared_ptr<const CompileResult>(result);
  }
  result->message = message;  // warnings
  result->entry = language.fixed_entry;
  if (language.entry_for != nullptr) {
    result->entry = language.entry_for(result->artifact_path, source_name);
    if (result->entry.empty()) {
      absl::StrAppend(&result->message, result->message.empty() ? "" : "\n",
                      language.no_entry_message);
      return std::shared_ptr<const CompileResult>(result);
    }
  }
  result->ok = true;
  return std::shared_ptr<const CompileResult>(result);
}

}  // namespace judge
