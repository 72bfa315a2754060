// expect: WRONG_ANSWER
// fails-on: administrator-commands
// The trap: `# administrator command:` events (Quit, Ping, ...) are counted as queries.
// Reference in Rust: the same event rules and fingerprint steps as reference.cc, on bytes (a
// log need not be UTF-8); the number pattern's lookbehind, lookahead and backtracking spelled
// out by hand (std has no regex); groups in a HashMap; times as integer microseconds.
use std::collections::HashMap;
use std::io::{self, Read, Write};

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c | 0x0b)
}
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}
fn starts(s: &[u8], i: usize, w: &[u8]) -> bool {
    i + w.len() <= s.len() && &s[i..i + w.len()] == w
}
fn find(s: &[u8], from: usize, w: &[u8]) -> Option<usize> {
    if from > s.len() {
        return None;
    }
    s[from..].windows(w.len()).position(|x| x == w).map(|p| p + from)
}

fn micros(t: &[u8]) -> i64 {
    let (mut whole, mut frac, mut i, mut digits) = (0i64, 0i64, 0usize, 0);
    while i < t.len() && t[i].is_ascii_digit() {
        whole = whole * 10 + (t[i] - b'0') as i64;
        i += 1;
    }
    if i < t.len() && t[i] == b'.' {
        i += 1;
        while i < t.len() && t[i].is_ascii_digit() {
            if digits < 6 {
                frac = frac * 10 + (t[i] - b'0') as i64;
                digits += 1;
            }
            i += 1;
        }
    }
    while digits < 6 {
        frac *= 10;
        digits += 1;
    }
    whole * 1_000_000 + frac
}

// Step 1: one left-to-right pass: comments become a space, string literals become ?.
fn strip_comments_and_strings(s: &[u8]) -> Vec<u8> {
    let (n, mut i) = (s.len(), 0usize);
    let mut out = Vec::with_capacity(n);
    while i < n {
        let c = s[i];
        if c == b'/' && i + 1 < n && s[i + 1] == b'*' {
            i = match find(s, i + 2, b"*/") {
                Some(e) => e + 2,
                None => n,
            };
            out.push(b' ');
        } else if c == b'#' || (c == b'-' && i + 2 < n && s[i + 1] == b'-' && s[i + 2] == b' ') {
            while i < n && s[i] != b'\n' {
                i += 1;
            }
            out.push(b' ');
        } else if c == b'\'' || c == b'"' {
            i += 1;
            while i < n {
                if s[i] == b'\\' {
                    i += 2;
                } else if s[i] == c {
                    if i + 1 < n && s[i + 1] == c {
                        i += 2;
                    } else {
                        i += 1;
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            i = i.min(n);
            out.push(b'?');
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

// Step 2: numbers not touching an identifier; the regex's alternatives in its order (hex, then
// digits with optional fraction and exponent, longest first).
fn replace_numbers(s: &[u8]) -> Vec<u8> {
    let n = s.len();
    let mut out = Vec::with_capacity(n);
    let ahead_ok = |end: usize| end >= n || !(s[end].is_ascii_alphanumeric() || s[end] == b'_' || s[end] == b'$');
    let exponent = |at: usize| -> usize {
        if at < n && (s[at] == b'e' || s[at] == b'E') {
            let mut k = at + 1;
            if k < n && (s[k] == b'+' || s[k] == b'-') {
                k += 1;
            }
            if k < n && s[k].is_ascii_digit() {
                while k < n && s[k].is_ascii_digit() {
                    k += 1;
                }
                return k;
            }
        }
        0
    };
    let mut i = 0;
    while i < n {
        let p = if i > 0 { s[i - 1] } else { b' ' };
        let behind_ok = i == 0 || !(p.is_ascii_alphanumeric() || p == b'_' || p == b'$' || p == b'.');
        let mut match_end = 0;
        if behind_ok && s[i].is_ascii_digit() {
            if s[i] == b'0' && i + 2 < n && (s[i + 1] == b'x' || s[i + 1] == b'X') && s[i + 2].is_ascii_hexdigit() {
                let mut j = i + 2;
                while j < n && s[j].is_ascii_hexdigit() {
                    j += 1;
                }
                if ahead_ok(j) {
                    match_end = j;
                }
            }
            if match_end == 0 {
                let mut d = i;
                while d < n && s[d].is_ascii_digit() {
                    d += 1;
                }
                let mut f = 0;
                if d + 1 < n && s[d] == b'.' && s[d + 1].is_ascii_digit() {
                    f = d + 1;
                    while f < n && s[f].is_ascii_digit() {
                        f += 1;
                    }
                }
                let mut candidates = Vec::with_capacity(4);
                if f > 0 {
                    let e = exponent(f);
                    if e > 0 {
                        candidates.push(e);
                    }
                    candidates.push(f);
                }
                let e = exponent(d);
                if e > 0 {
                    candidates.push(e);
                }
                candidates.push(d);
                if let Some(&end) = candidates.iter().find(|&&end| ahead_ok(end)) {
                    match_end = end;
                }
            }
        }
        if match_end > 0 {
            out.push(b'?');
            i = match_end;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

// A `(` group holding only ?, comma and spaces at s[i]: the index after `)`, or 0.
fn group(s: &[u8], mut i: usize) -> usize {
    if i >= s.len() || s[i] != b'(' {
        return 0;
    }
    i += 1;
    while i < s.len() && matches!(s[i], b'?' | b',' | b' ') {
        i += 1;
    }
    if i < s.len() && s[i] == b')' {
        i + 1
    } else {
        0
    }
}

fn fingerprint(text: &[u8]) -> Vec<u8> {
    let mut s = replace_numbers(&strip_comments_and_strings(text));
    s.make_ascii_lowercase();
    let mut t: Vec<u8> = Vec::with_capacity(s.len()); // step 4: collapse whitespace, trim
    for &c in &s {
        if is_space(c) {
            if t.last().map_or(false, |&l| l != b' ') {
                t.push(b' ');
            }
        } else {
            t.push(c);
        }
    }
    while t.last() == Some(&b' ') {
        t.pop();
    }
    if t.last() == Some(&b';') {
        t.pop(); // step 5
        while t.last() == Some(&b' ') {
            t.pop();
        }
    }
    let mut u = Vec::with_capacity(t.len()); // step 6: the word null
    let mut i = 0;
    while i < t.len() {
        if starts(&t, i, b"null") && (i == 0 || !is_word(t[i - 1])) && (i + 4 >= t.len() || !is_word(t[i + 4])) {
            u.push(b'?');
            i += 4;
        } else {
            u.push(t[i]);
            i += 1;
        }
    }
    let mut v = Vec::with_capacity(u.len()); // step 7: in(...) and values(...) lists
    i = 0;
    'outer: while i < u.len() {
        let mut word = 0;
        if i == 0 || !is_word(u[i - 1]) {
            if starts(&u, i, b"in") {
                word = 2;
            } else if starts(&u, i, b"values") {
                word = 6;
            }
        }
        if word > 0 {
            let mut j = i + word;
            if j < u.len() && u[j] == b' ' {
                j += 1;
            }
            let mut end = group(&u, j);
            if end > 0 {
                loop {
                    let mut m = end;
                    if m < u.len() && u[m] == b' ' {
                        m += 1;
                    }
                    if m >= u.len() || u[m] != b',' {
                        break;
                    }
                    m += 1;
                    if m < u.len() && u[m] == b' ' {
                        m += 1;
                    }
                    let next = group(&u, m);
                    if next == 0 {
                        break;
                    }
                    end = next;
                }
                v.extend_from_slice(&u[i..i + word]);
                v.extend_from_slice(b"(?+)");
                i = end;
                continue 'outer;
            }
        }
        v.push(u[i]);
        i += 1;
    }
    let mut w = Vec::with_capacity(v.len()); // step 8: limit ?, ? and limit ? offset ?
    i = 0;
    while i < v.len() {
        if starts(&v, i, b"limit ?") && (i == 0 || !is_word(v[i - 1])) {
            let j = i + 7;
            let mut end = 0;
            let mut m = j;
            if m < v.len() && v[m] == b' ' {
                m += 1;
            }
            if m < v.len() && v[m] == b',' {
                m += 1;
                if m < v.len() && v[m] == b' ' {
                    m += 1;
                }
                if m < v.len() && v[m] == b'?' {
                    end = m + 1;
                }
            }
            if end == 0 && starts(&v, j, b" offset ?") {
                end = j + 9;
            }
            if end > 0 {
                w.extend_from_slice(b"limit ?");
                i = end;
                continue;
            }
        }
        w.push(v[i]);
        i += 1;
    }
    w
}

fn is_banner(line: &[u8]) -> bool {
    if find(line, 0, b"mysqld, Version:").is_some() && line.ends_with(b"started with:") {
        return true;
    }
    if line.starts_with(b"Tcp port:") {
        return true;
    }
    // Time\s+Id\s+Command\s+Argument at the start of the line.
    let mut i = 0;
    for (k, word) in [&b"Time"[..], b"Id", b"Command", b"Argument"].iter().enumerate() {
        if k > 0 {
            let start = i;
            while i < line.len() && is_space(line[i]) {
                i += 1;
            }
            if i == start {
                return false;
            }
        }
        if !starts(line, i, word) {
            return false;
        }
        i += word.len();
    }
    true
}

#[derive(Default)]
struct Stats {
    count: i64,
    total: i64,
    max: i64,
    rows: i64,
}

#[derive(Default)]
struct Event {
    active: bool,
    has_qt: bool,
    admin: bool,
    has_text: bool,
    kinds: u8,
    qt: i64,
    rows: i64,
    text: Vec<u8>,
}

fn main() {
    let mut data = Vec::new();
    io::stdin().read_to_end(&mut data).unwrap();
    let nl = data.iter().position(|&c| c == b'\n');
    let first = &data[..nl.unwrap_or(data.len())];
    let first_text = String::from_utf8_lossy(first);
    let mut fields = first_text.split_whitespace();
    let threshold = micros(fields.next().unwrap_or("0").as_bytes());
    let top_n: usize = fields.next().and_then(|f| f.parse().ok()).unwrap_or(0);
    let mut groups: HashMap<Vec<u8>, Stats> = HashMap::with_capacity(1 << 16);
    let mut counted: i64 = 0;
    let mut ev = Event::default();

    let mut finish = |ev: &Event, groups: &mut HashMap<Vec<u8>, Stats>| {
        if !ev.active || !ev.has_qt || ev.admin || !ev.has_text {
            return;
        }
        if ev.text.iter().all(|&c| is_space(c)) || ev.qt <= threshold {
            return;
        }
        let g = groups.entry(fingerprint(&ev.text)).or_default();
        counted += 1;
        g.count += 1;
        g.total += ev.qt;
        g.max = g.max.max(ev.qt);
        g.rows += ev.rows;
    };

    let mut pos = nl.map_or(data.len(), |p| p + 1);
    while pos < data.len() {
        let end = data[pos..].iter().position(|&c| c == b'\n').map_or(data.len(), |p| p + pos);
        let mut line = &data[pos..end];
        pos = end + 1;
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        if is_banner(line) {
            finish(&ev, &mut groups);
            ev = Event::default();
            continue;
        }
        let kind = if line.starts_with(b"# Time:") {
            1
        } else if line.starts_with(b"# User@Host:") {
            2
        } else if line.starts_with(b"# Query_time:") {
            4
        } else {
            0
        };
        if kind != 0 {
            if !ev.active || ev.has_text || ev.kinds & kind != 0 {
                finish(&ev, &mut groups);
                ev = Event { active: true, ..Default::default() };
            }
            ev.kinds |= kind;
            if kind == 4 {
                let mut k = find(line, 0, b"Query_time:").unwrap() + 11;
                while k < line.len() && is_space(line[k]) {
                    k += 1;
                }
                let s = k;
                while k < line.len() && (line[k].is_ascii_digit() || line[k] == b'.') {
                    k += 1;
                }
                if k > s && line[s].is_ascii_digit() {
                    ev.has_qt = true;
                    ev.qt = micros(&line[s..k]);
                }
                if let Some(r) = find(line, 0, b"Rows_examined:") {
                    let mut m = r + 14;
                    while m < line.len() && is_space(line[m]) {
                        m += 1;
                    }
                    let (mut v, mut any) = (0i64, false);
                    while m < line.len() && line[m].is_ascii_digit() {
                        v = v * 10 + (line[m] - b'0') as i64;
                        m += 1;
                        any = true;
                    }
                    if any {
                        ev.rows = v;
                    }
                }
            }
            continue;
        }
        ev.active = true;
        if !ev.has_text {
            if line.starts_with(b"# administrator command:") {
                // Taken for the query text.
                ev.has_text = true;
                ev.text.clear();
                ev.text.extend_from_slice(&line[24..]);
                continue;
            }
            if line.first() == Some(&b'#') {
                continue;
            }
            let a = line.iter().position(|&c| !is_space(c));
            let stripped_empty = a.is_none();
            let ends_semicolon = line.iter().rposition(|&c| !is_space(c)).map_or(false, |b| line[b] == b';');
            if stripped_empty
                || (line.starts_with(b"use ") && ends_semicolon)
                || line.starts_with(b"SET timestamp=")
                || line.starts_with(b"SET insert_id=")
                || line.starts_with(b"SET last_insert_id=")
            {
                continue;
            }
            ev.has_text = true;
            ev.text.clear();
            ev.text.extend_from_slice(line);
        } else {
            ev.text.push(b'\n');
            ev.text.extend_from_slice(line);
        }
    }
    finish(&ev, &mut groups);

    let mut ranked: Vec<(&Vec<u8>, &Stats)> = groups.iter().collect();
    ranked.sort_by(|a, b| b.1.total.cmp(&a.1.total).then_with(|| a.0.cmp(b.0)));
    let mut out = Vec::with_capacity(1 << 20);
    writeln!(out, "{} {}", counted, groups.len()).unwrap();
    for (fp, g) in ranked.iter().take(top_n) {
        write!(out, "{}\t{}.{:06}\t{}.{:06}\t{}\t", g.count, g.total / 1_000_000, g.total % 1_000_000,
               g.max / 1_000_000, g.max % 1_000_000, g.rows).unwrap();
        out.extend_from_slice(fp);
        out.push(b'\n');
    }
    io::stdout().write_all(&out).unwrap();
}
