// Challenge archives (.zip, .tar, .tar.gz) through libarchive: unpacked into a fresh folder with
// bounds checked while reading, and packed from a folder for judgectl.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace judge {

struct UnpackLimits {
  uint64_t total_bytes = 256ull << 20;  // a package
  uint64_t file_bytes = 64ull << 20;    // one file
  uint32_t entries = 20000;
};

struct Unpacked {
  // The folder holding the package: `into` itself, or the archive's single top-level folder.
  std::string root;
  // That folder's name ("" when the archive has files at its top).
  std::string top_folder;
  uint64_t bytes = 0;
  uint32_t files = 0;
};

// Unpacks `archive` (bytes of a .zip, .tar, .tar.gz, .tar.xz, ...) into the existing, empty
// folder `into`. Only regular files and folders: a link, a device, an absolute path or a ".."
// is refused (InvalidArgument naming the entry), as is any bound exceeded.
[[nodiscard]] absl::StatusOr<Unpacked> Unpack(const std::string& archive, const std::string& into,
                                              const UnpackLimits& limits = {});

// A .tar.gz of the folder `dir` (its files under `top/`), refusing links; at most max_bytes.
[[nodiscard]] absl::StatusOr<std::string> PackFolder(const std::string& dir, const std::string& top,
                                                     uint64_t max_bytes = 256ull << 20);

}  // namespace judge
