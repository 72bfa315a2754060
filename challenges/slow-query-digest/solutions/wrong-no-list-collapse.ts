// expect: WRONG_ANSWER
// fails-on: sample
// The trap: IN (...) and VALUES (...) lists are not collapsed, so one query shape with lists of
// different lengths becomes many fingerprints.
// Reference in TypeScript (strict): the same event rules and fingerprint steps as reference.cc. The log
// is read as latin1, one char per byte (a log need not be UTF-8), so string order is byte
// order; the fingerprint steps are the statement's regular expressions; groups in a Map; times as integer
// microseconds (exact in a double up to 2^53).
import * as fs from "fs";

const isDigit = (c: string): boolean => c >= "0" && c <= "9";

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

// The statement's patterns, as regular expressions (V8 has lookbehind). Step 1 is one
// left-to-right pass: comments become a space, string literals become ?.
const LEXEME = /\/\*[\s\S]*?(?:\*\/|$)|#[^\n]*|-- [^\n]*|'(?:[^'\\]|\\[\s\S]?|'')*(?:'|$)|"(?:[^"\\]|\\[\s\S]?|"")*(?:"|$)/g;
const NUMBER = /(?<![A-Za-z0-9_$.])(?:0[xX][0-9A-Fa-f]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(?![A-Za-z0-9_$])/g;
const UPPER = /[A-Z]+/g;
const SPACES = /[ \t\n\r\f\v]+/g;
// Without the u flag, \b is ASCII: letters, digits and _ are word characters.
const NULL = /\bnull\b/g;
const LISTS = /\b(in|values) ?\([?, ]*\)(?: ?, ?\([?, ]*\))*/g;
const LIMIT = /\blimit \?(?: ?, ?\?| offset \?)/g;

function fingerprint(text: string): string {
  let s = text.replace(LEXEME, (m: string) => (m[0] === "/" || m[0] === "#" || m[0] === "-" ? " " : "?"));
  s = s.replace(NUMBER, "?");
  s = s.replace(UPPER, (m: string) => m.toLowerCase());
  s = s.replace(SPACES, " ").replace(/^ | $/g, "");
  if (s.endsWith(";")) s = s.slice(0, -1).replace(/ $/, "");  // step 5
  s = s.replace(NULL, "?");  // step 6
  // step 7 skipped: IN (...) and VALUES (...) lists stay as they are
  s = s.replace(LIMIT, "limit ?");  // step 8
  return s;
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
