// Harness of the class form of ttl-lru-cache (Rust): reads the test input ("C Q", then Q
// lines PUT t key value ttl / GET t key / DEL t key / SIZE t), calls TtlLruCache::new(C), makes
// one method call per line and prints one answer per GET (the value or -1), DEL (1 or 0) and
// SIZE. No input, or Q = 0, prints nothing. The candidate's solution.rs is the module
// `solution` of this crate.
// Stdout rule: before any of the candidate's code runs, the harness keeps the real stdout as a
// private descriptor for its answers and points descriptor 1 at stderr, so whatever the
// candidate prints (println!, io::stdout()) goes to stderr and never changes the answer.
mod solution;

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::io::FromRawFd;

extern "C" {
    fn dup(fd: i32) -> i32;
    fn dup2(old: i32, new: i32) -> i32;
}

// The input, read in 64 KiB chunks (a whole 10^6-line input read at once would cost the
// candidate its page faults). Blanks are the bytes <= b' '.
struct Input {
    file: std::mem::ManuallyDrop<File>, // fd 0, never closed
    buf: Vec<u8>,
    len: usize,
    pos: usize,
    eof: bool,
}

impl Input {
    // The next chunk; false at the end of the input.
    fn refill(&mut self) -> bool {
        self.pos = 0;
        self.len = 0;
        while !self.eof {
            match self.file.read(&mut self.buf) {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    self.len = n;
                    return true;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => self.eof = true,
            }
        }
        false
    }

    // Skips blanks; false at the end of the input.
    fn more(&mut self) -> bool {
        loop {
            while self.pos < self.len && self.buf[self.pos] <= b' ' {
                self.pos += 1;
            }
            if self.pos < self.len {
                return true;
            }
            if !self.refill() {
                return false;
            }
        }
    }

    fn skip_word(&mut self) {
        loop {
            while self.pos < self.len && self.buf[self.pos] > b' ' {
                self.pos += 1;
            }
            if self.pos < self.len || !self.refill() {
                return;
            }
        }
    }

    // The next word's first byte (the operation's letter), or 0 at the end of the input.
    fn op(&mut self) -> u8 {
        if !self.more() {
            return 0;
        }
        let first = self.buf[self.pos];
        self.skip_word();
        first
    }

    fn int(&mut self) -> i64 {
        if !self.more() {
            return 0;
        }
        let negative = self.buf[self.pos] == b'-';
        if negative {
            self.pos += 1;
        }
        let mut v: i64 = 0;
        loop {
            let (buf, len) = (&self.buf[..], self.len);
            let mut pos = self.pos;
            while pos < len && buf[pos].wrapping_sub(b'0') < 10 {
                v = v.wrapping_mul(10).wrapping_add((buf[pos] - b'0') as i64);
                pos += 1;
            }
            self.pos = pos;
            if pos < len || !self.refill() {
                break;
            }
        }
        self.skip_word();
        if negative {
            v.wrapping_neg()
        } else {
            v
        }
    }
}

struct Output {
    file: File,
    buf: Vec<u8>,
}

impl Output {
    fn flush(&mut self) {
        let _ = self.file.write_all(&self.buf);
        self.buf.clear();
    }

    fn answer(&mut self, v: i64) {
        if self.buf.len() + 24 > self.buf.capacity() {
            self.flush();
        }
        let mut digits = [0u8; 24];
        let mut n = 0;
        let mut u = v.unsigned_abs();
        loop {
            digits[n] = b'0' + (u % 10) as u8;
            n += 1;
            u /= 10;
            if u == 0 {
                break;
            }
        }
        if v < 0 {
            self.buf.push(b'-');
        }
        while n > 0 {
            n -= 1;
            self.buf.push(digits[n]);
        }
        self.buf.push(b'\n');
    }
}

fn main() {
    let fd = unsafe { dup(1) };
    if fd < 0 || unsafe { dup2(2, 1) } < 0 {
        std::process::exit(1);
    }
    let mut out = Output {
        file: unsafe { File::from_raw_fd(fd) },
        buf: Vec::with_capacity(1 << 16),
    };
    let mut input = Input {
        file: std::mem::ManuallyDrop::new(unsafe { File::from_raw_fd(0) }),
        buf: vec![0; 1 << 16],
        len: 0,
        pos: 0,
        eof: false,
    };
    if !input.more() {
        return;
    }
    let capacity = input.int();
    let q = input.int();
    let mut cache = solution::TtlLruCache::new(capacity.max(0) as usize);
    let mut i = 0;
    while i < q {
        i += 1;
        let op = input.op();
        if op == 0 {
            break;
        }
        let now = input.int();
        match op {
            b'P' => {
                let key = input.int();
                let value = input.int();
                let ttl = input.int();
                cache.put(now, key, value, ttl);
            }
            b'G' => {
                let key = input.int();
                let v = cache.get(now, key);
                out.answer(v);
            }
            b'D' => {
                let key = input.int();
                let v = if cache.remove(now, key) { 1 } else { 0 };
                out.answer(v);
            }
            _ => {
                let v = cache.size(now) as i64;
                out.answer(v);
            }
        }
    }
    out.flush();
}
