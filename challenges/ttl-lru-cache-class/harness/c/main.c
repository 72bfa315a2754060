/* Harness of the class form of ttl-lru-cache (C): reads the test input ("C Q", then Q
 * lines PUT t key value ttl / GET t key / DEL t key / SIZE t), creates the candidate's cache
 * with capacity C, makes one call per line and prints one answer per GET (the value or -1),
 * DEL (1 or 0) and SIZE. No input, or Q = 0, prints nothing.
 * Stdout rule: before any of the candidate's code runs, the harness keeps the real stdout as a
 * private descriptor for its answers and points descriptor 1 at stderr, so whatever the
 * candidate prints (printf, puts, write(1, ...)) goes to stderr and never changes the answer. */
#include <errno.h>
#include <unistd.h>

#include "ttl_lru_cache.h"

static int answers_fd = -1;

/* The input, read in 64 KiB chunks (a whole 10^6-line input read at once would cost the
 * candidate its page faults). Blanks are the bytes <= ' '. */
static char in_buf[1 << 16];
static size_t in_len, in_pos;
static bool in_eof;

/* The next chunk; false at the end of the input. */
static bool refill(void) {
  in_pos = in_len = 0;
  while (!in_eof) {
    ssize_t n = read(0, in_buf, sizeof in_buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      in_eof = true;
      break;
    }
    in_len = (size_t)n;
    return true;
  }
  return false;
}

/* Skips blanks; false at the end of the input. */
static bool more_input(void) {
  for (;;) {
    while (in_pos < in_len && (unsigned char)in_buf[in_pos] <= ' ') in_pos++;
    if (in_pos < in_len) return true;
    if (!refill()) return false;
  }
}

static void skip_word(void) {
  for (;;) {
    while (in_pos < in_len && (unsigned char)in_buf[in_pos] > ' ') in_pos++;
    if (in_pos < in_len || !refill()) return;
  }
}

/* The next word's first byte (the operation's letter), or 0 at the end of the input. */
static int next_op(void) {
  if (!more_input()) return 0;
  int first = (unsigned char)in_buf[in_pos];
  skip_word();
  return first;
}

static int64_t next_int(void) {
  if (!more_input()) return 0;
  bool negative = in_buf[in_pos] == '-';
  if (negative) in_pos++;
  uint64_t v = 0;
  for (;;) {
    while (in_pos < in_len && (unsigned)(in_buf[in_pos] - '0') < 10) {
      v = v * 10 + (uint64_t)(in_buf[in_pos] - '0');
      in_pos++;
    }
    if (in_pos < in_len || !refill()) break;
  }
  skip_word();
  return negative ? (int64_t)(0 - v) : (int64_t)v;
}

static char out_buf[1 << 16];
static size_t out_len;

static void flush_answers(void) {
  size_t done = 0;
  while (done < out_len) {
    ssize_t n = write(answers_fd, out_buf + done, out_len - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += (size_t)n;
  }
  out_len = 0;
}

static void answer(int64_t v) {
  if (out_len + 24 > sizeof out_buf) flush_answers();
  char digits[24];
  int n = 0;
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do {
    digits[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) out_buf[out_len++] = '-';
  while (n) out_buf[out_len++] = digits[--n];
  out_buf[out_len++] = '\n';
}

int main(void) {
  answers_fd = dup(1);
  if (answers_fd < 0 || dup2(2, 1) < 0) return 1;
  if (!more_input()) return 0;
  int64_t capacity = next_int(), q = next_int();
  TtlLruCache *cache = cache_create((int)capacity);
  for (int64_t i = 0; i < q; ++i) {
    int op = next_op();
    if (op == 0) break;
    int64_t now = next_int();
    if (op == 'P') {
      int64_t key = next_int(), value = next_int(), ttl = next_int();
      cache_put(cache, now, key, value, ttl);
    } else if (op == 'G') {
      int64_t key = next_int();
      answer(cache_get(cache, now, key));
    } else if (op == 'D') {
      int64_t key = next_int();
      answer(cache_remove(cache, now, key) ? 1 : 0);
    } else {
      answer(cache_size(cache, now));
    }
  }
  flush_answers();
  cache_free(cache);
  return 0;
}
