#include "sandbox/cgroup.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "sandbox/stale.h"
#include "sandbox/unique_fd.h"

namespace sandbox {
namespace {

// A small file. One of many records (mountinfo) is read to the end. A cgroup value or a
// one-record /proc file is produced in full on the first read, so a read that does not fill the
// buffer got everything (no second read to see EOF).
std::string ReadSmallFile(const std::string& path, bool many_records = false) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return {};
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd.get(), buf, sizeof buf)) > 0) {
    out.append(buf, n);
    if (!many_records && static_cast<size_t>(n) < sizeof buf) break;
  }
  return out;
}

absl::Status WriteFile(const std::string& path, const std::string& value) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  const ssize_t n = write(fd.get(), value.data(), value.size());
  if (n < 0) return absl::ErrnoToStatus(errno, absl::StrCat("write ", value, " to ", path));
  if (n != static_cast<ssize_t>(value.size())) {
    return absl::InternalError(absl::StrCat("write ", value, " to ", path, ": short write"));
  }
  return absl::OkStatus();
}

// A cgroup file held open: read afresh from the start (the kernel produces it anew).
std::string ReadOpenFile(const UniqueFd& fd) {
  if (!fd.valid()) return {};
  char buf[4096];
  ssize_t n = pread(fd.get(), buf, sizeof buf, 0);
  return n > 0 ? std::string(buf, n) : std::string();
}

uint64_t ParseNumber(const std::string& text) {
  uint64_t v = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &v)) return 0;
  return v;
}

// The value of `key` in "key value" lines (cpu.stat, memory.events, oom_control).
uint64_t ParseKeyed(const std::string& text, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> kv = absl::StrSplit(line, ' ');
    uint64_t v = 0;
    if (kv.size() == 2 && kv[0] == key && absl::SimpleAtoi(kv[1], &v)) return v;
  }
  return 0;
}

uint64_t ReadKeyed(const std::string& path, const std::string& key) {
  return ParseKeyed(ReadSmallFile(path), key);
}

struct MountEntry {
  std::string mount_point;
  std::string root;  // the cgroup path mounted there
  std::string fstype;
  std::string super_options;
};

std::vector<MountEntry> CgroupMounts() {
  std::vector<MountEntry> result;
  const std::string mountinfo = ReadSmallFile("/proc/self/mountinfo", /*many_records=*/true);
  for (absl::string_view line : absl::StrSplit(mountinfo, '\n')) {
    // id parent maj:min root mount_point options [optional...] - fstype source super_options
    std::vector<std::string> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    size_t dash = 0;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (f.size() < 5 || dash + 2 >= f.size()) continue;
    MountEntry e{f[4], f[3], f[dash + 1], dash + 3 < f.size() ? f[dash + 3] : ""};
    if (e.fstype == "cgroup" || e.fstype == "cgroup2") result.push_back(e);
  }
  return result;
}

// The directory of our own cgroup under a mount, given the path from /proc/self/cgroup.
std::string OwnDir(const MountEntry& m, const std::string& path) {
  std::string rel = path;
  if (m.root != "/" && absl::StartsWith(rel, m.root)) rel = rel.substr(m.root.size());
  if (rel == "/") rel.clear();
  return m.mount_point + rel;
}

// Removes `sandbox-<pid>-<n>` cgroups (and their box cgroups) of processes that no longer
// exist: a judge killed with -9 leaves them behind, empty (its boxes died with it).
void RemoveStale(const std::string& dir) {
  ForEachLeftByDeadProcess(dir, "sandbox-", 0, [](const std::string& stale) {
    ForEachEntry(stale, [&](const std::string& box) {
      if (absl::StartsWith(box, "box-")) rmdir((stale + "/" + box).c_str());
    });
    rmdir(stale.c_str());
  });
}

absl::Status MakeDir(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::ErrnoToStatus(errno, absl::StrCat("mkdir ", dir));
  }
  return absl::OkStatus();
}

// v2: a process may not sit in a cgroup that hands controllers to children ("no internal
// processes"), so the judge moves itself into a leaf beside the boxes' parent first.
absl::StatusOr<std::string> SetUpV2(const std::string& own, const std::string& name) {
  std::string controllers = ReadSmallFile(own + "/cgroup.controllers");
  if (controllers.find("memory") == std::string::npos ||
      controllers.find("pids") == std::string::npos) {
    return absl::UnavailableError("cgroup v2 offers no memory and pids controllers here");
  }
  std::string procs = ReadSmallFile(own + "/cgroup.procs", /*many_records=*/true);
  if (!absl::StripAsciiWhitespace(procs).empty()) {
    std::string leaf = own + "/judge-main";
    absl::Status s = MakeDir(leaf);
    if (!s.ok()) return s;
    for (absl::string_view pid : absl::StrSplit(procs, '\n', absl::SkipEmpty())) {
      // Best effort: some may have exited or be kernel threads.
      (void)WriteFile(leaf + "/cgroup.procs", std::string(pid));
    }
  }
  absl::Status s = WriteFile(own + "/cgroup.subtree_control", "+memory +pids +cpu");
  if (!s.ok()) s = WriteFile(own + "/cgroup.subtree_control", "+memory +pids");
  if (!s.ok()) return s;
  RemoveStale(own);
  std::string parent = own + "/" + name;
  s = MakeDir(parent);
  if (!s.ok()) return s;
  s = WriteFile(parent + "/cgroup.subtree_control", "+memory +pids");
  if (!s.ok()) return s;
  (void)WriteFile(parent + "/cgroup.subtree_control", "+cpu");
  return parent;
}

}  // namespace

std::string CgroupLayout::Describe() const {
  switch (mode) {
    case CgroupMode::kV2:
      return absl::StrCat("cgroup v2 at ", v2_parent);
    case CgroupMode::kV1:
      return absl::StrCat("cgroup v1 (memory: ", memory_parent.empty() ? "-" : memory_parent,
                          ", pids: ", pids_parent.empty() ? "-" : pids_parent,
                          ", cpuacct: ", cpuacct_parent.empty() ? "-" : cpuacct_parent, ")");
    default:
      return "no cgroups (rlimits only)";
  }
}

namespace {

// /proc/self/mountinfo's cgroup mounts, read only when first needed (the usual places need no
// look at it, and it is long in a container).
using MountList = std::function<const std::vector<MountEntry>&()>;

// Our own cgroups, from /proc/self/cgroup ("hierarchy-id:controllers:path"; v2 is "0::path").
struct OwnCgroups {
  std::string v2_path;
  std::vector<std::pair<std::string, std::string>> v1;  // controllers, path
  // A controller serves one hierarchy at a time: with memory and pids both on v1 hierarchies,
  // v2 cannot offer them.
  bool OnV1(absl::string_view controller) const {
    return std::any_of(v1.begin(), v1.end(), [&](const auto& h) {
      for (absl::string_view c : absl::StrSplit(h.first, ',')) {
        if (c == controller) return true;
      }
      return false;
    });
  }
};

OwnCgroups ReadOwnCgroups() {
  OwnCgroups own;
  for (absl::string_view line : absl::StrSplit(ReadSmallFile("/proc/self/cgroup"), '\n')) {
    std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (f.size() != 3) continue;
    if (f[0] == "0" && f[1].empty()) {
      own.v2_path = f[2];
    } else {
      own.v1.emplace_back(f[1], f[2]);
    }
  }
  return own;
}

// v1: our own cgroup in a controller's hierarchy. First where such hierarchies are usually
// mounted, /sys/fs/cgroup/<controller> plus our path, if a file only that controller has is
// there (a hierarchy's root may have none: there, a cgroup v1 file system will do; a wrong guess
// would fail loudly when the limits are written); else wherever mountinfo says (which also
// handles a mount of a subtree). "" when the controller is not mounted.
std::string OwnV1Dir(const OwnCgroups& own, const MountList& mounts, const std::string& controller,
                     const char* marker) {
  for (const auto& [controllers, path] : own.v1) {
    std::vector<std::string> cs = absl::StrSplit(controllers, ',');
    if (std::find(cs.begin(), cs.end(), controller) == cs.end()) continue;
    std::string usual = absl::StrCat("/sys/fs/cgroup/", controller, path == "/" ? "" : path);
    if (access(absl::StrCat(usual, "/", marker).c_str(), F_OK) == 0) return usual;
    struct statfs fs {};
    if (path == "/" && statfs(usual.c_str(), &fs) == 0 && fs.f_type == CGROUP_SUPER_MAGIC) {
      return usual;
    }
    for (const MountEntry& m : mounts()) {
      if (m.fstype != "cgroup") continue;
      std::vector<std::string> opts = absl::StrSplit(m.super_options, ',');
      if (std::find(opts.begin(), opts.end(), controller) != opts.end()) return OwnDir(m, path);
    }
  }
  return std::string();
}

// The v1 layout: our parent cgroup `name` (or, flat, our own) under each controller found.
absl::StatusOr<CgroupLayout> SetUpV1(CgroupMode want, const OwnCgroups& own,
                                     const MountList& mounts, const std::string& name, bool flat) {
  CgroupLayout layout;
  auto find_v1 = [&](const std::string& controller,
                     const char* marker) -> absl::StatusOr<std::string> {
    std::string dir = OwnV1Dir(own, mounts, controller, marker);
    if (dir.empty()) return dir;
    RemoveStale(dir);
    if (flat) {
      layout.flat = true;
      return dir;
    }
    std::string parent = dir + "/" + name;
    if (absl::Status s = MakeDir(parent); !s.ok()) return s;
    return parent;
  };
  absl::StatusOr<std::string> memory = find_v1("memory", "memory.limit_in_bytes");
  absl::StatusOr<std::string> pids = find_v1("pids", "pids.max");
  absl::StatusOr<std::string> cpuacct = find_v1("cpuacct", "cpuacct.usage");
  for (auto* r : {&memory, &pids, &cpuacct}) {
    if (!r->ok()) {
      if (want == CgroupMode::kV1) return r->status();
      return CgroupLayout();  // kAuto: fall back to rlimits only
    }
  }
  layout.memory_parent = *memory;
  layout.pids_parent = *pids;
  layout.cpuacct_parent = *cpuacct;
  if (layout.memory_parent.empty() && layout.pids_parent.empty() && layout.cpuacct_parent.empty()) {
    if (want == CgroupMode::kV1) return absl::UnavailableError("no cgroup v1 controllers mounted");
    return CgroupLayout();
  }
  layout.mode = CgroupMode::kV1;
  return layout;
}

}  // namespace

absl::StatusOr<CgroupLayout> SetUpCgroups(CgroupMode want, const std::string& name, bool flat) {
  if (want == CgroupMode::kNone) return CgroupLayout();
  const OwnCgroups own = ReadOwnCgroups();
  std::optional<std::vector<MountEntry>> mount_list;  // /proc/self/mountinfo, read if needed
  const MountList mounts = [&]() -> const std::vector<MountEntry>& {
    if (!mount_list) mount_list = CgroupMounts();
    return *mount_list;
  };
  // With memory and pids both on v1, kAuto need not look at v2.
  const bool v2_lacks = own.OnV1("memory") && own.OnV1("pids");
  if (want == CgroupMode::kV2 || (want == CgroupMode::kAuto && !v2_lacks)) {
    for (const MountEntry& m : mounts()) {
      if (m.fstype != "cgroup2" || own.v2_path.empty()) continue;
      absl::StatusOr<std::string> parent = SetUpV2(OwnDir(m, own.v2_path), name);
      if (parent.ok()) {
        CgroupLayout layout;
        layout.mode = CgroupMode::kV2;
        layout.v2_parent = *parent;
        return layout;
      }
      if (want == CgroupMode::kV2) return parent.status();
    }
    if (want == CgroupMode::kV2) return absl::UnavailableError("no usable cgroup v2 hierarchy");
  }
  return SetUpV1(want, own, mounts, name, flat);
}

void TearDownCgroups(const CgroupLayout& layout) {
  if (layout.flat) return;  // the parents are our own cgroups
  for (const std::string* d :
       {&layout.v2_parent, &layout.memory_parent, &layout.pids_parent, &layout.cpuacct_parent}) {
    if (!d->empty()) rmdir(d->c_str());
  }
}

BoxCgroup::BoxCgroup(BoxCgroup&& other) noexcept { *this = std::move(other); }

BoxCgroup& BoxCgroup::operator=(BoxCgroup&& other) noexcept {
  if (this != &other) {
    (void)Remove();
    mode_ = other.mode_;
    dirs_ = std::move(other.dirs_);
    memory_dir_ = std::move(other.memory_dir_);
    pids_dir_ = std::move(other.pids_dir_);
    cpu_dir_ = std::move(other.cpu_dir_);
    cpu_usage_fd_ = std::move(other.cpu_usage_fd_);
    peak_memory_fd_ = std::move(other.peak_memory_fd_);
    memory_limit_ = other.memory_limit_;
    process_limit_ = other.process_limit_;
    cpu_base_ns_ = other.cpu_base_ns_;
    memory_base_ = other.memory_base_;
    oom_base_ = other.oom_base_;
    other.dirs_.clear();
  }
  return *this;
}

BoxCgroup::~BoxCgroup() { (void)Remove(); }

absl::StatusOr<BoxCgroup> BoxCgroup::Create(const CgroupLayout& layout, const std::string& name) {
  BoxCgroup cg;
  cg.mode_ = layout.mode;
  if (layout.mode == CgroupMode::kNone) return cg;
  auto make = [&](const std::string& parent) -> absl::StatusOr<std::string> {
    std::string dir = parent + "/" + name;
    if (mkdir(dir.c_str(), 0755) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("mkdir ", dir));
    }
    cg.dirs_.push_back(dir);
    return dir;
  };
  const bool v2 = layout.mode == CgroupMode::kV2;
  if (v2) {
    absl::StatusOr<std::string> dir = make(layout.v2_parent);
    if (!dir.ok()) return dir.status();
    cg.memory_dir_ = cg.pids_dir_ = cg.cpu_dir_ = *dir;
  } else {
    for (auto [parent, dir] : {std::pair{&layout.memory_parent, &cg.memory_dir_},
                               std::pair{&layout.pids_parent, &cg.pids_dir_},
                               std::pair{&layout.cpuacct_parent, &cg.cpu_dir_}}) {
      if (parent->empty()) continue;
      absl::StatusOr<std::string> made = make(*parent);
      if (!made.ok()) return made.status();
      *dir = *made;
    }
  }
  auto open_value = [](const std::string& path, int flags) {
    return UniqueFd(open(path.c_str(), flags | O_CLOEXEC));
  };
  if (!cg.cpu_dir_.empty()) {
    cg.cpu_usage_fd_ = open_value(cg.cpu_dir_ + (v2 ? "/cpu.stat" : "/cpuacct.usage"), O_RDONLY);
  }
  if (!cg.memory_dir_.empty()) {
    // v2 resets memory.peak for the file descriptor that writes to it (Linux 6.12 on): open
    // for writing where allowed, so that Renew can.
    const std::string peak = cg.memory_dir_ + (v2 ? "/memory.peak" : "/memory.max_usage_in_bytes");
    cg.peak_memory_fd_ = open_value(peak, v2 ? O_RDWR : O_RDONLY);
    if (!cg.peak_memory_fd_.valid()) cg.peak_memory_fd_ = open_value(peak, O_RDONLY);
  }
  return cg;
}

absl::Status BoxCgroup::SetLimits(uint64_t memory_bytes, uint32_t processes) {
  const bool v2 = mode_ == CgroupMode::kV2;
  if (!memory_dir_.empty() && memory_bytes != memory_limit_) {
    // 0: back to unlimited (a box made for another run may carry a limit).
    std::string value = memory_bytes > 0 ? std::to_string(memory_bytes) : v2 ? "max" : "-1";
    if (!v2 && memory_limit_ > 0 && (memory_bytes == 0 || memory_bytes > memory_limit_)) {
      // v1 refuses a limit above memsw: raise memsw first.
      (void)WriteFile(memory_dir_ + "/memory.memsw.limit_in_bytes", value);
    }
    absl::Status s =
        WriteFile(memory_dir_ + (v2 ? "/memory.max" : "/memory.limit_in_bytes"), value);
    if (!s.ok()) return s;
    // No swap: a box over its limit is killed, never slowed down by swapping. (v1: memsw
    // exists only with swap accounting; where it does, swap stays at zero.)
    (void)WriteFile(memory_dir_ + (v2 ? "/memory.swap.max" : "/memory.memsw.limit_in_bytes"),
                    v2 ? "0" : value);
    memory_limit_ = memory_bytes;
  }
  if (!pids_dir_.empty() && processes != process_limit_) {
    absl::Status s =
        WriteFile(pids_dir_ + "/pids.max", processes > 0 ? std::to_string(processes) : "max");
    if (!s.ok()) return s;
    process_limit_ = processes;
  }
  return absl::OkStatus();
}

absl::Status BoxCgroup::AddProcess(pid_t pid) const {
  std::string p = std::to_string(pid);
  for (const std::string& dir : dirs_) {
    absl::Status s = WriteFile(dir + "/cgroup.procs", p);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

bool BoxCgroup::Idle() const {
  return std::all_of(dirs_.begin(), dirs_.end(), [](const std::string& dir) {
    return absl::StripAsciiWhitespace(ReadSmallFile(dir + "/cgroup.procs")).empty();
  });
}

absl::Status BoxCgroup::Renew() {
  if (mode_ == CgroupMode::kNone || dirs_.empty()) return absl::OkStatus();
  const bool v2 = mode_ == CgroupMode::kV2;
  if (!memory_dir_.empty()) {
    // Cache earlier runs left stays charged here (reclaiming it would evict the toolchains'
    // files from the page cache: the next start reads them from disk); the kernel reclaims it
    // before the limit can kill anything. Back to the current usage. v1: a write to the file; v2: a
    // write through the descriptor the peak is read from (the reset is that descriptor's). Not
    // pwrite: cgroup files refuse positioned writes (ESPIPE).
    if (v2) {
      if (!peak_memory_fd_.valid() || write(peak_memory_fd_.get(), "0", 1) != 1) {
        return absl::ErrnoToStatus(errno,
                                   absl::StrCat("resetting the peak memory of ", memory_dir_));
      }
    } else if (absl::Status s = WriteFile(memory_dir_ + "/memory.max_usage_in_bytes", "0");
               !s.ok()) {
      return s;
    }
    memory_base_ = MemoryUsage();
    oom_base_ = OomKills();
  }
  cpu_base_ns_ = RawCpuNs();
  return absl::OkStatus();
}

uint64_t BoxCgroup::RawCpuNs() const {
  if (mode_ == CgroupMode::kV2) return ParseKeyed(ReadOpenFile(cpu_usage_fd_), "usage_usec") * 1000;
  return ParseNumber(ReadOpenFile(cpu_usage_fd_));
}

uint64_t BoxCgroup::MemoryUsage() const {
  if (memory_dir_.empty()) return 0;
  return ParseNumber(ReadSmallFile(
      memory_dir_ + (mode_ == CgroupMode::kV2 ? "/memory.current" : "/memory.usage_in_bytes")));
}

uint64_t BoxCgroup::OomKills() const {
  if (memory_dir_.empty()) return 0;
  if (mode_ == CgroupMode::kV2) return ReadKeyed(memory_dir_ + "/memory.events", "oom_kill");
  return ReadKeyed(memory_dir_ + "/memory.oom_control", "oom_kill");
}

uint64_t BoxCgroup::CpuUsageNs() const {
  const uint64_t raw = RawCpuNs();
  return raw > cpu_base_ns_ ? raw - cpu_base_ns_ : 0;
}

uint64_t BoxCgroup::PeakMemoryBytes() const {
  const uint64_t peak = ParseNumber(ReadOpenFile(peak_memory_fd_));
  return peak > memory_base_ ? peak - memory_base_ : 0;
}

bool BoxCgroup::OomKilled() const { return OomKills() > oom_base_; }

absl::Status BoxCgroup::Remove() {
  absl::Status result;
  cpu_usage_fd_.Reset();
  peak_memory_fd_.Reset();
  // Children first is not needed (flat), but v1 memory may need a moment after the last exit.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    int tries = 0;
    int r;
    while ((r = rmdir(it->c_str())) != 0 && errno == EBUSY && tries++ < 200) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    if (r != 0 && errno != ENOENT) {
      result = absl::ErrnoToStatus(errno, absl::StrCat("rmdir ", *it));
    }
  }
  dirs_.clear();
  return result;
}

}  // namespace sandbox
