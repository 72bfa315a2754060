#include "sandbox/mount_plan.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sandbox::internal {
namespace {

// Paths inside the box must be absolute and plain: no "..", ".", or empty components.
absl::Status CheckBoxPath(const std::string& path, const char* what) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat(what, " must be an absolute path: ", path));
  }
  for (absl::string_view part : absl::StrSplit(path.substr(1), '/')) {
    if (part.empty() || part == "." || part == "..") {
      if (path == "/") break;
      return absl::InvalidArgumentError(absl::StrCat(what, " is not a plain path: ", path));
    }
  }
  return absl::OkStatus();
}

std::string TmpfsData(const Limits& limits, const char* mode) {
  return absl::StrCat("size=", std::max<uint64_t>(limits.tmp_bytes, 4096),
                      ",nr_inodes=", std::max<uint32_t>(limits.tmp_inodes, 16), ",mode=", mode);
}

}  // namespace

const char* MountTemplate::Keep(std::string s) {
  strings_.push_back(std::move(s));
  return strings_.back().c_str();
}

void MountTemplate::Push(MountOp op) {
  for (const char* s : {op.source, op.target, op.fstype, op.data}) {
    absl::StrAppend(&key_, s ? s : "-", "\x1f");
  }
  absl::StrAppend(&key_, op.kind, ",", op.flags, "\x1e");
  ops_.push_back(op);
}

void MountTemplate::MkdirAll(const std::string& box_path) {
  std::string acc;
  for (absl::string_view part : absl::StrSplit(box_path, '/', absl::SkipEmpty())) {
    absl::StrAppend(&acc, "/", part);
    if (made_.insert(acc).second) {
      Push({MountOp::kMkdir, nullptr, Keep(root_ + acc), nullptr, 0, nullptr});
    }
  }
}

void MountTemplate::MkdirParent(const std::string& box_path) {
  MkdirAll(box_path.substr(0, box_path.rfind('/')));
}

void MountTemplate::Mkfile(const std::string& box_path) {
  MkdirParent(box_path);
  Push({MountOp::kMkfile, nullptr, Keep(root_ + box_path), nullptr, 0, nullptr});
}

void MountTemplate::MountFs(const char* source, const std::string& box_path, const char* fstype,
                            unsigned long flags, std::string data) {
  MkdirAll(box_path);
  Push({MountOp::kMount, source, Keep(root_ + box_path), fstype, flags,
        data.empty() ? nullptr : Keep(std::move(data))});
}

absl::Status MountTemplate::Bind(const std::string& host, const std::string& box_path,
                                 Access access, unsigned long extra_flags, Scope scope) {
  struct stat st {};
  if (stat(host.c_str(), &st) != 0) return absl::ErrnoToStatus(errno, "mount source " + host);
  absl::StrAppend(&key_, st.st_dev, ":", st.st_ino, "\x1e");
  if (scope == Scope::kPerRun) poolable_ = false;
  if (S_ISDIR(st.st_mode)) {
    MkdirAll(box_path);
  } else {
    Mkfile(box_path);
  }
  const char* target = Keep(root_ + box_path);
  MountOp bind{MountOp::kMount, Keep(host), target, nullptr, MS_BIND | MS_REC, nullptr};
  bind.verify = true;
  bind.expect_dev = st.st_dev;
  bind.expect_ino = st.st_ino;
  Push(bind);
  // A bind ignores flags: then make it (and what is mounted under it) read-only, nosuid and
  // nodev.
  unsigned long flags = MS_NOSUID | extra_flags;
  if (access == Access::kReadOnly) flags |= MS_RDONLY;
  Push({MountOp::kRestrict, nullptr, target, nullptr, flags, nullptr});
  return absl::OkStatus();
}

void MountTemplate::Link(const std::string& target, const std::string& box_path) {
  MkdirParent(box_path);
  ops_.push_back({MountOp::kSymlink, Keep(target), Keep(root_ + box_path), nullptr, 0, nullptr});
}

absl::StatusOr<std::shared_ptr<MountTemplate>> PlanMounts(const RunSpec& spec,
                                                          const std::string& root_dir) {
  if (absl::Status s = CheckBoxPath(spec.workdir, "workdir"); !s.ok()) return s;
  for (const Mount& m : spec.mounts) {
    if (absl::Status s = CheckBoxPath(m.box, "mount point"); !s.ok()) return s;
    if (m.box == "/") return absl::InvalidArgumentError("cannot mount over the box root");
  }
  for (const Symlink& l : spec.symlinks) {
    if (absl::Status s = CheckBoxPath(l.box, "symlink"); !s.ok()) return s;
  }
  // The new root, in the order the box applies it.
  auto plan = std::make_shared<MountTemplate>(root_dir);
  plan->MountFs("tmpfs", "", "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,nr_inodes=4096,mode=0755");
  std::vector<Mount> mounts = spec.mounts;
  std::sort(mounts.begin(), mounts.end(),
            [](const Mount& a, const Mount& b) { return a.box < b.box; });
  for (const Mount& m : mounts) {
    const Access access = m.writable ? Access::kWritable : Access::kReadOnly;
    const Scope scope = m.writable ? Scope::kPerRun : Scope::kShared;
    if (absl::Status s = plan->Bind(m.host, m.box, access, MS_NODEV, scope); !s.ok()) return s;
  }
  for (const Symlink& l : spec.symlinks) plan->Link(l.target, l.box);
  // /dev: just null, zero and urandom, bound from the host (a user namespace cannot mknod).
  for (const char* dev : {"null", "zero", "urandom"}) {
    std::string path = absl::StrCat("/dev/", dev);
    if (absl::Status s = plan->Bind(path, path, Access::kWritable, MS_NOEXEC, Scope::kShared);
        !s.ok()) {
      return s;
    }
  }
  plan->Link("/proc/self/fd", "/dev/fd");
  plan->Link("/proc/self/fd/0", "/dev/stdin");
  plan->Link("/proc/self/fd/1", "/dev/stdout");
  plan->Link("/proc/self/fd/2", "/dev/stderr");
  if (spec.mount_proc) {
    plan->MountFs("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "");
  }
  // What the box writes is never executable: /tmp and a fresh work dir are noexec (no planted
  // program or library can be run or mapped executable; the program itself comes read-only).
  plan->MountFs("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                TmpfsData(spec.limits, "1777"));
  if (!spec.host_workdir.empty()) {
    if (absl::Status s = plan->Bind(spec.host_workdir, spec.workdir, Access::kWritable, MS_NODEV,
                                    Scope::kPerRun);
        !s.ok()) {
      return s;
    }
  } else if (spec.workdir != "/tmp") {
    plan->MountFs("tmpfs", spec.workdir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  TmpfsData(spec.limits, "0777"));
  }
  return plan;
}

bool SameMounts(const RunSpec& a, const RunSpec& b) {
  auto same_mount = [](const Mount& x, const Mount& y) {
    return x.host == y.host && x.box == y.box && x.writable == y.writable;
  };
  auto same_link = [](const Symlink& x, const Symlink& y) {
    return x.target == y.target && x.box == y.box;
  };
  return std::equal(a.mounts.begin(), a.mounts.end(), b.mounts.begin(), b.mounts.end(),
                    same_mount) &&
         std::equal(a.symlinks.begin(), a.symlinks.end(), b.symlinks.begin(), b.symlinks.end(),
                    same_link) &&
         a.workdir == b.workdir && a.host_workdir == b.host_workdir &&
         a.mount_proc == b.mount_proc && a.limits.tmp_bytes == b.limits.tmp_bytes &&
         a.limits.tmp_inodes == b.limits.tmp_inodes;
}

}  // namespace sandbox::internal
