// expect: ACCEPTED
// Reference in Rust: a HashMap from key to a node of a pooled doubly linked list (recency), and
// a BinaryHeap of deadlines whose entries carry the node's generation, so entries of replaced
// or removed nodes are skipped. O(log n) per operation.
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read, Write};

const NONE: usize = usize::MAX;

struct Lru {
    prev: Vec<usize>,
    next: Vec<usize>,
    gen: Vec<u32>,
    key: Vec<u64>,
    value: Vec<u64>,
    head: usize,
    tail: usize,
}

impl Lru {
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
}

// The input as words, read one at a time: each word's first byte (the operation's letter) and
// its value as a number. (Not collected first: a million operations are five million words.)
struct Words<'a> {
    data: &'a [u8],
    at: usize,
}

impl Words<'_> {
    fn next(&mut self) -> (u8, u64) {
        let data = self.data;
        let mut at = self.at;
        while at < data.len() && data[at] <= b' ' {
            at += 1;
        }
        if at >= data.len() {
            self.at = at;
            return (0, 0);
        }
        let first = data[at];
        let mut v: u64 = 0;
        while at < data.len() && data[at] > b' ' {
            if data[at].is_ascii_digit() {
                v = v * 10 + (data[at] - b'0') as u64;
            }
            at += 1;
        }
        self.at = at;
        (first, v)
    }
}

// Keys are the input's own numbers: a multiplicative hash is enough, and far cheaper than SipHash.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

fn main() {
    let mut data = Vec::new();
    io::stdin().read_to_end(&mut data).unwrap();
    let mut words = Words { data: &data, at: 0 };
    let mut next = || words.next();
    let capacity = next().1 as usize;
    let q = next().1;
    let mut lru = Lru {
        prev: vec![NONE; capacity],
        next: vec![NONE; capacity],
        gen: vec![0; capacity],
        key: vec![0; capacity],
        value: vec![0; capacity],
        head: NONE,
        tail: NONE,
    };
    let mut free: Vec<usize> = (0..capacity).rev().collect();
    let mut index: HashMap<u64, usize, BuildHasherDefault<KeyHasher>> =
        HashMap::with_capacity_and_hasher(capacity * 2, Default::default());
    let mut heap: BinaryHeap<Reverse<(u64, u32, usize)>> = BinaryHeap::new();
    let mut out = Vec::with_capacity(1 << 20);
    for _ in 0..q {
        let op = next().0;
        let now = next().1;
        while let Some(&Reverse((deadline, g, n))) = heap.peek() {
            if deadline > now {
                break;
            }
            heap.pop();
            if lru.gen[n] == g {
                index.remove(&lru.key[n]);
                lru.unlink(n);
                lru.gen[n] += 1;
                free.push(n);
            }
        }
        match op {
            b'P' => {
                let (key, value, ttl) = (next().1, next().1, next().1);
                let n = match index.get(&key) {
                    Some(&n) => {
                        lru.unlink(n);
                        n
                    }
                    None => {
                        if free.is_empty() {
                            let old = lru.tail;
                            lru.unlink(old);
                            index.remove(&lru.key[old]);
                            lru.gen[old] += 1;
                            free.push(old);
                        }
                        let n = free.pop().unwrap();
                        lru.key[n] = key;
                        index.insert(key, n);
                        n
                    }
                };
                lru.gen[n] += 1;
                lru.value[n] = value;
                lru.push_front(n);
                if ttl > 0 {
                    heap.push(Reverse((now + ttl, lru.gen[n], n)));
                }
            }
            b'G' => match index.get(&next().1) {
                None => out.extend_from_slice(b"-1\n"),
                Some(&n) => {
                    lru.unlink(n);
                    lru.push_front(n);
                    writeln!(out, "{}", lru.value[n]).unwrap();
                }
            },
            b'D' => match index.remove(&next().1) {
                None => out.extend_from_slice(b"0\n"),
                Some(n) => {
                    lru.unlink(n);
                    lru.gen[n] += 1;
                    free.push(n);
                    out.extend_from_slice(b"1\n");
                }
            },
            _ => writeln!(out, "{}", index.len()).unwrap(),
        }
    }
    io::stdout().write_all(&out).unwrap();
}
