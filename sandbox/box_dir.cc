#include "sandbox/box_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sandbox {

namespace {

UniqueFd OpenAt2Beneath(int dir_fd, const std::string& name, uint64_t flags) {
  open_how how{};
  how.flags = flags | O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  return UniqueFd(static_cast<int>(syscall(SYS_openat2, dir_fd, name.c_str(), &how, sizeof how)));
}

}  // namespace

absl::StatusOr<UniqueFd> OpenBeneath(int dir_fd, const std::string& name) {
  UniqueFd fd = OpenAt2Beneath(dir_fd, name, 0);
  if (!fd.valid()) {
    return absl::NotFoundError(absl::StrCat("cannot open ", name, ": ", strerror(errno)));
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(name, " is not a regular file"));
  }
  return fd;
}

BoxDir::BoxDir(BoxDir&& other) noexcept { *this = std::move(other); }

BoxDir& BoxDir::operator=(BoxDir&& other) noexcept {
  if (this != &other) {
    (void)Remove();
    path_ = std::move(other.path_);
    dir_fd_ = std::move(other.dir_fd_);
    other.path_.clear();
  }
  return *this;
}

BoxDir::~BoxDir() { (void)Remove(); }

absl::StatusOr<BoxDir> BoxDir::Create(const std::string& parent, uint64_t size_bytes,
                                      uint32_t inodes) {
  std::string tmpl = parent + "/work-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::ErrnoToStatus(errno, absl::StrCat("mkdtemp in ", parent));
  }
  BoxDir dir;
  dir.path_ = tmpl;
  std::string opts = absl::StrCat("size=", size_bytes, ",nr_inodes=", inodes, ",mode=0777");
  if (mount("tmpfs", tmpl.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
    int err = errno;
    rmdir(tmpl.c_str());
    dir.path_.clear();
    return absl::ErrnoToStatus(err, "mounting the work tmpfs");
  }
  dir.dir_fd_.Reset(open(tmpl.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.dir_fd_.valid()) {
    return absl::ErrnoToStatus(errno, absl::StrCat("open ", tmpl));
  }
  return dir;
}

absl::Status BoxDir::WriteFile(const std::string& name, const std::string& data, int mode) const {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return absl::InvalidArgumentError(absl::StrCat("bad file name in work dir: ", name));
  }
  UniqueFd fd(openat(dir_fd_.get(), name.c_str(),
                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd.valid()) {
    return absl::ErrnoToStatus(errno, absl::StrCat("create ", name));
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return absl::InternalError(absl::StrCat("write ", name, ": nothing written"));
    if (n < 0) return absl::ErrnoToStatus(errno, absl::StrCat("write ", name));
    done += n;
  }
  if (fchmod(fd.get(), mode) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("chmod ", name));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> BoxDir::ReadFile(const std::string& name, uint64_t max_bytes) const {
  absl::StatusOr<UniqueFd> fd = OpenBeneath(dir_fd_.get(), name);
  if (!fd.ok()) return fd.status();
  struct stat st {};
  fstat(fd->get(), &st);
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return absl::OutOfRangeError(
        absl::StrCat(name, " is ", st.st_size, " bytes, more than ", max_bytes));
  }
  std::string out(st.st_size, '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = pread(fd->get(), out.data() + done, out.size() - done, done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += n;
  }
  out.resize(done);
  return out;
}

absl::StatusOr<std::vector<std::string>> BoxDir::ListFiles(const std::string& name,
                                                           size_t max_entries) const {
  UniqueFd fd = OpenAt2Beneath(dir_fd_.get(), name, O_DIRECTORY);
  if (!fd.valid()) {
    return absl::NotFoundError(absl::StrCat("cannot open directory ", name));
  }
  DIR* d = fdopendir(fd.get());
  if (d == nullptr) return absl::ErrnoToStatus(errno, absl::StrCat("fdopendir ", name));
  (void)fd.Release();  // closedir closes it
  std::vector<std::string> names;
  absl::Status status;
  while (dirent* e = readdir(d)) {
    if (e->d_type != DT_REG) continue;  // tmpfs fills d_type
    if (names.size() == max_entries) {
      status =
          absl::OutOfRangeError(absl::StrCat(name, " holds more than ", max_entries, " files"));
      break;
    }
    names.emplace_back(e->d_name);
  }
  closedir(d);
  if (!status.ok()) return status;
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status BoxDir::Remove() {
  if (path_.empty()) return absl::OkStatus();
  dir_fd_.Reset();
  absl::Status result;
  if (umount2(path_.c_str(), MNT_DETACH) != 0) {
    result = absl::ErrnoToStatus(errno, absl::StrCat("umount ", path_));
  } else if (rmdir(path_.c_str()) != 0) {
    result = absl::ErrnoToStatus(errno, absl::StrCat("rmdir ", path_));
  }
  path_.clear();
  return result;
}

}  // namespace sandbox
