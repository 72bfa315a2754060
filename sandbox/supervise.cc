#include "sandbox/supervise.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "sandbox/box_channel.h"
#include "sandbox/seccomp_profile.h"

namespace sandbox::internal {
namespace {

using Clock = std::chrono::steady_clock;

class Supervisor {
 public:
  Supervisor(Box& box, Stdio& io, const RunSpec& spec, const CgroupLayout& cgroups,
             Clock::time_point start)
      : box_(box), io_(io), spec_(spec), limits_(spec.limits), cgroups_(cgroups) {
    wall_deadline_ = limits_.wall_time_ms > 0
                         ? start + std::chrono::milliseconds(limits_.wall_time_ms)
                         : Clock::time_point::max();
    polls_cpu_ = limits_.cpu_time_ms > 0 && cgroups_.has_cpu();
    tick_ms_ =
        polls_cpu_ ? static_cast<int>(std::clamp<uint64_t>(limits_.cpu_time_ms / 50, 2, 20)) : 100;
  }

  absl::StatusOr<Supervised> Run() {
    if (absl::Status s = WatchUntilGone(); !s.ok()) return s;
    // The init is gone, and every process of the box with it.
    ReadReports();
    box_.Reap();
    DrainLeftovers();
    io_.out.write.Reset();
    io_.err.write.Reset();
    out_.end = Clock::now();
    return std::move(out_);
  }

 private:
  void KillFor(KillReason why) {
    if (out_.facts.reason == KillReason::kNone) out_.facts.reason = why;
    box_.Kill();
  }

  // Reads what a pipe holds into `sink` (capture) or the stream's file, up to `cap` bytes;
  // past the cap stdout ends the run, stderr is dropped silently.
  void Pump(Stdio::Output& o, bool capture, std::string& sink, uint64_t& total, uint64_t cap,
            bool hard_cap) {
    // On the heap, and untouched until output comes: 64 KiB on the stack would be probed page
    // by page on entry (stack clash protection), 16 page faults for every run.
    constexpr size_t kPumpSize = 65536;
    if (buf_ == nullptr) buf_.reset(new char[kPumpSize]);
    for (;;) {
      ssize_t n = read(o.read.get(), buf_.get(), kPumpSize);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return;  // EAGAIN
      if (n == 0) {
        o.read.Reset();
        return;
      }
      uint64_t keep = total >= cap ? 0 : std::min<uint64_t>(n, cap - total);
      total += n;
      if (capture) {
        sink.append(buf_.get(), keep);
      } else if (o.file.valid() && keep > 0) {
        (void)!write(o.file.get(), buf_.get(), keep);
      }
      if (total > cap && hard_cap && cap > 0) KillFor(KillReason::kOutput);
    }
  }
  void PumpOut() {
    Pump(io_.out, spec_.stdout_stream.kind == Stream::Kind::kCapture, out_.stdout_data, out_bytes_,
         limits_.stdout_bytes, true);
  }
  void PumpErr() {
    Pump(io_.err, spec_.stderr_stream.kind == Stream::Kind::kCapture, out_.stderr_data, err_bytes_,
         limits_.stderr_bytes, false);
  }

  // How long the next poll may wait: until the wall deadline, and a tick while CPU is polled.
  int PollTimeoutMs() const {
    if (out_.facts.reason != KillReason::kNone) return -1;  // killed: only its end is left
    int timeout = -1;
    if (wall_deadline_ != Clock::time_point::max()) {
      const int64_t left =
          std::chrono::duration_cast<std::chrono::milliseconds>(wall_deadline_ - Clock::now())
              .count();
      timeout = static_cast<int>(std::max<int64_t>(0, left + 1));
    }
    if (polls_cpu_) timeout = timeout < 0 ? tick_ms_ : std::min(timeout, tick_ms_);
    if (spec_.stop != nullptr)
      timeout = timeout < 0 ? kStopCheckMs : std::min(timeout, kStopCheckMs);
    return timeout;
  }

  // Pumps output and enforces the time limits until the box's init exits. The box's reports
  // are read only then: it leaves right after each of them, and a wake-up per report costs
  // more than it saves.
  absl::Status WatchUntilGone() {
    for (;;) {
      pollfd fds[3];
      int nfds = 0;
      auto add = [&](int fd) {
        fds[nfds] = pollfd{fd, POLLIN, 0};
        return nfds++;
      };
      const int i_pid = add(box_.pidfd.get());
      const int i_out = io_.out.read.valid() ? add(io_.out.read.get()) : -1;
      const int i_err = io_.err.read.valid() ? add(io_.err.read.get()) : -1;
      if (poll(fds, nfds, PollTimeoutMs()) < 0 && errno != EINTR) {
        const int err = errno;
        box_.Kill();
        box_.Reap();
        return absl::ErrnoToStatus(err, "poll");
      }
      if (i_out >= 0 && fds[i_out].revents) PumpOut();
      if (i_err >= 0 && fds[i_err].revents) PumpErr();
      if (fds[i_pid].revents) return absl::OkStatus();
      if (spec_.stop != nullptr && spec_.stop->load()) KillFor(KillReason::kStopped);
      if (Clock::now() >= wall_deadline_) KillFor(KillReason::kWall);
      if (polls_cpu_ && box_.cgroup.CpuUsageNs() > limits_.cpu_time_ms * 1'000'000ull) {
        KillFor(KillReason::kCpu);
      }
    }
  }

  // Every queued report from the box: a blocked call (its init killed the box), the exit
  // report, or a setup error.
  void ReadReports() {
    ChildMsg msg{};
    while (ReadReport(box_.ctl.get(), &msg)) {
      if (msg.kind == ChildMsg::kBlocked) {
        if (out_.facts.syscall.empty()) out_.facts.syscall = SyscallName(msg.value);
        KillFor(KillReason::kSecurity);
      } else if (msg.kind == ChildMsg::kExit) {
        out_.facts.got_exit = true;
        out_.facts.wait_status = msg.value;
        out_.exit_cpu_us = msg.cpu_us;
        out_.exit_maxrss_kib = static_cast<uint64_t>(msg.maxrss_kib);
        out_.exit_peak_kib = msg.peak_kib;
      } else if (msg.kind == ChildMsg::kError) {
        msg.where[sizeof msg.where - 1] = '\0';
        out_.facts.setup_error = absl::StrCat(msg.where, ": ", strerror(msg.err));
      }
    }
  }

  // No writer is left but us: take what the pipes still hold (a look first, which usually
  // finds them empty). A pipe we do not pump has fd -1, which poll skips.
  void DrainLeftovers() {
    pollfd left[2] = {{io_.out.read.get(), POLLIN, 0}, {io_.err.read.get(), POLLIN, 0}};
    if (poll(left, 2, 0) > 0) {
      if (left[0].revents & POLLIN) PumpOut();
      if (left[1].revents & POLLIN) PumpErr();
    }
  }

  Box& box_;
  Stdio& io_;
  const RunSpec& spec_;
  const Limits& limits_;
  const CgroupLayout& cgroups_;
  Clock::time_point wall_deadline_;
  bool polls_cpu_ = false;
  int tick_ms_ = 100;
  uint64_t out_bytes_ = 0, err_bytes_ = 0;
  std::unique_ptr<char[]> buf_;
  Supervised out_;
};

}  // namespace

absl::StatusOr<Supervised> Supervise(Box& box, Stdio& io, const RunSpec& spec,
                                     const CgroupLayout& cgroups, Clock::time_point start) {
  return Supervisor(box, io, spec, cgroups, start).Run();
}

}  // namespace sandbox::internal
