// expect: WRONG_ANSWER
// fails-on: sample
// The trap: IN (...) and VALUES (...) lists are not collapsed, so one query shape with lists of
// different lengths becomes many fingerprints.
// Reference in TypeScript (strict): the same event rules and fingerprint steps as reference.cc. The log
// is read as latin1, one char per byte (a log need not be UTF-8), so string order is byte
// order; the number pattern is spelled out by hand; groups in a Map; times as integer
// microseconds (exact in a double up to 2^53).
import * as fs from "fs";

const isSpace = (c: string): boolean => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";
const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isHex = (c: string): boolean => isDigit(c) || (c >= "a" && c <= "f") || (c >= "A" && c <= "F");
const isAlnum = (c: string): boolean => isDigit(c) || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
const isWord = (c: string): boolean => isAlnum(c) || c === "_";

function micros(t: string): number {
  let whole = 0, frac = 0, i = 0, digits = 0;
  while (i < t.length && isDigit(t[i])) whole = whole * 10 + (t.charCodeAt(i++) - 48);
  if (i < t.length && t[i] === ".") {
    for (++i; i < t.length && isDigit(t[i]); ++i) {
      if (digits < 6) { frac = frac * 10 + (t.charCodeAt(i) - 48); ++digits; }
    }
  }
  while (digits++ < 6) frac *= 10;
  return whole * 1000000 + frac;
}

// Step 1: one left-to-right pass: comments become a space, string literals become ?.
function stripCommentsAndStrings(s: string): string {
  const out: string[] = [];
  const n = s.length;
  let i = 0, plain = 0;
  const flush = (upto: number): void => { if (upto > plain) out.push(s.slice(plain, upto)); };
  while (i < n) {
    const c = s[i];
    if (c === "/" && s[i + 1] === "*") {
      flush(i);
      const end = s.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
      out.push(" ");
      plain = i;
    } else if (c === "#" || (c === "-" && i + 2 < n && s[i + 1] === "-" && s[i + 2] === " ")) {
      flush(i);
      while (i < n && s[i] !== "\n") ++i;
      out.push(" ");
      plain = i;
    } else if (c === "'" || c === "\"") {
      flush(i);
      ++i;
      while (i < n) {
        if (s[i] === "\\") {
          i += 2;
        } else if (s[i] === c) {
          if (i + 1 < n && s[i + 1] === c) { i += 2; } else { ++i; break; }
        } else {
          ++i;
        }
      }
      if (i > n) i = n;
      out.push("?");
      plain = i;
    } else {
      ++i;
    }
  }
  flush(n);
  return out.join("");
}

// Step 2: numbers not touching an identifier; the regex's alternatives in its order (hex, then
// digits with optional fraction and exponent, longest first).
function replaceNumbers(s: string): string {
  const n = s.length;
  const aheadOk = (end: number): boolean => end >= n || !(isAlnum(s[end]) || s[end] === "_" || s[end] === "$");
  const exponent = (at: number): number => {
    if (at < n && (s[at] === "e" || s[at] === "E")) {
      let k = at + 1;
      if (k < n && (s[k] === "+" || s[k] === "-")) ++k;
      if (k < n && isDigit(s[k])) {
        while (k < n && isDigit(s[k])) ++k;
        return k;
      }
    }
    return 0;
  };
  const out: string[] = [];
  let i = 0, plain = 0;
  while (i < n) {
    const p = i > 0 ? s[i - 1] : " ";
    const behindOk = i === 0 || !(isAlnum(p) || p === "_" || p === "$" || p === ".");
    let matchEnd = 0;
    if (behindOk && isDigit(s[i])) {
      if (s[i] === "0" && i + 2 < n && (s[i + 1] === "x" || s[i + 1] === "X") && isHex(s[i + 2])) {
        let j = i + 2;
        while (j < n && isHex(s[j])) ++j;
        if (aheadOk(j)) matchEnd = j;
      }
      if (matchEnd === 0) {
        let d = i;
        while (d < n && isDigit(s[d])) ++d;
        let f = 0;
        if (d + 1 < n && s[d] === "." && isDigit(s[d + 1])) {
          f = d + 1;
          while (f < n && isDigit(s[f])) ++f;
        }
        const candidates: number[] = [];
        if (f > 0) {
          const e = exponent(f);
          if (e > 0) candidates.push(e);
          candidates.push(f);
        }
        const e = exponent(d);
        if (e > 0) candidates.push(e);
        candidates.push(d);
        for (const end of candidates) {
          if (aheadOk(end)) { matchEnd = end; break; }
        }
      }
    }
    if (matchEnd > 0) {
      if (i > plain) out.push(s.slice(plain, i));
      out.push("?");
      i = matchEnd;
      plain = i;
    } else {
      ++i;
    }
  }
  if (n > plain) out.push(s.slice(plain, n));
  return out.join("");
}

// A `(` group holding only ?, comma and spaces at s[i]: the index after `)`, or 0.
function group(s: string, i: number): number {
  if (i >= s.length || s[i] !== "(") return 0;
  ++i;
  while (i < s.length && (s[i] === "?" || s[i] === "," || s[i] === " ")) ++i;
  return i < s.length && s[i] === ")" ? i + 1 : 0;
}

function fingerprint(text: string): string {
  let s = replaceNumbers(stripCommentsAndStrings(text));
  s = s.replace(/[A-Z]+/g, (m: string) => m.toLowerCase());  // ASCII letters only
  s = s.replace(/[ \t\n\r\f\v]+/g, " ");  // step 4
  let a = 0, b = s.length;
  while (a < b && s[a] === " ") ++a;
  while (b > a && s[b - 1] === " ") --b;
  let t = s.slice(a, b);
  if (t.endsWith(";")) t = t.slice(0, -1).replace(/ +$/, "");  // step 5
  let u = "";  // step 6: the word null
  for (let i = 0; i < t.length;) {
    if (t.startsWith("null", i) && (i === 0 || !isWord(t[i - 1])) && (i + 4 >= t.length || !isWord(t[i + 4]))) {
      u += "?";
      i += 4;
    } else {
      u += t[i++];
    }
  }
  let v = "";  // step 7: in(...) and values(...) lists
  for (let i = 0; i < u.length;) {
    let word = 0;
    if (i === 0 || !isWord(u[i - 1])) {
      word = 0;
    }
    if (word > 0) {
      let j = i + word;
      if (u[j] === " ") ++j;
      let end = group(u, j);
      if (end > 0) {
        for (;;) {
          let m = end;
          if (u[m] === " ") ++m;
          if (m >= u.length || u[m] !== ",") break;
          ++m;
          if (u[m] === " ") ++m;
          const next = group(u, m);
          if (next === 0) break;
          end = next;
        }
        v += u.slice(i, i + word) + "(?+)";
        i = end;
        continue;
      }
    }
    v += u[i++];
  }
  let w = "";  // step 8: limit ?, ? and limit ? offset ?
  for (let i = 0; i < v.length;) {
    if (v.startsWith("limit ?", i) && (i === 0 || !isWord(v[i - 1]))) {
      const j = i + 7;
      let end = 0, m = j;
      if (v[m] === " ") ++m;
      if (v[m] === ",") {
        ++m;
        if (v[m] === " ") ++m;
        if (v[m] === "?") end = m + 1;
      }
      if (end === 0 && v.startsWith(" offset ?", j)) end = j + 9;
      if (end > 0) {
        w += "limit ?";
        i = end;
        continue;
      }
    }
    w += v[i++];
  }
  return w;
}

const BANNER_TIME = /^Time[ \t\n\r\f\v]+Id[ \t\n\r\f\v]+Command[ \t\n\r\f\v]+Argument/;
function isBanner(line: string): boolean {
  return (line.includes("mysqld, Version:") && line.endsWith("started with:")) ||
      line.startsWith("Tcp port:") || BANNER_TIME.test(line);
}

const all = fs.readFileSync(0).toString("latin1");
let nl = all.indexOf("\n");
const first = (nl < 0 ? all : all.slice(0, nl)).trim().split(/\s+/);
const threshold = micros(first[0] || "0");
const topN = parseInt(first[1] || "0", 10);
const groups = new Map<string, number[]>();
let counted = 0;
interface Event {
  active: boolean; hasQt: boolean; admin: boolean; hasText: boolean;
  kinds: number; qt: number; rows: number; text: string[];
}
const newEvent = (active: boolean): Event => ({ active, hasQt: false, admin: false, hasText: false, kinds: 0, qt: 0, rows: 0, text: [] });
let ev = newEvent(false);

function finish(): void {
  if (!ev.active || !ev.hasQt || ev.admin || !ev.hasText) return;
  const text = ev.text.join("\n");
  if (/^[ \t\n\r\f\v]*$/.test(text) || ev.qt <= threshold) return;
  const fp = fingerprint(text);
  let g = groups.get(fp);
  if (g === undefined) {
    g = [0, 0, 0, 0];
    groups.set(fp, g);
  }
  ++counted;
  g[0]++;
  g[1] += ev.qt;
  if (ev.qt > g[2]) g[2] = ev.qt;
  g[3] += ev.rows;
}

let pos = nl < 0 ? all.length : nl + 1;
while (pos < all.length) {
  let end = all.indexOf("\n", pos);
  if (end < 0) end = all.length;
  let line = all.slice(pos, end);
  pos = end + 1;
  if (line.endsWith("\r")) line = line.slice(0, -1);
  if (isBanner(line)) {
    finish();
    ev = newEvent(false);
    continue;
  }
  const kind = line.startsWith("# Time:") ? 1 : line.startsWith("# User@Host:") ? 2 : line.startsWith("# Query_time:") ? 4 : 0;
  if (kind !== 0) {
    if (!ev.active || ev.hasText || (ev.kinds & kind) !== 0) {
      finish();
      ev = newEvent(true);
    }
    ev.kinds |= kind;
    if (kind === 4) {
      const q = /Query_time:[ \t\n\r\f\v]*([0-9][0-9.]*)/.exec(line);
      if (q) {
        ev.hasQt = true;
        ev.qt = micros(q[1]);
      }
      const r = /Rows_examined:[ \t\n\r\f\v]*([0-9]+)/.exec(line);
      if (r) ev.rows = Number(r[1]);
    }
    continue;
  }
  ev.active = true;
  if (!ev.hasText) {
    if (line.startsWith("#")) {
      if (line.startsWith("# administrator command:")) ev.admin = true;
      continue;
    }
    const stripped = line.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, "");
    if (stripped === "" || (line.startsWith("use ") && stripped.endsWith(";")) ||
        line.startsWith("SET timestamp=") || line.startsWith("SET insert_id=") ||
        line.startsWith("SET last_insert_id=")) {
      continue;
    }
    ev.hasText = true;
    ev.text = [line];
  } else {
    ev.text.push(line);
  }
}
finish();

const ranked = [...groups.keys()].sort((x, y) => {
  const byTotal = groups.get(y)![1] - groups.get(x)![1];
  if (byTotal !== 0) return byTotal;
  return x < y ? -1 : x > y ? 1 : 0;  // chars are bytes: byte order
});
const seconds = (us: number): string => `${Math.floor(us / 1000000)}.${String(us % 1000000).padStart(6, "0")}`;
const out = [`${counted} ${groups.size}`];
for (let i = 0; i < ranked.length && i < topN; i++) {
  const g = groups.get(ranked[i])!;
  out.push(`${g[0]}\t${seconds(g[1])}\t${seconds(g[2])}\t${g[3]}\t${ranked[i]}`);
}
fs.writeFileSync(1, Buffer.from(out.join("\n") + "\n", "latin1"));
