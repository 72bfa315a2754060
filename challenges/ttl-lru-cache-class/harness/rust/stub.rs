// Implement the cache of the statement (LRU eviction plus per-entry TTL) in this struct. The
// judge's harness reads the input and calls its methods; anything you print goes to stderr.

pub struct TtlLruCache {}

#[allow(unused_variables)]
impl TtlLruCache {
    pub fn new(capacity: usize) -> Self {
        TtlLruCache {}
    }

    pub fn put(&mut self, now: i64, key: i64, value: i64, ttl: i64) {}

    pub fn get(&mut self, now: i64, key: i64) -> i64 {
        -1
    }

    pub fn remove(&mut self, now: i64, key: i64) -> bool {
        false
    }

    pub fn size(&mut self, now: i64) -> usize {
        0
    }
}
