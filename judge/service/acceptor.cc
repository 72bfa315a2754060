#include "judge/service/acceptor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace judge {
namespace {

using Clock = std::chrono::steady_clock;

// RFC 9113 3.4: every HTTP/2 connection starts with these 24 bytes.
constexpr char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr size_t kPrefaceSize = sizeof kPreface - 1;

std::string PeerAddress(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char text[INET6_ADDRSTRLEN] = "?";
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, text, sizeof text);
  }
  return text;
}

uint64_t Inode(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

}  // namespace

struct Acceptor::Checking {
  ConnectionBudget::Ticket ticket;
  Clock::time_point deadline;
};

std::pair<uint64_t, uint64_t> RaiseDescriptorLimit() {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  const uint64_t before = lim.rlim_cur;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  return {before, lim.rlim_cur};
}

Acceptor::Acceptor(AcceptorOptions options, HandOver hand_over)
    : options_(options), hand_over_(std::move(hand_over)) {}

absl::StatusOr<std::unique_ptr<Acceptor>> Acceptor::Listen(const std::string& address,
                                                           AcceptorOptions options,
                                                           HandOver hand_over) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", address, "\" is not HOST:PORT"));
  }
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port_number = 0;
  if (!absl::SimpleAtoi(port, &port_number) || port_number < 0 || port_number > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("listen address \"", address, "\": bad port"));
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.empty() || host == "*" ? nullptr : host.c_str(), port.c_str(),
                           &hints, &found);
      rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", address, "\": ", gai_strerror(rc)));
  }
  std::unique_ptr<Acceptor> a(new Acceptor(options, std::move(hand_over)));
  std::string error = "no address";
  for (addrinfo* ai = found; ai != nullptr && a->listen_fd_ < 0; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = strerror(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 4096) != 0) {
      error = strerror(errno);
      close(fd);
      continue;
    }
    a->listen_fd_ = fd;
  }
  freeaddrinfo(found);
  if (a->listen_fd_ < 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address, ": ", error));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(a->listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  a->port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                               : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  a->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  a->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  a->spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (a->epoll_fd_ < 0 || a->wake_fd_ < 0 || a->spare_fd_ < 0) {
    return absl::InternalError(absl::StrCat("acceptor set-up: ", strerror(errno)));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = a->listen_fd_;
  epoll_ctl(a->epoll_fd_, EPOLL_CTL_ADD, a->listen_fd_, &ev);
  ev.data.fd = a->wake_fd_;
  epoll_ctl(a->epoll_fd_, EPOLL_CTL_ADD, a->wake_fd_, &ev);
  Acceptor* self = a.get();
  a->thread_ = std::thread([self] { self->Loop(); });
  return a;
}

Acceptor::~Acceptor() {
  Stop();
  for (int fd : {listen_fd_, epoll_fd_, wake_fd_, spare_fd_}) {
    if (fd >= 0) close(fd);
  }
}

void Acceptor::Stop() {
  if (stopping_.exchange(true)) return;
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [fd, c] : checking_) close(fd);
  checking_.clear();
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    listen_fd_ = -1;
  }
}

bool Acceptor::Alive(std::chrono::steady_clock::duration within) const {
  const int64_t now = Clock::now().time_since_epoch().count();
  return !stopping_ && thread_.joinable() &&
         now - last_turn_ns_.load() <
             std::chrono::duration_cast<std::chrono::nanoseconds>(within).count();
}

AcceptorStats Acceptor::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  AcceptorStats s;
  s.open = open_.size();
  s.checking = checking_.size();
  s.admitted = admitted_;
  s.refused = refused_;
  return s;
}

void Acceptor::Refuse(int fd, const char* reason) {
  // A reset, not a FIN: nothing lingers in TIME_WAIT on our side.
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
  ++refused_[reason];
}

void Acceptor::AcceptAll() {
  for (;;) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
        // Out of descriptors: free the spare one, take the connection off the backlog and shed
        // it, then take the spare back. The listener stays alive whatever happens.
        close(spare_fd_);
        spare_fd_ = -1;
        int shed = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (shed >= 0) Refuse(shed, "descriptors");
        spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (shed >= 0) continue;
      }
      if (errno == EMFILE || errno == ENFILE) starved_ = true;
      return;  // EAGAIN, or nothing more to do until a descriptor frees up
    }
    // gRPC may have closed an admitted connection whose number the kernel now reuses.
    open_.erase(fd);
    absl::StatusOr<ConnectionBudget::Ticket> ticket = options_.budget->Admit(PeerAddress(fd));
    if (!ticket.ok()) {
      Refuse(fd, ticket.status().message() == "total" ? "total" : "per_peer");
      continue;
    }
    auto c = std::make_unique<Checking>();
    c->ticket = *std::move(ticket);
    c->deadline = Clock::now() + std::chrono::milliseconds(options_.preface_timeout_ms);
    checking_[fd] = std::move(c);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.fd = fd;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
}

void Acceptor::Sweep() {
  for (auto it = open_.begin(); it != open_.end();) {
    if (Inode(it->first) == it->second.inode) {
      ++it;
      continue;
    }
    it = open_.erase(it);
  }
}

void Acceptor::Loop() {
  Clock::time_point next_sweep = Clock::now();
  std::vector<epoll_event> events(256);
  while (!stopping_) {
    last_turn_ns_ = Clock::now().time_since_epoch().count();
    if (starved_) {
      // No descriptor, not even the spare: the backlog waits (the listener stays readable).
      starved_ = false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::lock_guard<std::mutex> lock(mu_);
      if (spare_fd_ < 0) spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    int timeout_ms = 1000;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const Clock::time_point now = Clock::now();
      for (const auto& [fd, c] : checking_) {
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(c->deadline - now).count();
        timeout_ms = std::max<int>(0, std::min<int64_t>(timeout_ms, left + 1));
      }
    }
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0 && errno != EINTR) break;
    std::vector<int> admitted;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == wake_fd_) continue;
        if (fd == listen_fd_) {
          AcceptAll();
          continue;
        }
        auto it = checking_.find(fd);
        if (it == checking_.end()) continue;
        char head[kPrefaceSize];
        ssize_t got = recv(fd, head, sizeof head, MSG_PEEK);
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        bool done = false;
        if (got <= 0) {
          close(fd);  // the peer went away (or the socket failed)
          done = true;
        } else if (memcmp(head, kPreface, got) != 0) {
          Refuse(fd, "not_http2");
          done = true;
        } else if (static_cast<size_t>(got) == kPrefaceSize) {
          epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
          open_[fd] = Open{Inode(fd), std::move(it->second->ticket)};
          ++admitted_;
          admitted.push_back(fd);
          checking_.erase(it);
          continue;
        } else if (events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
          close(fd);  // half the preface, then gone
          done = true;
        }
        if (done) checking_.erase(it);
      }
      const Clock::time_point now = Clock::now();
      for (auto it = checking_.begin(); it != checking_.end();) {
        if (it->second->deadline > now) {
          ++it;
          continue;
        }
        Refuse(it->first, "no_preface");  // close() also takes it out of the epoll set
        it = checking_.erase(it);
      }
      if (now >= next_sweep) {
        Sweep();
        next_sweep = now + std::chrono::seconds(1);
      }
    }
    for (int fd : admitted) hand_over_(fd);
  }
}

}  // namespace judge
