// expect: COMPILATION_ERROR
// compile-says: solution.rs: error: the class form has no main
// A candidate file with its own fn main (in a module rustc would only warn): the rule is named.
pub struct TtlLruCache {
    capacity: usize,
}

impl TtlLruCache {
    pub fn new(capacity: usize) -> Self {
        TtlLruCache { capacity }
    }
    pub fn put(&mut self, _now: i64, _key: i64, _value: i64, _ttl: i64) {}
    pub fn get(&mut self, _now: i64, _key: i64) -> i64 {
        -1
    }
    pub fn remove(&mut self, _now: i64, _key: i64) -> bool {
        false
    }
    pub fn size(&mut self, _now: i64) -> usize {
        self.capacity * 0
    }
}

fn main() {
    let mut c = TtlLruCache::new(2);
    println!("{}", c.size(0));
}
