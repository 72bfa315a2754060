// expect: ACCEPTED
// Reference: hash map + recency list for O(1) LRU, and a min-heap of deadlines so expired
// entries leave (and free capacity) before each operation. O(log n) amortised per operation.
#include <cstdint>
#include <cstdio>
#include <list>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

struct Entry {
  int64_t value;
  int64_t deadline;  // -1: never
  uint64_t stamp;
  std::list<int64_t>::iterator pos;
};

static char buf[1 << 16];
static size_t len = 0, at = 0;
static int Next() {
  if (at == len) {
    len = fread(buf, 1, sizeof buf, stdin);
    at = 0;
    if (len == 0) return -1;
  }
  return buf[at++];
}
static bool Word(char* w) {
  int c;
  while ((c = Next()) == ' ' || c == '\n' || c == '\r') {
  }
  if (c < 0) return false;
  int n = 0;
  while (c > ' ') {
    w[n++] = static_cast<char>(c);
    c = Next();
  }
  w[n] = 0;
  return true;
}
static int64_t Int() {
  char w[32];
  Word(w);
  int64_t v = 0;
  for (char* p = w; *p; ++p) v = v * 10 + (*p - '0');
  return v;
}

int main() {
  int64_t cap = Int(), q = Int();
  std::unordered_map<int64_t, Entry> map;
  map.reserve(static_cast<size_t>(cap) * 2 + 16);
  std::list<int64_t> recency;  // front: most recent
  using Item = std::pair<int64_t, std::pair<uint64_t, int64_t>>;  // deadline, stamp, key
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
  uint64_t stamp = 0;
  std::string out;
  char op[8];
  auto expire = [&](int64_t now) {
    while (!heap.empty() && heap.top().first <= now) {
      auto [deadline, rest] = heap.top();
      heap.pop();
      auto it = map.find(rest.second);
      if (it != map.end() && it->second.stamp == rest.first) {
        recency.erase(it->second.pos);
        map.erase(it);
      }
    }
  };
  for (int64_t i = 0; i < q; ++i) {
    Word(op);
    int64_t now = Int();
    expire(now);
    if (op[0] == 'P') {
      int64_t key = Int(), value = Int(), ttl = Int();
      auto it = map.find(key);
      if (it != map.end()) {
        recency.erase(it->second.pos);
        map.erase(it);
      } else if (static_cast<int64_t>(map.size()) == cap) {
        map.erase(recency.back());
        recency.pop_back();
      }
      recency.push_front(key);
      ++stamp;
      int64_t deadline = ttl == 0 ? -1 : now + ttl;
      map[key] = Entry{value, deadline, stamp, recency.begin()};
      if (deadline >= 0) heap.push({deadline, {stamp, key}});
    } else if (op[0] == 'G') {
      int64_t key = Int();
      auto it = map.find(key);
      if (it == map.end()) {
        out += "-1\n";
      } else {
        recency.splice(recency.begin(), recency, it->second.pos);
        out += std::to_string(it->second.value) + "\n";
      }
    } else if (op[0] == 'D') {
      int64_t key = Int();
      auto it = map.find(key);
      if (it == map.end()) {
        out += "0\n";
      } else {
        recency.erase(it->second.pos);
        map.erase(it);
        out += "1\n";
      }
    } else {
      out += std::to_string(map.size()) + "\n";
    }
  }
  fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
