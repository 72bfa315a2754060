#include "judge/http/http_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <deque>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "judge/api/log.h"
#include "judge/api/prometheus.h"
#include "judge/http/http_routes.h"
#include "judge/http/listen_address.h"
#include "judge/http/static_files.h"

namespace judge {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using judge::v1::SubmissionEvent;

constexpr size_t kHeaderBytes = 64 << 10;  // a request's whole header
constexpr size_t kLineBytes = 16 << 10;    // one header line, and the request line
constexpr uint64_t kImportBodyBytes = (256ull << 20) + (1 << 20);  // POST /v1/challenges
constexpr size_t kMaxFields = 100;
// An answer that refuses a request still being sent (413, 431) is followed by reading and
// dropping what comes, for at most this long and this much, so the client reads the answer
// instead of a reset; then the connection is closed. A body the client announced (413) is
// drained up to kLingerBytes; anything else (a header bomb, garbage) is closed at once: its
// answer went out first, and reading more of a bomb only costs the door.
constexpr auto kLingerFor = std::chrono::seconds(3);
constexpr size_t kLingerBytes = 64 << 20;
constexpr size_t kLingerShort = 0;

// A peer address whose requests broke the header's bounds (too large, too slow) this many times
// within kOffenseWindow has its new connections held unread until kPenaltyFor is over, then
// answered 429 and reset (see Tarpit): a header bomb or slowloris flood then costs the door one
// accept per connection per penalty, not 64 KiB or 5 s of reading each. An address penalized
// again within kStrikeMemory of its last penalty's end is penalized twice as long as the last
// time (at most kPenaltyMax): a flood that comes back as each penalty ends (every bomb read
// again, 64 KiB each, then held again) is read ever more rarely.
constexpr int kOffensesAllowed = 20;
constexpr auto kStrikeMemory = std::chrono::seconds(60);
// How often a held connection is looked at (has its client gone?): 10,000 held cost a few
// percent of a core at this period.
constexpr auto kTarpitCheck = std::chrono::seconds(3);
constexpr auto kPenaltyMax = std::chrono::minutes(5);
// A pad socket whose unsent frames pass this is closed (its client stopped reading).
constexpr size_t kPadBacklog = 8 << 20;
// Frames of one pad socket read but not yet handled; reading waits past this.
constexpr int kPadInFlight = 32;
// A request body must arrive within this, however it trickles (each read within io_timeout_s).
constexpr auto kBodyDeadline = std::chrono::seconds(60);

// Runs `f`; a throw (a bug) is logged instead of ending judged (asio's pool would call
// std::terminate), and false.
template <class F>
bool SafeCall(F&& f) {
  try {
    f();
    return true;
  } catch (const std::exception& e) {
    spdlog::error("http: a worker task failed: {}", e.what());
    return false;
  }
}
// What a request gets when its handler threw.
HttpReply InternalFailure() {
  return ErrorReply(absl::InternalError("the request failed inside the judge"));
}
constexpr auto kOffenseWindow = std::chrono::seconds(10);
constexpr auto kPenaltyFor = std::chrono::seconds(10);

// kHeld: a connection from a penalized address, held unread (Tarpit).
enum State { kHandshake, kWaiting, kReading, kBusy, kStreaming, kClosing, kHeld, kStates };
constexpr const char* kStateNames[kStates] = {"handshake", "waiting", "reading", "busy",
                                              "streaming", "closing", "held"};

// Every answer: no sniffing, no framing, no referrer; the page runs only its own script.
template <class Message>
void DefaultHeaders(Message& m) {
  m.set("X-Content-Type-Options", "nosniff");
  m.set("X-Frame-Options", "DENY");
  m.set("Referrer-Policy", "no-referrer");
  m.set(http::field::cache_control, "no-cache");
  m.set("Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded (a malformed escape is kept as it is); in a query, '+' is a space.
std::string PercentDecode(absl::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 && HexValue(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      i += 2;
    } else if (in[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

std::string StateName(judge::v1::SubmissionState state) {
  std::string name = judge::v1::SubmissionState_Name(state);
  const std::string prefix = "SUBMISSION_STATE_";
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  return absl::AsciiStrToLower(name);
}

void Reset(int fd) {
  linger l{1, 0};  // a reset, not a FIN: nothing lingers in TIME_WAIT on our side
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

// Posts work to the I/O thread from any thread, until the door is taken down: event feeds and
// workers reach the door only through this.
class Poster {
 public:
  explicit Poster(asio::io_context* ioc) : ioc_(ioc) {}
  template <class F>
  void Post(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    if (ioc_ != nullptr) asio::post(*ioc_, std::forward<F>(f));
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    ioc_ = nullptr;
  }

 private:
  std::mutex mu_;
  asio::io_context* ioc_;
};

// Connections from penalized addresses, within each address's share of the connection budget:
// held unread until the penalty is over (at most kPenaltyFor at a time; let go within
// kTarpitCheck and a sweep when the client has gone), then answered 429 and reset. Reset at
// once, a flood reconnected as fast as the door could accept, each cycle an accept and a close
// on the I/O thread; held, its connections wait, each costing a descriptor and a place in a
// list. A held descriptor is out of the event loop (what a client sends into it wakes nothing)
// and one timer sweeps them all, four times a second. Its receive buffer is made as small as the
// kernel allows, so what a bomb sends into it stops at a few KiB. Used on the I/O thread only.
class Tarpit {
 public:
  Tarpit(asio::io_context& ioc, std::atomic<int64_t>* held) : timer_(ioc), held_(held) {}
  ~Tarpit() {
    for (Held& h : conns_) Reset(h.fd);
    *held_ -= static_cast<int64_t>(conns_.size());
  }
  Tarpit(const Tarpit&) = delete;
  Tarpit& operator=(const Tarpit&) = delete;

  // Held until `until`, at most kPenaltyFor at a time (a longer penalty holds the reconnects in
  // turn), and never past the client's own close: a held connection keeps a descriptor and a
  // place in the budget, which a client that has gone must not.
  void Hold(tcp::socket socket, ConnectionBudget::Ticket ticket, Clock::time_point until) {
    beast::error_code ignored;
    socket.set_option(asio::socket_base::receive_buffer_size(1024), ignored);
    const Clock::time_point now = Clock::now();
    conns_.push_back(Held{socket.release(ignored), std::move(ticket),
                          std::min(until, now + kPenaltyFor), now + kTarpitCheck});
    ++*held_;
    if (!armed_) Arm();
  }

 private:
  struct Held {
    int fd;
    ConnectionBudget::Ticket ticket;
    Clock::time_point until, next_check;
  };
  static constexpr auto kSweep = std::chrono::milliseconds(250);

  void Arm() {
    armed_ = true;
    timer_.expires_after(kSweep);
    timer_.async_wait([this](const beast::error_code& ec) {
      armed_ = false;
      if (ec == asio::error::operation_aborted) return;
      Sweep();
      if (!conns_.empty()) Arm();
    });
  }
  void Sweep() {
    const Clock::time_point now = Clock::now();
    size_t kept = 0;
    for (size_t i = 0; i < conns_.size(); ++i) {
      Held& h = conns_[i];
      bool gone = false;
      if (now >= h.until) {
        LetGo(h.fd);
        gone = true;
      } else if (now >= h.next_check) {
        gone = PeerLeft(h.fd);
        if (gone) Reset(h.fd);
        h.next_check = now + kTarpitCheck;
      }
      if (gone) continue;  // its ticket goes with it
      if (kept != i) conns_[kept] = std::move(h);
      ++kept;
    }
    *held_ -= static_cast<int64_t>(conns_.size() - kept);
    conns_.erase(conns_.begin() + static_cast<std::ptrdiff_t>(kept), conns_.end());
  }
  // Its FIN has arrived, whatever unread bytes came before it (so no read is needed).
  static bool PeerLeft(int fd) {
    tcp_info info{};
    socklen_t len = sizeof info;
    return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
           (info.tcpi_state == TCP_CLOSE_WAIT || info.tcpi_state == TCP_CLOSE);
  }
  static void LetGo(int fd) {
    static constexpr char kAnswer[] =
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 10\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n";
    (void)send(fd, kAnswer, sizeof kAnswer - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    Reset(fd);
  }

  std::vector<Held> conns_;
  asio::steady_timer timer_;
  bool armed_ = false;
  std::atomic<int64_t>* held_;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(JudgeApi* api, HttpOptions options) : options(std::move(options)), api(api), routes(api) {
    if (this->options.budget == nullptr) {
      own_budget = std::make_unique<ConnectionBudget>(4096, 100);
      this->options.budget = own_budget.get();
    }
  }
  absl::Status Start();
  void Stop();
  void Refuse(const std::string& reason) {
    std::lock_guard<std::mutex> lock(refused_mu);
    ++refused[reason];
  }
  // A request from `peer` broke the header's bounds.
  void Offense(const std::string& peer);
  // Until when `peer`'s connections are held (Tarpit); a past time when not.
  Clock::time_point PenalizedUntil(const std::string& peer);

  HttpOptions options;
  JudgeApi* api;
  ApiRoutes routes;
  std::unique_ptr<ConnectionBudget> own_budget;
  std::array<std::atomic<int64_t>, kStates> states{};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> trusted{0};      // connections moved to trusted_ioc
  std::atomic<int64_t> trusted_open{0};  // Sessions on trusted_ioc now
  std::atomic<size_t> open_streams{0};
  mutable std::mutex refused_mu;
  std::map<std::string, uint64_t> refused;
  std::atomic<bool> stopping{false};
  int port = 0;
  // Destroyed in this order by Stop(): the acceptor, then the workers, then the I/O contexts
  // (and with them every connection still open). Two I/O threads: `ioc` accepts and serves
  // every new connection; one whose caller has shown a valid key moves to `trusted_ioc`
  // (Session::MoveToTrusted), where what unproven connections cost (idle floods, slow or huge
  // headers: work on `ioc`) never delays it.
  std::unique_ptr<asio::io_context> ioc, trusted_ioc;
  std::shared_ptr<Poster> poster, trusted_poster;
  std::unique_ptr<asio::thread_pool> pool;
  std::unique_ptr<asio::ssl::context> tls;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> accept_retry;
  std::unique_ptr<Tarpit> tarpit;  // on ioc
  int spare_fd = -1;  // closed to accept and shed one connection when out of descriptors
  std::thread thread, trusted_thread;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> trusted_work;
  struct Offenses {
    int count = 0;
    int strikes = 0;  // penalties in a row (see kStrikeMemory)
    Clock::time_point window_start, penalized_until;
  };
  std::mutex offenses_mu;
  std::map<std::string, Offenses> offenses;  // under offenses_mu

 private:
  void Accept();
  void OnAccept(const beast::error_code& ec, tcp::socket socket);
  void Shed();
  // The address of the connection being accepted, as accept() gave it (one accept at a time).
  tcp::endpoint accepted_peer_;
};

namespace {

// A session's pad over a WebSocket (/v1/sessions/{id}/pad): the first frame is the client's
// hello with its token; then each frame goes to the pad in order (on a strand of the workers,
// since the pad may write the store) and each frame from the pad is written in order. Counts as
// an event stream (--http-max-streams); the socket pings a silent peer and drops a dead one.
template <class Stream>
class PadSocket : public std::enable_shared_from_this<PadSocket<Stream>> {
 public:
  PadSocket(HttpServer::Impl* door, std::shared_ptr<Poster> poster, Stream stream,
            ConnectionBudget::Ticket ticket, std::string session_id)
      : door_(door),
        poster_(std::move(poster)),
        ws_(std::move(stream)),
        ticket_(std::move(ticket)),
        session_id_(std::move(session_id)),
        strand_(asio::make_strand(*door->pool)),
        link_(std::make_shared<std::unique_ptr<PadLink>>()) {
    ++door_->states[kStreaming];
  }
  ~PadSocket() {
    --door_->states[kStreaming];
    --door_->open_streams;
    // The link leaves the pad on the strand (it writes the store), never on the I/O thread.
    asio::post(strand_, [link = link_] { link->reset(); });
  }

  void Accept(http::request<http::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(1 << 20);
    ws_.async_accept(req, [self = this->shared_from_this()](const beast::error_code& ec) {
      if (ec) return;
      self->Read();
    });
    // A socket that has not joined its pad within the header deadline gives its slot back.
    hello_timer_.expires_after(std::chrono::seconds(door_->options.header_timeout_s));
    hello_timer_.async_wait([self = this->shared_from_this()](const beast::error_code& ec) {
      if (ec || self->joined_->load()) return;
      self->door_->Refuse("header_timeout");
      self->Gone();
      beast::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
  }

 private:
  void Read() {
    in_.clear();
    ws_.async_read(in_, [self = this->shared_from_this()](const beast::error_code& ec, size_t) {
      if (ec) return self->Gone();
      std::string frame = beast::buffers_to_string(self->in_.data());
      if (!self->hello_done_) {
        self->hello_done_ = true;
        self->Hello(std::move(frame));
      } else {
        ++*self->in_flight_;
        asio::post(self->strand_,
                   [in_flight = self->in_flight_, link = self->link_, frame = std::move(frame)] {
                     if (*link) SafeCall([&] { (*link)->Receive(frame); });
                     --*in_flight;
                   });
      }
      self->ReadWhenRoom();
    });
  }

  // Reads on while the pad keeps up: at most kPadInFlight frames wait for the strand.
  void ReadWhenRoom() {
    if (in_flight_->load() < kPadInFlight) return Read();
    wait_timer_.expires_after(std::chrono::milliseconds(5));
    wait_timer_.async_wait([self = this->shared_from_this()](const beast::error_code& ec) {
      if (!ec && !self->closing_) self->ReadWhenRoom();
    });
  }

  // {"type":"hello","token":"...","version":N}: who the client is and what it has.
  void Hello(std::string frame) {
    std::weak_ptr<PadSocket> weak = this->shared_from_this();
    std::shared_ptr<Poster> poster = poster_;
    auto send = [weak, poster](std::string out, bool last) {
      poster->Post([weak, out = std::move(out), last]() mutable {
        if (auto s = weak.lock()) s->Send(std::move(out), last);
      });
    };
    asio::post(strand_, [api = door_->api, id = session_id_, link = link_, frame, send,
                         joined_flag = joined_] {
      google::protobuf::Struct hello;
      absl::Status st;
      if (!google::protobuf::util::JsonStringToMessage(frame, &hello).ok() ||
          hello.fields().count("type") == 0 ||
          hello.fields().at("type").string_value() != "hello") {
        st = absl::InvalidArgumentError(
            "the first frame is {\"type\":\"hello\",\"token\":...,\"version\":N}");
      }
      absl::StatusOr<Principal> who = absl::UnauthenticatedError("");
      if (st.ok()) {
        auto token = hello.fields().find("token");
        who = api->Authenticate(
            token != hello.fields().end(),
            absl::StrCat("Bearer ",
                         token == hello.fields().end() ? "" : token->second.string_value()));
        if (!who.ok()) st = who.status();
      }
      if (st.ok()) {
        auto v = hello.fields().find("version");
        const double asked = v == hello.fields().end() ? -1 : v->second.number_value();
        const int64_t version = asked >= 0 && asked < 1e12 ? static_cast<int64_t>(asked) : -1;
        absl::StatusOr<std::unique_ptr<PadLink>> joined = api->JoinPad(*who, id, version, send);
        if (joined.ok()) {
          *link = *std::move(joined);
          joined_flag->store(true);
          return;
        }
        st = joined.status();
      }
      send(PadErrorFrame(st), true);
    });
  }

  void Send(std::string frame, bool last) {
    if (closing_) return;
    queued_bytes_ += frame.size();
    if (queued_bytes_ > kPadBacklog) {  // a client that stopped reading: let it go
      Gone();
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      return;
    }
    out_.push_back(std::move(frame));
    close_after_ = close_after_ || last;
    Write();
  }

  void Write() {
    if (writing_) return;
    if (out_.empty()) {
      // After the last frame, answers to what the client had already sent (a push right after
      // its hello to an ended pad) still go out for a moment; then the close.
      if (close_after_ && !close_armed_) {
        close_armed_ = true;
        close_timer_.expires_after(std::chrono::milliseconds(200));
        close_timer_.async_wait([self = this->shared_from_this()](const beast::error_code&) {
          self->close_due_ = true;
          self->Write();
        });
      }
      if (close_due_ && !closing_) {
        closing_ = true;
        ws_.async_close(websocket::close_code::normal,
                        [self = this->shared_from_this()](const beast::error_code&) {});
      }
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(out_.front()),
                    [self = this->shared_from_this()](const beast::error_code& ec, size_t) {
                      self->writing_ = false;
                      if (ec || self->closing_ || self->out_.empty()) {
                        self->out_.clear();
                        return self->Gone();
                      }
                      self->queued_bytes_ -= self->out_.front().size();
                      self->out_.pop_front();
                      self->Write();
                    });
  }

  // The client is gone or let go: nothing more is sent. A frame being written stays alive
  // until its write completes.
  void Gone() {
    closing_ = true;
    if (writing_ && !out_.empty()) {
      out_.erase(out_.begin() + 1, out_.end());
    } else {
      out_.clear();
    }
    queued_bytes_ = 0;
  }

  HttpServer::Impl* door_;
  std::shared_ptr<Poster> poster_;  // to this socket's I/O thread
  websocket::stream<Stream> ws_;
  ConnectionBudget::Ticket ticket_;
  std::string session_id_;
  asio::strand<asio::thread_pool::executor_type> strand_;
  std::shared_ptr<std::unique_ptr<PadLink>> link_;  // used on the strand only
  beast::flat_buffer in_;
  std::deque<std::string> out_;
  bool hello_done_ = false, writing_ = false, closing_ = false, close_after_ = false;
  bool close_armed_ = false, close_due_ = false;
  asio::steady_timer close_timer_{ws_.get_executor()};
  asio::steady_timer hello_timer_{ws_.get_executor()};
  asio::steady_timer wait_timer_{ws_.get_executor()};
  std::shared_ptr<std::atomic<bool>> joined_ = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<int>> in_flight_ = std::make_shared<std::atomic<int>>(0);
  size_t queued_bytes_ = 0;
};

// One connection: requests read and answered in order; an event stream to the end.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(HttpServer::Impl* door, Stream stream, ConnectionBudget::Ticket ticket,
          bool trusted = false)
      : door_(door),
        trusted_(trusted),
        poster_(trusted ? door->trusted_poster : door->poster),
        stream_(std::move(stream)),
        ticket_(std::move(ticket)),
        buffer_(kHeaderBytes + 8192),
        tick_(stream_.get_executor()) {
    if (trusted_) ++door_->trusted_open;
  }
  ~Session() {
    if (trusted_) --door_->trusted_open;
    feed_.reset();  // no delivery after this
    if (stream_slot_) --door_->open_streams;
    if (state_ >= 0) --door_->states[state_];
  }

  void Run() {
    if constexpr (kTls) {
      SetState(kHandshake);
      Tcp().expires_after(std::chrono::seconds(door_->options.header_timeout_s));
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](const beast::error_code& ec) {
                                if (ec) return self->Close();
                                self->ReadHeader();
                              });
    } else {
      ReadHeader();
    }
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void SetState(State s) {
    if (state_ >= 0) --door_->states[state_];
    state_ = s;
    ++door_->states[s];
  }

  // --- requests

  void ReadHeader() {
    if (door_->stopping) return Close();
    SetState(kWaiting);
    parser_.emplace();
    parser_->header_limit(kHeaderBytes);
    parser_->body_limit(door_->options.max_body_bytes);
    Tcp().expires_after(std::chrono::seconds(door_->options.header_timeout_s));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](const beast::error_code& ec, size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(const beast::error_code& ec) {
    if (ec == beast::error::timeout) {
      // Nothing of a next request is idle keep-alive; part of one is a slow header.
      if (buffer_.size() > 0 || parser_->got_some()) {
        door_->Refuse("header_timeout");
        door_->Offense(ticket_.peer());
      }
      return Close();
    }
    if (ec == http::error::header_limit || ec == asio::error::no_buffer_space ||
        ec == http::error::buffer_overflow) {
      door_->Refuse("header_limit");
      door_->Offense(ticket_.peer());
      return Refuse(431, absl::StatusCode::kInvalidArgument,
                    "the request's header is larger than 64 KiB");
    }
    if (ec == http::error::body_limit) {
      door_->Refuse("body_limit");
      return Refuse(413, absl::StatusCode::kResourceExhausted, "the request body is too large");
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      return Close();
    }
    if (ec) {
      return Refuse(400, absl::StatusCode::kInvalidArgument,
                    absl::StrCat("malformed request: ", ec.message()));
    }
    if (absl::Status st = CheckHeader(); !st.ok()) return;  // answered
    const auto& req = parser_->get();
    if (req[http::field::expect] == "100-continue" && !parser_->is_done()) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      Tcp().expires_after(std::chrono::seconds(door_->options.io_timeout_s));
      return http::async_write(
          stream_, *cont,
          [self = this->shared_from_this(), cont](const beast::error_code& ec, size_t) {
            if (ec) return self->Close();
            self->ReadBody();
          });
    }
    ReadBody();
  }

  // The header's own limits, past what the parser checks. Answers the request when refused.
  absl::Status CheckHeader() {
    const auto& req = parser_->get();
    size_t fields = 0;
    bool long_line = req.target().size() > kLineBytes;
    for (const auto& f : req) {
      ++fields;
      long_line |= f.name_string().size() + f.value().size() + 4 > kLineBytes;
    }
    if (fields > kMaxFields || long_line) {
      door_->Refuse("header_limit");
      Refuse(431, absl::StatusCode::kInvalidArgument,
             fields > kMaxFields ? "more than 100 headers" : "a header line is longer than 16 KiB");
      return absl::InvalidArgumentError("refused");
    }
    if (req.count(http::field::authorization) > 1) {
      Refuse(400, absl::StatusCode::kInvalidArgument, "more than one Authorization header");
      return absl::InvalidArgumentError("refused");
    }
    auto auth = req.find(http::field::authorization);
    if (auth != req.end()) {
      for (char c : auth->value()) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          Refuse(401, absl::StatusCode::kUnauthenticated,
                 "the Authorization header holds a control character");
          return absl::InvalidArgumentError("refused");
        }
      }
    }
    // An import's archive (POST /v1/challenges) may be up to 256 MiB, from an admin or
    // platform key only: anyone else keeps the small bound, checked before any body is read.
    if (req.method() == http::verb::post && auth != req.end()) {
      const std::string_view target(req.target().data(), req.target().size());
      if (target.substr(0, target.find('?')) == "/v1/challenges") {
        absl::StatusOr<Principal> who = door_->api->Authenticate(
            true, std::string_view(auth->value().data(), auth->value().size()));
        if (who.ok() && (who->role == Role::kAdmin || who->role == Role::kPlatform)) {
          parser_->body_limit(kImportBodyBytes);
        }
      }
    }
    return absl::OkStatus();
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    if (state_ != kReading) body_deadline_ = Clock::now() + kBodyDeadline;
    SetState(kReading);
    Tcp().expires_at(
        std::min(Clock::now() + std::chrono::seconds(door_->options.io_timeout_s), body_deadline_));
    http::async_read_some(stream_, buffer_, *parser_,
                          [self = this->shared_from_this()](const beast::error_code& ec, size_t) {
                            if (ec == http::error::body_limit) {
                              self->door_->Refuse("body_limit");
                              return self->Refuse(413, absl::StatusCode::kResourceExhausted,
                                                  "the request body is too large");
                            }
                            if (ec == beast::error::timeout) {
                              self->door_->Refuse("body_timeout");
                              self->door_->Offense(self->ticket_.peer());
                              return self->Close();
                            }
                            if (ec) return self->Close();
                            self->ReadBody();
                          });
  }

  void Dispatch() {
    ++door_->requests;
    SetState(kBusy);
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    if (msg.target().empty() || msg.target()[0] != '/') {
      return Refuse(400, absl::StatusCode::kInvalidArgument,
                    "the request target must be a path starting with /");
    }
    auto req = std::make_shared<HttpRequest>();
    req->method = std::string(msg.method_string());
    absl::string_view target(msg.target().data(), msg.target().size());
    const size_t q = target.find('?');
    req->path = PercentDecode(target.substr(0, q), false);
    if (q != absl::string_view::npos) {
      for (absl::string_view pair : absl::StrSplit(target.substr(q + 1), '&', absl::SkipEmpty())) {
        const size_t eq = pair.find('=');
        req->query.emplace(PercentDecode(pair.substr(0, eq), true),
                           eq == absl::string_view::npos
                               ? std::string()
                               : PercentDecode(pair.substr(eq + 1), true));
      }
    }
    if (websocket::is_upgrade(msg)) return Upgrade(req->path);
    if (auto a = msg.find(http::field::authorization); a != msg.end()) {
      req->authorization = std::string(a->value());
    }
    if (auto t = msg.find(http::field::content_type); t != msg.end()) {
      req->content_type = std::string(t->value());
    }
    req->body = std::move(msg.body());
    const HttpOptions& o = door_->options;
    if (req->method == "OPTIONS" && !o.cors_origin.empty() && ApiRoutes::IsApiPath(req->path)) {
      HttpReply preflight;
      preflight.status = 204;
      preflight.content_type.clear();
      preflight.headers = {{"Access-Control-Allow-Methods", "GET, POST, DELETE"},
                           {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
                           {"Access-Control-Max-Age", "600"}};
      return Answer(std::move(preflight));
    }
    auto self = this->shared_from_this();
    std::shared_ptr<Poster> poster = poster_;
    if (ApiRoutes::IsApiPath(req->path)) {
      // A route answered from memory is answered here, rather than with two thread hops for a
      // few microseconds of work; any other goes to a worker.
      std::optional<RouteOutcome> quick;
      if (!SafeCall([&] { quick = door_->routes.HandleQuick(*req); })) {
        return Answer(InternalFailure());
      }
      if (quick) {
        proven_ |= quick->authenticated;
        return Answer(std::move(quick->reply));
      }
      asio::post(*door_->pool, [self, poster, req, routes = &door_->routes] {
        auto outcome = std::make_shared<RouteOutcome>();
        if (!SafeCall([&] { *outcome = routes->Handle(*req); })) outcome->reply = InternalFailure();
        poster->Post([self, outcome] {
          self->proven_ |= outcome->authenticated;
          if (outcome->stream) return self->OpenStream(std::move(outcome->stream));
          self->Answer(std::move(outcome->reply));
        });
      });
      return;
    }
    if (!o.web_root.empty() && req->method == "GET") {
      asio::post(*door_->pool, [self, poster, req, root = o.web_root] {
        auto reply = std::make_shared<HttpReply>();
        if (!SafeCall([&] { *reply = ServeStaticFile(root, req->path); }))
          *reply = InternalFailure();
        poster->Post([self, reply] { self->Answer(std::move(*reply)); });
      });
      return;
    }
    Answer(ErrorReply(absl::NotFoundError(
        absl::StrCat("no such route: ", req->method, " ", req->path.substr(0, 200)))));
  }

  // One of --http-max-streams (event streams and pads alike); when none is left the request
  // is answered 429 and the connection closed, and false.
  bool TakeStreamSlot(const char* what) {
    const size_t max = door_->options.max_streams;
    if (door_->open_streams.fetch_add(1) < max) return true;
    --door_->open_streams;
    door_->Refuse("streams");
    keep_alive_ = false;
    Answer(ErrorReply(absl::ResourceExhaustedError(
        absl::StrCat("too many open ", what, " (", max, "); retry when one has finished"))));
    return false;
  }

  // A WebSocket: the pad of a session (/v1/sessions/{id}/pad), a stream slot like an event
  // stream; the connection becomes the PadSocket's.
  void Upgrade(const std::string& path) {
    std::vector<std::string> parts = absl::StrSplit(path, '/');
    if (parts.size() != 5 || parts[1] != "v1" || parts[2] != "sessions" || parts[3].empty() ||
        parts[4] != "pad") {
      return Answer(ErrorReply(absl::NotFoundError(
          absl::StrCat("no WebSocket at ", path.substr(0, 200), " (/v1/sessions/{id}/pad)"))));
    }
    if (!TakeStreamSlot("streams")) return;
    closed_ = true;  // the connection is the pad socket's from here
    std::make_shared<PadSocket<Stream>>(door_, poster_, std::move(stream_), std::move(ticket_),
                                        parts[3])
        ->Accept(parser_->release());
  }

  // An error answer to a request whose rest may still be coming; then the connection closes.
  void Refuse(int status, absl::StatusCode code, const std::string& message) {
    HttpReply reply = ErrorReply(absl::Status(code, message));
    reply.status = status;
    keep_alive_ = false;
    linger_ = true;
    linger_cap_ = status == 413 ? kLingerBytes : kLingerShort;
    Answer(std::move(reply));
  }

  void Answer(HttpReply reply) {
    if (closed_) return;
    SetState(kBusy);
    res_ = {};
    res_.version(11);
    res_.result(static_cast<unsigned>(reply.status));
    DefaultHeaders(res_);
    if (!reply.content_type.empty()) res_.set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers) res_.set(name, value);
    Cors(res_);
    res_.keep_alive(keep_alive_ && !door_->stopping);
    res_.body() = std::move(reply.body);
    res_.prepare_payload();
    Tcp().expires_after(std::chrono::seconds(door_->options.io_timeout_s));
    http::async_write(stream_, res_,
                      [self = this->shared_from_this()](const beast::error_code& ec, size_t) {
                        if (ec) return self->Close();
                        if (self->linger_) return self->Linger();
                        if (!self->res_.keep_alive()) return self->Close();
                        if (self->proven_ && !self->trusted_) return self->MoveToTrusted();
                        self->ReadHeader();
                      });
  }

  template <class Message>
  void Cors(Message& m) {
    if (door_->options.cors_origin.empty()) return;
    m.set(http::field::access_control_allow_origin, door_->options.cors_origin);
    m.set(http::field::vary, "Origin");
  }

  // Between two requests of a connection whose caller has shown a valid key: the connection
  // goes on as a new Session on the trusted I/O thread, with the bytes of a pipelined request
  // already read. (A TLS connection stays: its session state cannot follow the socket.)
  void MoveToTrusted() {
    if constexpr (kTls) {
      trusted_ = true;  // stays here
      ReadHeader();
    } else {
      beast::error_code ec;
      const tcp::endpoint local = Tcp().socket().local_endpoint(ec);
      if (ec) return Close();
      const int fd = Tcp().socket().release(ec);
      closed_ = true;  // the connection is no longer this object's
      if (ec || fd < 0) return;
      tcp::socket moved(*door_->trusted_ioc);
      moved.assign(local.protocol(), fd, ec);
      if (ec) {
        ::close(fd);
        return;
      }
      auto next = std::make_shared<Session>(door_, Stream(std::move(moved)), std::move(ticket_),
                                            /*trusted=*/true);
      ++door_->trusted;
      asio::post(*door_->trusted_ioc, [next, buffer = std::move(buffer_)]() mutable {
        next->buffer_ = std::move(buffer);
        next->ReadHeader();
      });
    }
  }

  // After a refusal: read and drop what the client still sends, for a bounded time and size.
  void Linger() {
    SetState(kClosing);
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (linger_until_ == Clock::time_point{}) linger_until_ = Clock::now() + kLingerFor;
    if (lingered_ >= linger_cap_ || Clock::now() >= linger_until_) return Close();
    Tcp().expires_at(linger_until_);
    buffer_.consume(buffer_.size());
    Tcp().async_read_some(asio::buffer(ProbeBuffer()),
                          [self = this->shared_from_this()](const beast::error_code& ec, size_t n) {
                            if (ec) return self->Close();
                            self->lingered_ += n;
                            self->Linger();
                          });
  }

  // --- event streams: one event per SubmissionEvent (`id` counts from 1, `event` is the
  // state, `data` the event in JSON), a comment line every keepalive_s while nothing happens,
  // and the end after FINISHED; or, if the feed breaks first, an `event: error` whose data is
  // {code, message} and the end.

  void OpenStream(StreamOpener open) {
    if (closed_) return;
    if (!TakeStreamSlot("event streams")) return;
    stream_slot_ = true;
    SetState(kStreaming);
    std::weak_ptr<Session> weak = this->shared_from_this();
    std::shared_ptr<Poster> poster = poster_;
    EventFeed::Deliver deliver = [weak, poster](SubmissionEvent e) {
      const bool last = e.state() == judge::v1::SUBMISSION_STATE_FINISHED;
      auto text = std::make_shared<std::string>(
          absl::StrCat("event: ", StateName(e.state()), "\ndata: ", ToJson(e), "\n\n"));
      poster->Post([weak, text, last] {
        if (auto s = weak.lock()) s->Event(std::move(*text), last, true);
      });
    };
    EventFeed::Broken broken = [weak, poster](const absl::Status& why) {
      auto text = std::make_shared<std::string>(absl::StrCat(
          "event: error\ndata: ", ErrorJson(why.code(), std::string(why.message())), "\n\n"));
      poster->Post([weak, text] {
        if (auto s = weak.lock()) s->Event(std::move(*text), true, false);
      });
    };
    asio::post(*door_->pool, [self = this->shared_from_this(), poster, open = std::move(open),
                              deliver = std::move(deliver), broken = std::move(broken)] {
      auto feed = std::make_shared<absl::StatusOr<std::unique_ptr<EventFeed>>>(
          absl::InternalError("the stream failed inside the judge"));
      SafeCall([&] { *feed = open(std::move(deliver), std::move(broken)); });
      poster->Post([self, feed] { self->Opened(std::move(*feed)); });
    });
  }

  void Opened(absl::StatusOr<std::unique_ptr<EventFeed>> feed) {
    if (!feed.ok()) {
      stream_slot_ = false;
      --door_->open_streams;
      pending_.clear();
      return Answer(ErrorReply(feed.status()));
    }
    feed_ = *std::move(feed);
    if (closed_) return Close();
    sres_.emplace(http::status::ok, 11);
    DefaultHeaders(*sres_);
    sres_->set(http::field::content_type, "text/event-stream");
    sres_->set(http::field::cache_control, "no-store");
    sres_->set("X-Accel-Buffering", "no");
    Cors(*sres_);
    // Kept alive as HTTP/1.1 says (clients keep hold of the socket), closed after the end.
    sres_->chunked(true);
    sser_.emplace(*sres_);
    Tcp().expires_never();
    last_write_ = Clock::now();
    writing_ = true;
    http::async_write_header(
        stream_, *sser_, [self = this->shared_from_this()](const beast::error_code& ec, size_t) {
          self->writing_ = false;
          if (ec) return self->Close();
          self->header_sent_ = true;
          self->Probe();
          self->Tick();
          self->Flush();
        });
  }

  void Event(std::string text, bool last, bool numbered) {
    if (closed_ || ended_) return;
    if (numbered) text = absl::StrCat("id: ", ++sent_, "\n", text);
    pending_.push_back(std::move(text));
    ended_ = last;
    Flush();
  }

  void Flush() {
    if (closed_ || writing_ || !header_sent_) return;
    if (pending_.empty()) {
      if (!ended_) return;
      writing_ = true;
      return asio::async_write(
          stream_, http::make_chunk_last(),
          [self = this->shared_from_this()](const beast::error_code&, size_t) { self->Close(); });
    }
    out_.clear();
    for (std::string& s : pending_) out_ += s;
    pending_.clear();
    writing_ = true;
    last_write_ = Clock::now();
    asio::async_write(stream_, http::make_chunk(asio::buffer(out_)),
                      [self = this->shared_from_this()](const beast::error_code& ec, size_t) {
                        self->writing_ = false;
                        if (ec) return self->Close();
                        self->Flush();
                      });
  }

  // Reads while streaming: the client sends nothing more, so anything but data is its end
  // (a closed tab, a dropped connection); a live run's feed then stops the run.
  void Probe() {
    stream_.async_read_some(asio::buffer(ProbeBuffer()),
                            [self = this->shared_from_this()](const beast::error_code& ec, size_t) {
                              if (ec) return self->Close();
                              self->Probe();
                            });
  }

  // Once a second: a keep-alive comment when nothing was written for keepalive_s; a client
  // that has not taken a write for io_timeout_s is closed.
  void Tick() {
    tick_.expires_after(std::chrono::seconds(1));
    tick_.async_wait([self = this->shared_from_this()](const beast::error_code& ec) {
      if (ec || self->closed_) return;
      const auto idle = Clock::now() - self->last_write_;
      if (self->door_->stopping ||
          (self->writing_ && idle > std::chrono::seconds(self->door_->options.io_timeout_s))) {
        return self->Close();
      }
      if (!self->writing_ && self->pending_.empty() &&
          idle >= std::chrono::seconds(self->door_->options.keepalive_s)) {
        self->pending_.push_back(": keep-alive\n\n");
        self->Flush();
      }
      self->Tick();
    });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    SetState(kClosing);
    tick_.cancel();
    feed_.reset();  // a live run whose client has gone is stopped
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().close();
  }

  HttpServer::Impl* door_;
  bool trusted_;                    // served on the trusted I/O thread
  bool proven_ = false;             // a request on it authenticated (see MoveToTrusted)
  std::shared_ptr<Poster> poster_;  // to this connection's I/O thread
  Stream stream_;
  ConnectionBudget::Ticket ticket_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  int state_ = -1;
  bool keep_alive_ = true;
  bool closed_ = false;
  bool linger_ = false;
  Clock::time_point linger_until_{};
  size_t lingered_ = 0;
  Clock::time_point body_deadline_{};
  size_t linger_cap_ = kLingerShort;
  // Where bytes to drop are read (lingering, streaming): made on first use, so that a
  // connection that never lingers or streams does not carry 16 KiB.
  std::array<char, 16384>& ProbeBuffer() {
    if (!probe_) probe_ = std::make_unique<std::array<char, 16384>>();
    return *probe_;
  }
  std::unique_ptr<std::array<char, 16384>> probe_;
  // Streaming.
  asio::steady_timer tick_;
  bool stream_slot_ = false;
  std::unique_ptr<EventFeed> feed_;
  std::optional<http::response<http::empty_body>> sres_;
  std::optional<http::response_serializer<http::empty_body>> sser_;
  std::deque<std::string> pending_;
  std::string out_;
  bool writing_ = false, header_sent_ = false, ended_ = false;
  uint64_t sent_ = 0;
  Clock::time_point last_write_{};
};

}  // namespace

absl::Status HttpServer::Impl::Start() {
  absl::StatusOr<ListenAddress> listen = ParseListenAddress(options.listen, "--http-listen");
  if (!listen.ok()) return listen.status();
  if (!options.web_root.empty()) {
    struct stat st {};
    if (stat((options.web_root + "/index.html").c_str(), &st) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("--web-root ", options.web_root,
                       " holds no index.html (the page is built by scripts/build-web.sh)"));
    }
  }
  ioc = std::make_unique<asio::io_context>(1);
  poster = std::make_shared<Poster>(ioc.get());
  trusted_ioc = std::make_unique<asio::io_context>(1);
  trusted_poster = std::make_shared<Poster>(trusted_ioc.get());
  if (!options.tls_cert.empty()) {
    tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls->use_certificate_chain_file(options.tls_cert, ec);
    if (!ec) tls->use_private_key_file(options.tls_key, asio::ssl::context::pem, ec);
    if (ec) {
      return absl::InvalidArgumentError(absl::StrCat("--http-listen with TLS: cannot load ",
                                                     options.tls_cert, " and ", options.tls_key,
                                                     ": ", ec.message()));
    }
  }
  beast::error_code ec;
  tcp::resolver resolver(*ioc);
  const std::string host = listen->host.empty() || listen->host == "*" ? "0.0.0.0" : listen->host;
  auto found = resolver.resolve(host, std::to_string(listen->port), tcp::resolver::passive, ec);
  if (ec || found.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http-listen ", options.listen, ": ", ec ? ec.message() : "no address"));
  }
  acceptor = std::make_unique<tcp::acceptor>(*ioc);
  const tcp::endpoint endpoint = found.begin()->endpoint();
  if (acceptor->open(endpoint.protocol(), ec); !ec) {
    acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    acceptor->bind(endpoint, ec);
    // Accepted connections inherit TCP_NODELAY from the listener (Linux): a system call less
    // for each of them, which a flood of connections makes count.
    if (!ec) acceptor->set_option(tcp::no_delay(true), ec);
    if (!ec) acceptor->listen(4096, ec);
  }
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("http listener ", options.listen, ": ", ec.message()));
  }
  port = acceptor->local_endpoint(ec).port();
  accept_retry = std::make_unique<asio::steady_timer>(*ioc);
  tarpit = std::make_unique<Tarpit>(*ioc, &states[kHeld]);
  spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pool = std::make_unique<asio::thread_pool>(options.workers);
  Accept();
  auto run = [](asio::io_context* context) {
    for (;;) {
      try {
        context->run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http: {}", e.what());  // one connection's failure; the door goes on
      }
    }
  };
  thread = std::thread(run, ioc.get());
  trusted_work.emplace(trusted_ioc->get_executor());  // runs until Stop, with or without work
  trusted_thread = std::thread(run, trusted_ioc.get());
  return absl::OkStatus();
}

void HttpServer::Impl::Accept() {
  acceptor->async_accept(accepted_peer_, [this](const beast::error_code& ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::Offense(const std::string& peer) {
  const Clock::time_point now = Clock::now();
  std::lock_guard<std::mutex> lock(offenses_mu);
  if (offenses.size() > 65536) {  // forget the settled ones
    for (auto it = offenses.begin(); it != offenses.end();) {
      const bool settled = now - it->second.window_start > kOffenseWindow &&
                           now > it->second.penalized_until + kStrikeMemory;
      it = settled ? offenses.erase(it) : std::next(it);
    }
  }
  Offenses& o = offenses[peer];
  if (now - o.window_start > kOffenseWindow) {
    o.count = 0;
    o.window_start = now;
  }
  if (++o.count < kOffensesAllowed || now < o.penalized_until) return;
  // A new penalty: doubled when the last one ended less than kStrikeMemory ago.
  const bool again =
      o.penalized_until != Clock::time_point{} && now - o.penalized_until < kStrikeMemory;
  o.strikes = again ? std::min(o.strikes + 1, 5) : 0;
  o.penalized_until = now + std::min<Clock::duration>(kPenaltyFor * (1 << o.strikes), kPenaltyMax);
}

Clock::time_point HttpServer::Impl::PenalizedUntil(const std::string& peer) {
  std::lock_guard<std::mutex> lock(offenses_mu);
  auto it = offenses.find(peer);
  return it == offenses.end() ? Clock::time_point() : it->second.penalized_until;
}

void HttpServer::Impl::Shed() {
  if (spare_fd < 0) return;
  close(spare_fd);
  spare_fd = -1;
  const int fd = accept4(acceptor->native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
  if (fd >= 0) {
    Reset(fd);
    Refuse("descriptors");
  }
  spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void HttpServer::Impl::OnAccept(const beast::error_code& ec, tcp::socket socket) {
  if (stopping || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors: shed one connection with the spare, then go on; without a spare the
    // backlog waits a moment (the listener stays readable).
    if (ec == asio::error::no_descriptors || ec.value() == ENFILE) Shed();
    accept_retry->expires_after(std::chrono::milliseconds(spare_fd < 0 ? 20 : 0));
    accept_retry->async_wait([this](const beast::error_code& e) {
      if (!e && !stopping) Accept();
    });
    return;
  }
  const std::string peer = accepted_peer_.address().to_string();
  absl::StatusOr<ConnectionBudget::Ticket> ticket = options.budget->Admit(peer);
  if (const Clock::time_point until = PenalizedUntil(peer); until > Clock::now()) {
    Refuse("penalized");
    if (ticket.ok()) {
      tarpit->Hold(std::move(socket), *std::move(ticket), until);
    } else {
      Reset(socket.release());
    }
    return Accept();
  }
  if (!ticket.ok()) {
    Refuse(std::string(ticket.status().message()));
    Reset(socket.release());
  } else {
    if (tls) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          this, beast::ssl_stream<beast::tcp_stream>(std::move(socket), *tls), *std::move(ticket))
          ->Run();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(this, beast::tcp_stream(std::move(socket)),
                                                   *std::move(ticket))
          ->Run();
    }
  }
  Accept();
}

void HttpServer::Impl::Stop() {
  if (stopping.exchange(true) || !ioc) return;
  asio::post(*ioc, [this] {
    beast::error_code ignored;
    acceptor->close(ignored);
    accept_retry->cancel();
  });
  // Streams notice at their next tick; every connection is closed with the context.
  ioc->stop();
  trusted_ioc->stop();
  if (thread.joinable()) thread.join();
  if (trusted_thread.joinable()) trusted_thread.join();
  if (pool) pool->join();
  poster->Close();
  trusted_poster->Close();
  acceptor.reset();
  accept_retry.reset();
  tarpit.reset();
  trusted_work.reset();
  ioc.reset();
  trusted_ioc.reset();
  pool.reset();
  if (spare_fd >= 0) close(spare_fd);
  spare_fd = -1;
}

HttpServer::HttpServer(JudgeApi* api, HttpOptions options)
    : impl_(std::make_unique<Impl>(api, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

absl::Status HttpServer::Start() { return impl_->Start(); }

void HttpServer::Stop() { impl_->Stop(); }

int HttpServer::port() const { return impl_->port; }

HttpStats HttpServer::Stats() const {
  HttpStats s;
  for (int i = 0; i < kStates; ++i) s.connections[kStateNames[i]] = impl_->states[i].load();
  {
    std::lock_guard<std::mutex> lock(impl_->refused_mu);
    s.refused = impl_->refused;
  }
  s.requests = impl_->requests.load();
  s.open_streams = impl_->open_streams.load();
  s.trusted = impl_->trusted.load();
  s.trusted_open = impl_->trusted_open.load();
  return s;
}

std::string HttpServer::RenderMetrics() const {
  HttpStats s = Stats();
  PromText p;
  p.One("judge_http_requests_total", "counter", "HTTP requests received (API and page).",
        s.requests)
      .One("judge_http_streams_open", "gauge", "Server-sent event streams open.", s.open_streams)
      .One("judge_http_trusted_total", "counter",
           "HTTP connections moved to the trusted I/O thread (after a request with a valid key).",
           s.trusted)
      .One("judge_http_trusted_connections", "gauge",
           "HTTP connections open on the trusted I/O thread.", s.trusted_open)
      .One("judge_http_streams_refused_total", "counter", "Event streams refused at the limit.",
           s.refused.count("streams") ? s.refused.at("streams") : 0)
      .Family("judge_http_connections", "gauge", "HTTP connections open, by state.");
  for (const auto& [state, n] : s.connections)
    p.Sample("judge_http_connections", n, "state", state);
  p.Family("judge_http_refused_total", "counter",
           "HTTP connections and requests refused, by reason (total, per_peer, descriptors, "
           "streams, header_limit, header_timeout, body_limit, body_timeout, penalized).");
  for (const auto& [reason, n] : s.refused)
    p.Sample("judge_http_refused_total", n, "reason", reason);
  return p.str();
}

}  // namespace judge
