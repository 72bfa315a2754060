#include "sandbox/box_channel.h"

#include <sys/socket.h>

#include <cerrno>

#include "sandbox/box_memory.h"

namespace sandbox::internal {

absl::Status SendPlan(int socket, PlanHeader::Kind kind, size_t size, size_t offset, const int* fds,
                      int nfds) {
  PlanHeader header{kind, static_cast<uint32_t>(size), offset};
  iovec iov{&header, sizeof header};
  alignas(cmsghdr) char control[CMSG_SPACE(3 * sizeof(int))] = {};
  if (nfds > 3) return absl::InternalError("a plan carries at most 3 fds");
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (nfds > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
    memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
  }
  ssize_t n;
  while ((n = sendmsg(socket, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(sizeof header)) {
    return absl::ErrnoToStatus(errno, "sending the plan to the box");
  }
  return absl::OkStatus();
}

absl::Status SendMountPlan(int socket, char* arena, const MountTemplate& mounts) {
  ArenaWriter w(arena + kMountPlanOffset, kPlanSpace);
  MountPlan* plan = w.Alloc<MountPlan>();
  MountOp* ops = w.Alloc<MountOp>(mounts.ops().size());
  if (plan == nullptr || ops == nullptr) {
    return absl::InvalidArgumentError("too many mounts for one box");
  }
  plan->root = w.Str(mounts.root().c_str());
  plan->ops = ops;
  plan->op_count = static_cast<int>(mounts.ops().size());
  for (size_t i = 0; i < mounts.ops().size(); ++i) {
    const MountOp& op = mounts.ops()[i];
    ops[i] = MountOp{op.kind,        w.Str(op.source), w.Str(op.target), w.Str(op.fstype), op.flags,
                     w.Str(op.data), op.verify,        op.expect_dev,    op.expect_ino};
  }
  if (w.full()) return absl::InvalidArgumentError("the box's mounts do not fit its plan arena");
  return SendPlan(socket, PlanHeader::kMount, w.used(), kMountPlanOffset, nullptr, 0);
}

bool ReadReport(int socket, ChildMsg* msg) {
  ssize_t n = recv(socket, msg, sizeof *msg, MSG_DONTWAIT);
  return n == static_cast<ssize_t>(sizeof *msg);
}

}  // namespace sandbox::internal
