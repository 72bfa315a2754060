// expect: WRONG_ANSWER
// fails-on: put-existing-key
// The trap: a PUT into a full cache evicts before looking the key up, even when the key is live.
// Otherwise the reference in Rust (class form): a HashMap from key to a node of a pooled doubly
// linked list (recency), and a BinaryHeap of deadlines whose entries carry the node's
// generation, so entries of replaced or removed nodes are skipped.
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

const NONE: usize = usize::MAX;

pub struct TtlLruCache {
    prev: Vec<usize>,
    next: Vec<usize>,
    gen: Vec<u32>,
    key: Vec<i64>,
    value: Vec<i64>,
    head: usize, // most recent
    tail: usize,
    free: Vec<usize>,
    index: HashMap<i64, usize>,
    heap: BinaryHeap<Reverse<(i64, u32, usize)>>, // deadline, generation, node
}

impl TtlLruCache {
    pub fn new(capacity: usize) -> Self {
        TtlLruCache {
            prev: vec![NONE; capacity],
            next: vec![NONE; capacity],
            gen: vec![0; capacity],
            key: vec![0; capacity],
            value: vec![0; capacity],
            head: NONE,
            tail: NONE,
            free: (0..capacity).rev().collect(),
            index: HashMap::with_capacity(capacity * 2),
            heap: BinaryHeap::new(),
        }
    }

    fn unlink(&mut self, n: usize) {
        let (p, x) = (self.prev[n], self.next[n]);
        if p != NONE {
            self.next[p] = x;
        } else {
            self.head = x;
        }
        if x != NONE {
            self.prev[x] = p;
        } else {
            self.tail = p;
        }
    }

    fn push_front(&mut self, n: usize) {
        self.prev[n] = NONE;
        self.next[n] = self.head;
        if self.head != NONE {
            self.prev[self.head] = n;
        } else {
            self.tail = n;
        }
        self.head = n;
    }

    // Node n leaves the list (its key has left the index); its heap entries become stale.
    fn release(&mut self, n: usize) {
        self.unlink(n);
        self.gen[n] = self.gen[n].wrapping_add(1);
        self.free.push(n);
    }

    // Drops every entry whose deadline has come (live only while now < deadline).
    fn expire(&mut self, now: i64) {
        while let Some(&Reverse((deadline, g, n))) = self.heap.peek() {
            if deadline > now {
                break;
            }
            self.heap.pop();
            if self.gen[n] == g {
                self.index.remove(&self.key[n]);
                self.release(n);
            }
        }
    }

    pub fn put(&mut self, now: i64, key: i64, value: i64, ttl: i64) {
        self.expire(now);
        if self.prev.is_empty() {
            return;
        }
        if self.free.is_empty() {
            // The trap: evicts first, even when `key` is live and would only be replaced.
            let old = self.tail;
            self.index.remove(&self.key[old]);
            self.release(old);
        }
        let n = match self.index.get(&key) {
            Some(&n) => {
                self.unlink(n);
                n
            }
            None => {
                if self.free.is_empty() {
                    let old = self.tail;
                    self.index.remove(&self.key[old]);
                    self.release(old);
                }
                let n = self.free.pop().unwrap();
                self.key[n] = key;
                self.index.insert(key, n);
                n
            }
        };
        self.gen[n] = self.gen[n].wrapping_add(1);
        self.value[n] = value;
        self.push_front(n);
        if ttl > 0 {
            self.heap.push(Reverse((now + ttl, self.gen[n], n)));
        }
    }

    pub fn get(&mut self, now: i64, key: i64) -> i64 {
        self.expire(now);
        match self.index.get(&key) {
            None => -1,
            Some(&n) => {
                self.unlink(n);
                self.push_front(n);
                self.value[n]
            }
        }
    }

    pub fn remove(&mut self, now: i64, key: i64) -> bool {
        self.expire(now);
        match self.index.remove(&key) {
            None => false,
            Some(n) => {
                self.release(n);
                true
            }
        }
    }

    pub fn size(&mut self, now: i64) -> usize {
        self.expire(now);
        self.index.len()
    }
}
