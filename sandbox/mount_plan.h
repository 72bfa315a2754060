// A box's new root as data: PlanMounts turns a RunSpec's mounts into the steps the box's init
// applies (child.cc), and a key that tells whether two runs would get the same root, so a box
// built ahead for one can serve the other (box_pool.h).
#pragma once

#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/child.h"
#include "sandbox/spec.h"

namespace sandbox::internal {

// Whether a bind mount may be written to, and whether it belongs to one run only.
enum class Access { kReadOnly, kWritable };
enum class Scope { kShared, kPerRun };

class MountTemplate {
 public:
  explicit MountTemplate(std::string root) : root_(std::move(root)) {}
  // The steps, plus device and inode of every bind source (a path replaced on the host since
  // does not match).
  const std::string& key() const { return key_; }
  // False when the mounts hold something of one run only (its work dir, a writable bind): no
  // box is built ahead for them.
  bool poolable() const { return poolable_; }
  const std::string& root() const { return root_; }
  const std::vector<MountOp>& ops() const { return ops_; }

  void MkdirAll(const std::string& box_path);
  void Mkfile(const std::string& box_path);
  void MountFs(const char* source, const std::string& box_path, const char* fstype,
               unsigned long flags, std::string data);
  // Binds `host`; the box checks it bound the object seen here (device and inode, also part of
  // the key). A kPerRun bind (a caller's writable dir or file) makes the mounts unfit for a box
  // built ahead.
  absl::Status Bind(const std::string& host, const std::string& box_path, Access access,
                    unsigned long extra_flags, Scope scope);
  void Link(const std::string& target, const std::string& box_path);

 private:
  const char* Keep(std::string s);
  void Push(MountOp op);
  void MkdirParent(const std::string& box_path);

  std::string root_;
  std::string key_;
  bool poolable_ = true;
  std::deque<std::string> strings_;  // what the ops point into (a deque never moves them)
  std::vector<MountOp> ops_;
  std::set<std::string> made_;
};

// The root for `spec`, built under `root_dir`: a tmpfs, the spec's binds (read-only unless
// writable; nosuid, nodev), its symlinks, /dev's null, zero and urandom, /proc, a noexec /tmp
// and the work dir. Box paths must be absolute and plain (no "." or ".." components).
[[nodiscard]] absl::StatusOr<std::shared_ptr<MountTemplate>> PlanMounts(
    const RunSpec& spec, const std::string& root_dir);

// Whether two specs ask for the same mounts (what PlanMounts reads of them).
bool SameMounts(const RunSpec& a, const RunSpec& b);

}  // namespace sandbox::internal
