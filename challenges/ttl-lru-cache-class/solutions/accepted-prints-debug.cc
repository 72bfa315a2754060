// expect: ACCEPTED
// The stdout rule: the reference (class form) with debug prints to stdout in put and get. The
// harness points stdout at stderr before it calls any of this, so the prints never reach the
// answer. Hash map + recency list for O(1) LRU, a min-heap of deadlines for expiry.
#include <cstdint>
#include <functional>
#include <iostream>
#include <list>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

class TtlLruCache {
 public:
  explicit TtlLruCache(int capacity) : cap_(capacity) {
    map_.reserve(static_cast<size_t>(capacity) * 2 + 16);
  }

  void put(int64_t now, int64_t key, int64_t value, int64_t ttl) {
    std::cout << "debug: put(" << now << ", " << key << ", " << value << ", " << ttl << ")\n";
    Expire(now);
    auto it = map_.find(key);
    if (it != map_.end()) {
      recency_.erase(it->second.pos);
      map_.erase(it);
    } else if (static_cast<int64_t>(map_.size()) == cap_) {
      map_.erase(recency_.back());
      recency_.pop_back();
    }
    recency_.push_front(key);
    ++stamp_;
    map_[key] = Entry{value, stamp_, recency_.begin()};
    if (ttl != 0) heap_.push({now + ttl, {stamp_, key}});
  }

  int64_t get(int64_t now, int64_t key) {
    Expire(now);
    auto it = map_.find(key);
    if (it == map_.end()) {
      std::cout << "debug: get(" << now << ", " << key << ") misses\n";
      return -1;
    }
    std::cout << "debug: get(" << now << ", " << key << ") = " << it->second.value << "\n";
    recency_.splice(recency_.begin(), recency_, it->second.pos);
    return it->second.value;
  }

  bool remove(int64_t now, int64_t key) {
    Expire(now);
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    recency_.erase(it->second.pos);
    map_.erase(it);
    return true;
  }

  int size(int64_t now) {
    Expire(now);
    return static_cast<int>(map_.size());
  }

 private:
  struct Entry {
    int64_t value;
    uint64_t stamp;
    std::list<int64_t>::iterator pos;
  };
  using Item = std::pair<int64_t, std::pair<uint64_t, int64_t>>;  // deadline, stamp, key

  // Drops every entry whose deadline has come (live only while now < deadline).
  void Expire(int64_t now) {
    while (!heap_.empty() && heap_.top().first <= now) {
      auto [deadline, rest] = heap_.top();
      heap_.pop();
      auto it = map_.find(rest.second);
      if (it != map_.end() && it->second.stamp == rest.first) {
        recency_.erase(it->second.pos);
        map_.erase(it);
      }
    }
  }

  int64_t cap_;
  std::unordered_map<int64_t, Entry> map_;
  std::list<int64_t> recency_;  // front: most recent
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap_;
  uint64_t stamp_ = 0;
};
