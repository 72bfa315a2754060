// Harness of the class form of ttl-lru-cache (C++): reads the test input ("C Q", then Q
// lines PUT t key value ttl / GET t key / DEL t key / SIZE t), constructs the candidate's
// TtlLruCache(C), makes one call per line and prints one answer per GET (the value or -1), DEL
// (1 or 0) and SIZE. No input, or Q = 0, prints nothing. The candidate's solution.cc is
// #included below, so compiler errors name solution.cc and its lines.
// Stdout rule: before any of the candidate's code runs (even its global objects' constructors),
// the harness keeps the real stdout as a private descriptor for its answers and points
// descriptor 1 at stderr, so whatever the candidate prints (cout, printf) goes to stderr and
// never changes the answer.
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>

namespace ttl_lru_cache_harness {

int TakeStdout() {
  int fd = dup(1);
  if (fd < 0 || dup2(2, 1) < 0) _exit(1);
  return fd;
}
// Initialised before every global of solution.cc: in one file, globals are initialised in the
// order they are defined.
const int answers_fd = TakeStdout();

// The input, read in 64 KiB chunks (a whole 10^6-line input read at once would cost the
// candidate its page faults). Blanks are the bytes <= ' '.
struct Input {
  char buf[1 << 16];
  size_t len = 0, pos = 0;
  bool eof = false;

  // The next chunk; false at the end of the input.
  bool Refill() {
    pos = len = 0;
    while (!eof) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        eof = true;
        break;
      }
      len = static_cast<size_t>(n);
      return true;
    }
    return false;
  }
  // Skips blanks; false at the end of the input.
  bool More() {
    for (;;) {
      while (pos < len && static_cast<unsigned char>(buf[pos]) <= ' ') ++pos;
      if (pos < len) return true;
      if (!Refill()) return false;
    }
  }
  void SkipWord() {
    for (;;) {
      while (pos < len && static_cast<unsigned char>(buf[pos]) > ' ') ++pos;
      if (pos < len || !Refill()) return;
    }
  }
  // The next word's first byte (the operation's letter), or 0 at the end of the input.
  int Op() {
    if (!More()) return 0;
    int first = static_cast<unsigned char>(buf[pos]);
    SkipWord();
    return first;
  }
  int64_t Int() {
    if (!More()) return 0;
    bool negative = buf[pos] == '-';
    if (negative) ++pos;
    uint64_t v = 0;
    for (;;) {
      while (pos < len && static_cast<unsigned>(buf[pos] - '0') < 10) {
        v = v * 10 + static_cast<uint64_t>(buf[pos] - '0');
        ++pos;
      }
      if (pos < len || !Refill()) break;
    }
    SkipWord();
    return negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  }
};

struct Output {
  char buf[1 << 16];
  size_t len = 0;

  void Flush() {
    size_t done = 0;
    while (done < len) {
      ssize_t n = write(answers_fd, buf + done, len - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    len = 0;
  }
  void Answer(int64_t v) {
    if (len + 24 > sizeof buf) Flush();
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    do {
      digits[n++] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u);
    if (v < 0) buf[len++] = '-';
    while (n) buf[len++] = digits[--n];
    buf[len++] = '\n';
  }
};

// Defined before solution.cc is included, so the candidate's macros cannot reach it; it is
// instantiated below with the candidate's class.
template <class Cache>
int Run() {
  static Input in;
  static Output out;
  if (!in.More()) return 0;
  int64_t capacity = in.Int(), q = in.Int();
  std::unique_ptr<Cache> cache(new Cache(static_cast<int>(capacity)));
  for (int64_t i = 0; i < q; ++i) {
    int op = in.Op();
    if (op == 0) break;
    int64_t now = in.Int();
    if (op == 'P') {
      int64_t key = in.Int(), value = in.Int(), ttl = in.Int();
      cache->put(now, key, value, ttl);
    } else if (op == 'G') {
      int64_t key = in.Int();
      out.Answer(static_cast<int64_t>(cache->get(now, key)));
    } else if (op == 'D') {
      int64_t key = in.Int();
      out.Answer(cache->remove(now, key) ? 1 : 0);
    } else {
      out.Answer(static_cast<int64_t>(cache->size(now)));
    }
  }
  out.Flush();
  return 0;
}

}  // namespace ttl_lru_cache_harness

#include "solution.cc"

// `signed`, not `int`: still the right main if solution.cc does `#define int long long`.
signed main() { return ttl_lru_cache_harness::Run<TtlLruCache>(); }
