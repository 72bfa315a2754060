// Compiles sources in the sandbox (profile `compile`) and caches the results by a hash of
// language, compile command and source. Thread-safe; identical concurrent requests compile once.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "judge/core/language.h"
#include "sandbox/sandbox.h"

namespace judge {

struct CompileLimits {
  uint64_t cpu_time_ms = 10000;
  uint64_t wall_time_ms = 20000;
  uint64_t memory_bytes = 1ull << 30;
  uint64_t artifact_bytes = 64ull << 20;  // the binary
  uint64_t message_bytes = 64ull << 10;   // compiler output kept
};

// A cache entry's directory on disk; removed when the last holder lets go, so evicting an entry
// never pulls an artifact from under a grading that still uses it.
struct ArtifactDir {
  std::string path;
  ArtifactDir() = default;
  ArtifactDir(const ArtifactDir&) = delete;
  ArtifactDir& operator=(const ArtifactDir&) = delete;
  ~ArtifactDir();
};

struct CompileResult {
  bool ok = false;
  std::string message;               // compiler output, truncated, box paths removed
  std::string artifact_path;         // host path of the artifact (binary, source or directory)
  std::string entry;                 // Language::entry_for's answer, if the language has one
  std::shared_ptr<ArtifactDir> dir;  // keeps artifact_path alive
  bool from_cache = false;
  uint64_t cpu_ms = 0;
};

class Compiler {
 public:
  // `cache_dir` is created if missing and owned by this object; `capacity` bounds the entries.
  Compiler(sandbox::Sandbox* sandbox, std::string cache_dir, size_t capacity,
           CompileLimits limits = {});

  [[nodiscard]] absl::Status Init();

  // A non-OK status is a judge failure; a compilation error is `ok == false` in the result.
  [[nodiscard]] absl::StatusOr<std::shared_ptr<const CompileResult>> Compile(
      const Language& language, const std::string& source);

  // Drops the cache entry of `source` in `language`, if any (its files go once no run uses them):
  // erasing a candidate's data erases what the cache kept of it (an interpreted source is its
  // own artifact).
  void Forget(const Language& language, const std::string& source);

  size_t size() const;
  uint64_t compilations() const;  // real compiler runs (cache misses), for tests and metrics

 private:
  struct Entry {
    std::shared_ptr<const CompileResult> result;
    std::list<std::string>::iterator lru;
  };
  absl::StatusOr<std::shared_ptr<const CompileResult>> CompileUncached(const Language& language,
                                                                       const std::string& source,
                                                                       const std::string& key);
  void EvictLocked();
  static std::string KeyOf(const Language& language, const std::string& source);
  // Copies what compiling left in the box's work dir into the cache entry: one file, or every
  // regular file of a directory. NOT_FOUND: nothing usable was produced (the candidate's
  // problem); INTERNAL: the host failed.
  absl::Status KeepArtifact(const sandbox::BoxDir& dir, const std::string& name, bool is_dir,
                            const std::string& dest) const;

  sandbox::Sandbox* sandbox_;
  std::string cache_dir_;
  size_t capacity_;
  CompileLimits limits_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  std::map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // front: most recent
  std::map<std::string, bool> in_flight_;
  uint64_t compilations_ = 0;
};

}  // namespace judge
