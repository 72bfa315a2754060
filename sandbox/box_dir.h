// A box's work directory on the host: a size- and inode-limited tmpfs that the caller fills
// before a run and reads after it. The host never follows a path the box could have planted:
// reads use openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) and accept regular files only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/unique_fd.h"

namespace sandbox {

class BoxDir {
 public:
  BoxDir() noexcept = default;
  BoxDir(BoxDir&& other) noexcept;
  BoxDir& operator=(BoxDir&& other) noexcept;
  BoxDir(const BoxDir&) = delete;
  BoxDir& operator=(const BoxDir&) = delete;
  ~BoxDir();

  // Mounts a fresh tmpfs (mode 0777, nosuid, nodev) in a new directory under `parent`.
  [[nodiscard]] static absl::StatusOr<BoxDir> Create(const std::string& parent, uint64_t size_bytes,
                                                     uint32_t inodes);

  const std::string& path() const { return path_; }

  // Creates `name` (no slashes) with `data`; fails if it exists.
  [[nodiscard]] absl::Status WriteFile(const std::string& name, const std::string& data,
                                       int mode = 0644) const;
  // Reads a regular file at most `max_bytes` long; a symlink, a directory or a bigger file is
  // an error. Safe against anything the box left behind.
  [[nodiscard]] absl::StatusOr<std::string> ReadFile(const std::string& name,
                                                     uint64_t max_bytes) const;

  // Names of the regular files directly in the subdirectory `name` (sorted; symlinks and
  // anything else skipped), at most `max_entries` or an error. Never follows a symlink.
  [[nodiscard]] absl::StatusOr<std::vector<std::string>> ListFiles(const std::string& name,
                                                                   size_t max_entries) const;

  // Unmounts and removes the directory.
  [[nodiscard]] absl::Status Remove();

 private:
  std::string path_;
  UniqueFd dir_fd_;
};

// Opens `name` beneath `dir_fd` for reading without following any symlink; regular files only.
[[nodiscard]] absl::StatusOr<UniqueFd> OpenBeneath(int dir_fd, const std::string& name);

}  // namespace sandbox
