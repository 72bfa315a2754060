#include "judge/core/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace judge {
namespace {

struct ReadCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};

absl::Status Bad(const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("archive: ", why));
}

// The entry's path split into parts, or why it is refused.
absl::StatusOr<std::vector<std::string>> Parts(const std::string& path) {
  if (path.empty()) return Bad("an entry without a name");
  if (path[0] == '/') return Bad(absl::StrCat(path.substr(0, 200), ": an absolute path"));
  std::vector<std::string> parts;
  for (absl::string_view p : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (p == ".") continue;
    if (p == "..") return Bad(absl::StrCat(path.substr(0, 200), ": a path with \"..\""));
    if (p.size() > 255) return Bad(absl::StrCat(path.substr(0, 200), ": a name too long"));
    parts.emplace_back(p);
  }
  if (parts.size() > 32) return Bad(absl::StrCat(path.substr(0, 200), ": folders too deep"));
  return parts;
}

absl::Status MakeDirs(const std::string& into, const std::vector<std::string>& parts,
                      size_t count) {
  std::string path = into;
  for (size_t i = 0; i < count; ++i) {
    path += "/" + parts[i];
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::InternalError(absl::StrCat("mkdir ", path, ": ", strerror(errno)));
    }
    struct stat st;
    if (lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Bad(absl::StrCat(absl::StrJoin(parts.begin(), parts.begin() + i + 1, "/"),
                              ": both a file and a folder"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Unpacked> Unpack(const std::string& bytes, const std::string& into,
                                const UnpackLimits& limits) {
  std::unique_ptr<archive, ReadCloser> a(archive_read_new());
  archive_read_support_format_zip(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_bzip2(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return Bad(
        absl::StrCat("not a .zip or .tar(.gz) archive (", archive_error_string(a.get()), ")"));
  }
  Unpacked out;
  out.root = into;
  std::set<std::string> tops;
  archive_entry* e = nullptr;
  uint32_t entries = 0;
  for (;;) {
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return Bad(absl::StrCat("unreadable (", archive_error_string(a.get()), ")"));
    }
    if (++entries > limits.entries) {
      return Bad(absl::StrCat("more than ", limits.entries, " entries"));
    }
    // The UTF-8 name where the archive has one (zip), else the raw bytes.
    const char* name = archive_entry_pathname_utf8(e);
    if (name == nullptr) name = archive_entry_pathname(e);
    const std::string path = name ? name : "";
    absl::StatusOr<std::vector<std::string>> parts = Parts(path);
    if (!parts.ok()) return parts.status();
    if (parts->empty()) continue;
    // macOS's resource forks in zips carry nothing of the package.
    if ((*parts)[0] == "__MACOSX") continue;
    tops.insert((*parts)[0]);
    const mode_t type = archive_entry_filetype(e);
    if (type == AE_IFDIR) {
      if (absl::Status s = MakeDirs(into, *parts, parts->size()); !s.ok()) return s;
      continue;
    }
    if (type != AE_IFREG || archive_entry_hardlink(e) != nullptr) {
      return Bad(absl::StrCat(path.substr(0, 200),
                              ": not a regular file (a package holds files and folders only, "
                              "no links)"));
    }
    if (archive_entry_size_is_set(e) &&
        static_cast<uint64_t>(archive_entry_size(e)) > limits.file_bytes) {
      return Bad(
          absl::StrCat(path.substr(0, 200), ": larger than ", limits.file_bytes >> 20, " MiB"));
    }
    if (absl::Status s = MakeDirs(into, *parts, parts->size() - 1); !s.ok()) return s;
    const std::string target = absl::StrCat(into, "/", absl::StrJoin(*parts, "/"));
    int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
      if (errno == EEXIST) return Bad(absl::StrCat(path.substr(0, 200), ": twice in the archive"));
      return absl::InternalError(absl::StrCat("create ", target, ": ", strerror(errno)));
    }
    uint64_t written = 0;
    char buf[1 << 16];
    for (;;) {
      la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) {
        close(fd);
        return Bad(absl::StrCat(path.substr(0, 200), ": unreadable (",
                                archive_error_string(a.get()), ")"));
      }
      written += n;
      out.bytes += n;
      if (written > limits.file_bytes) {
        close(fd);
        return Bad(
            absl::StrCat(path.substr(0, 200), ": larger than ", limits.file_bytes >> 20, " MiB"));
      }
      if (out.bytes > limits.total_bytes) {
        close(fd);
        return Bad(absl::StrCat("more than ", limits.total_bytes >> 20, " MiB unpacked"));
      }
      for (la_ssize_t off = 0; off < n;) {
        ssize_t w = write(fd, buf + off, n - off);
        if (w < 0) {
          int err = errno;
          close(fd);
          return absl::InternalError(absl::StrCat("write ", target, ": ", strerror(err)));
        }
        off += w;
      }
    }
    close(fd);
    ++out.files;
  }
  if (out.files == 0) return Bad("holds no file");
  // One folder at the top: that is the package.
  if (tops.size() == 1) {
    struct stat st;
    const std::string only = into + "/" + *tops.begin();
    if (lstat(only.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      out.root = only;
      out.top_folder = *tops.begin();
    }
  }
  return out;
}

namespace {

absl::Status AddTree(archive* a, const std::string& dir, const std::string& rel,
                     const std::string& top, uint64_t* total, uint64_t max_bytes) {
  const std::string path = rel.empty() ? dir : dir + "/" + rel;
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return absl::NotFoundError(absl::StrCat(path, ": ", strerror(errno)));
  std::vector<std::string> names;
  while (dirent* ent = readdir(d)) {
    std::string n = ent->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    const std::string child_rel = rel.empty() ? n : rel + "/" + n;
    const std::string child = dir + "/" + child_rel;
    struct stat st;
    if (lstat(child.c_str(), &st) != 0) {
      return absl::NotFoundError(absl::StrCat(child, ": ", strerror(errno)));
    }
    if (S_ISDIR(st.st_mode)) {
      if (absl::Status s = AddTree(a, dir, child_rel, top, total, max_bytes); !s.ok()) return s;
      continue;
    }
    if (!S_ISREG(st.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat(child, ": not a regular file (a package holds files and folders only)"));
    }
    *total += st.st_size;
    if (*total > max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(dir, ": more than ", max_bytes >> 20, " MiB of files"));
    }
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(),
                                                               archive_entry_free);
    archive_entry_set_pathname(e.get(), (top + "/" + child_rel).c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), st.st_size);
    if (archive_write_header(a, e.get()) != ARCHIVE_OK) {
      return absl::InternalError(absl::StrCat("tar: ", archive_error_string(a)));
    }
    int fd = open(child.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return absl::NotFoundError(absl::StrCat(child, ": ", strerror(errno)));
    char buf[1 << 16];
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      archive_write_data(a, buf, n);
    }
    close(fd);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> PackFolder(const std::string& dir, const std::string& top,
                                       uint64_t max_bytes) {
  std::unique_ptr<archive, WriteCloser> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_add_filter_gzip(a.get());
  // libarchive writes into a caller's buffer of a fixed size: room for the files plus headers.
  std::string buf;
  size_t used = 0;
  uint64_t total = 0;
  {
    // Measure the files first so the buffer fits.
    struct Sizer {
      static void Sum(const std::string& p, uint64_t* t) {
        DIR* d = opendir(p.c_str());
        if (!d) return;
        while (dirent* e = readdir(d)) {
          std::string n = e->d_name;
          if (n == "." || n == "..") continue;
          struct stat st;
          if (lstat((p + "/" + n).c_str(), &st) != 0) continue;
          if (S_ISDIR(st.st_mode)) Sum(p + "/" + n, t);
          if (S_ISREG(st.st_mode)) *t += st.st_size + 1024;
        }
        closedir(d);
      }
    };
    uint64_t estimate = 0;
    Sizer::Sum(dir, &estimate);
    if (estimate > max_bytes + (16ull << 20)) {
      return absl::InvalidArgumentError(
          absl::StrCat(dir, ": more than ", max_bytes >> 20, " MiB of files"));
    }
    buf.resize(estimate + (1 << 20));
  }
  if (archive_write_open_memory(a.get(), buf.data(), buf.size(), &used) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("tar: ", archive_error_string(a.get())));
  }
  if (absl::Status s = AddTree(a.get(), dir, "", top, &total, max_bytes); !s.ok()) return s;
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("tar: ", archive_error_string(a.get())));
  }
  buf.resize(used);
  return buf;
}

}  // namespace judge
