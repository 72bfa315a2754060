// Harness for the class form of ttl-lru-cache (JavaScript, and TypeScript compiled to
// solution.js): reads `C Q` and the Q operations from stdin, drives the candidate's class
// TtlLruCache from solution.js and prints one line per GET (the value or -1), DEL (1 or 0) and
// SIZE (the count).
//
// The harness owns stdout: its answers are written to fd 1 with fs.writeSync at the end, and
// before any of the candidate's code runs, process.stdout and console.log/info/debug point at
// stderr, so the candidate's logging never changes the answer. (process.stdout is replaced
// before it is ever created: Node never turns fd 1 into a non-blocking stream.)
//
// solution.js is compiled as the body of a function (module, exports, require), not loaded as a
// module: no export is needed, its top-level names are its own (a class may be called Event or
// Record), and its errors and stack traces name solution.js and its own lines. `export class`
// and `export default class` (ES module style) are accepted: the keywords are blanked out with
// spaces, so lines and columns stay the same.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const SOURCE = "solution.js";

function takeStdout() {
  Object.defineProperty(process, "stdout", {
    configurable: true,
    enumerable: true,
    get() { return process.stderr; },
  });
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
}

function writeAll(fd, buf) {
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);  // a full pipe: wait 1 ms
    }
  }
}

// `export class X` -> `       class X`, `export default class X` -> `               class X`,
// `export { X };` -> spaces. Only at the start of a line (a string or comment that starts a
// line with `export ` would be blanked too: harmless in a comment, rare in a string).
function blankExports(code) {
  const spaces = (s) => s.replace(/[^\n]/g, " ");
  return code
    .replace(/^([ \t]*)export[ \t]*\{[^}]*\}[ \t]*;?/gm, (m) => spaces(m))
    .replace(/^([ \t]*)(export[ \t]+(?:default[ \t]+)?)(?=[A-Za-z_$])/gm,
             (m, indent, kw) => indent + spaces(kw));
}

function loadCandidate() {
  const file = path.join(__dirname, SOURCE);
  const code = blankExports(fs.readFileSync(file, "utf8"));
  // A SyntaxError is printed as Node prints an uncaught one (solution.js:LINE, the line, a
  // caret, the message), without the harness's frames under it.
  let fn;
  try {
    fn = vm.compileFunction(
        code + "\nreturn typeof TtlLruCache !== \"undefined\" ? TtlLruCache : " +
            "(module.exports.TtlLruCache || exports.TtlLruCache);",
        ["module", "exports", "require"], { filename: SOURCE });
  } catch (e) {
    process.stderr.write(String(e && e.stack ? e.stack : e).split("\n    at ")[0] + "\n");
    process.exit(1);
  }
  const mod = { exports: {} };
  let cls = fn.call(mod.exports, mod, mod.exports, require);
  if (cls === undefined && typeof mod.exports === "function") cls = mod.exports;
  if (cls === undefined && mod.exports && typeof mod.exports.default === "function") {
    cls = mod.exports.default;
  }
  if (typeof cls !== "function") {
    process.stderr.write(SOURCE + ": no class TtlLruCache found (declare `class TtlLruCache`" +
                         " at the top level of the file)\n");
    process.exit(1);
  }
  return cls;
}

function main() {
  const data = fs.readFileSync(0);
  takeStdout();
  const Cache = loadCandidate();

  const len = data.length;
  let at = 0;
  function number() {
    while (at < len && data[at] <= 32) at++;
    let v = 0;
    while (at < len) {
      const c = data[at] - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      at++;
    }
    return v;  // up to 3e9: exact in a double
  }
  function word() {
    while (at < len && data[at] <= 32) at++;
    const first = data[at];
    while (at < len && data[at] > 32) at++;
    return first;
  }

  while (at < len && data[at] <= 32) at++;
  if (at === len) return;  // empty input
  const cap = number();
  const q = number();
  const cache = new Cache(cap);

  let out = Buffer.allocUnsafe(1 << 16);
  let olen = 0;
  function room(n) {
    if (olen + n > out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, olen + n));
      out.copy(bigger, 0, 0, olen);
      out = bigger;
    }
  }
  // One answer and its newline: integers digit by digit, anything else as String(v) prints it
  // (a wrong type is then a wrong answer, not a crash).
  function emit(v) {
    if (typeof v !== "number" || !Number.isSafeInteger(v)) {
      const s = String(v);
      room(3 * s.length + 1);
      olen += out.write(s, olen);
      out[olen++] = 10;
      return;
    }
    room(24);
    if (v < 0) { out[olen++] = 45; v = -v; }
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = olen + digits;
    olen = p + 1;
    out[p] = 10;
    do { out[--p] = 48 + (v % 10); v = Math.floor(v / 10); } while (v > 0);
  }

  for (let i = 0; i < q; i++) {
    const op = word();
    const now = number();
    if (op === 80) {  // PUT
      const key = number(), value = number(), ttl = number();
      cache.put(now, key, value, ttl);
    } else if (op === 71) {  // GET
      emit(cache.get(now, number()));
    } else if (op === 68) {  // DEL
      room(2);
      out[olen++] = cache.remove(now, number()) ? 49 : 48;
      out[olen++] = 10;
    } else if (op === 83) {  // SIZE
      emit(cache.size(now));
    } else {
      process.stderr.write("main.js: malformed input at operation " + (i + 1) + "\n");
      process.exit(1);
    }
  }
  writeAll(1, out.subarray(0, olen));
}

main();
process.exit(0);  // the candidate's timers or handles never keep the judge waiting
