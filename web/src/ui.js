// What the page's views share: DOM helpers (text is always text), roles, verdict badges,
// errors, the header, and the results of a run (one row per test as they come in).
import * as api from "./api.js";

// ---- small DOM helpers: text is always text ---------------------------------------------------

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Replaces an element's children, skipping null and false (replaceChildren would print them).
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export const ROLE_NAMES = {
  ROLE_CANDIDATE: "candidate",
  ROLE_INTERVIEWER: "interviewer",
  ROLE_PLATFORM: "platform",
  ROLE_ADMIN: "admin",
};
export const role = () => ROLE_NAMES[(api.caller() || {}).role] || "";
// Candidates run too: a practice run on the sample tests (or their own input), never graded.
export const canRun = () => role() === "interviewer" || role() === "admin" || role() === "candidate";
// Live interview sessions: interviewers create and lead them (platforms and admins too).
export const canInterview = () => role() === "interviewer" || role() === "platform" || role() === "admin";
export const canSubmit = () => role() === "candidate" || role() === "platform" || role() === "admin";

export const VERDICTS = {
  VERDICT_ACCEPTED: ["Accepted", "ok"],
  VERDICT_WRONG_ANSWER: ["Wrong answer", "bad"],
  VERDICT_TIME_LIMIT_EXCEEDED: ["Time limit exceeded", "slow"],
  VERDICT_MEMORY_LIMIT_EXCEEDED: ["Memory limit exceeded", "mem"],
  VERDICT_OUTPUT_LIMIT_EXCEEDED: ["Output limit exceeded", "mem"],
  VERDICT_RUNTIME_ERROR: ["Runtime error", "bad"],
  VERDICT_COMPILATION_ERROR: ["Compilation error", "ce"],
  VERDICT_SECURITY_VIOLATION: ["Security violation", "sec"],
  VERDICT_INTERNAL_ERROR: ["Internal error", "ce"],
  VERDICT_CANCELLED: ["Stopped", "pending"],
};
export const DEFAULT_MAX_SOURCE_BYTES = 65536;
export const MODE_NAMES = {
  SUBMISSION_MODE_LIVE: "live",
  SUBMISSION_MODE_PRACTICE: "practice",
  SUBMISSION_MODE_TAKE_HOME: "take-home",
};
export const modeName = (m) => MODE_NAMES[m] || "take-home";
export const isPractice = (s) => s && s.mode === "SUBMISSION_MODE_PRACTICE";
export const num = (n) => Number(n).toLocaleString("en-US");

// `custom`: a run on custom input, where nothing was checked: ACCEPTED means it exited normally.
// `practice`: a candidate's run on the samples only: ACCEPTED means the samples pass.
export function verdictBadge(verdict, big = false, custom = false, practice = false) {
  let [name, cls] = VERDICTS[verdict] || ["Pending", "pending"];
  if (custom && verdict === "VERDICT_ACCEPTED") name = "Exited normally";
  else if (practice && verdict === "VERDICT_ACCEPTED") name = "Samples pass";
  return h(
    "span",
    { class: `verdict ${cls}${big ? " big" : ""}`, "data-verdict": (verdict || "").replace("VERDICT_", "") },
    name,
  );
}

export const stateName = (s) => (s || "").replace("SUBMISSION_STATE_", "").toLowerCase();
export const mib = (kib) => (Number(kib) / 1024).toFixed(Number(kib) >= 10240 ? 0 : 1);

export function errorBox(message) {
  return h("div", { class: "error", role: "alert" }, message);
}

export function showError(where, e) {
  const text =
    e instanceof api.ApiError
      ? e.status === 401
        ? `${e.message}. Sign in again with a valid token.`
        : e.message
      : String(e && e.message ? e.message : e);
  where.replaceChildren(errorBox(text));
}

// ---- the frame: header and navigation -----------------------------------------------------------

export function frame(...content) {
  const who = api.caller();
  const header = h(
    "header",
    {},
    h("a", { class: "brand", href: "#/challenges" }, "Judge"),
    h(
      "nav",
      {},
      h("a", { href: "#/challenges" }, "Challenges"),
      h("a", { href: "#/submissions" }, "Submissions"),
      canInterview() ? h("a", { href: "#/sessions", id: "nav-sessions" }, "Sessions") : null,
    ),
    h(
      "div",
      { class: "who" },
      h("span", { class: "role", id: "role" }, role()),
      who && who.candidateId ? h("span", { class: "cand" }, who.candidateId) : null,
      h(
        "button",
        {
          class: "link",
          onclick: () => {
            api.signOut();
            location.hash = "#/signin";
          },
        },
        "Sign out",
      ),
    ),
  );
  return [header, h("main", {}, ...content)];
}

// ---- results: one row per test as they come in ------------------------------------------------

// What a failed hidden test got, for interviewers (TestResult.detail: the heads of the input,
// the expected output and the program's output, each ending in "…" where the judge cut it): the
// input, then expected and got line by line with the first differing line highlighted.
const DIFF_CONTEXT_BEFORE = 8;
const DIFF_CONTEXT_AFTER = 12;

function splitLines(text) {
  const lines = (text || "").split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();  // the final newline
  return lines;
}

function detailDiff(d) {
  const want = splitLines(d.expected);
  const got = splitLines(d.output);
  const same = (a, b) => a !== undefined && b !== undefined && a.replace(/\s+$/, "") === b.replace(/\s+$/, "");
  const n = Math.max(want.length, got.length);
  let first = -1;
  for (let i = 0; i < n && first < 0; i++) if (!same(want[i], got[i])) first = i;
  // The judge sends only the heads: a difference further on is not in them.
  const cut = [d.expected, d.output].some((t) => (t || "").endsWith("…"));
  const from = Math.max(0, (first < 0 ? 0 : first) - DIFF_CONTEXT_BEFORE);
  const to = Math.min(n, (first < 0 ? 0 : first) + DIFF_CONTEXT_AFTER + 1);
  const cell = (line) => (line === undefined ? h("td", { class: "none" }, "(no line)") : h("td", { class: "line" }, line));
  const gap = (count) => h("tr", { class: "gap" }, h("td", {}, "…"), h("td", { colspan: 2, class: "muted" }, `… ${count} more line(s)`));
  const rows = [];
  if (from > 0) rows.push(gap(from));
  for (let i = from; i < to; i++) {
    const differs = !same(want[i], got[i]);
    rows.push(
      h(
        "tr",
        { class: i === first ? "differs first-diff" : differs ? "differs" : null, "data-line": i + 1 },
        h("td", { class: "num" }, i + 1),
        cell(want[i]),
        cell(got[i]),
      ),
    );
  }
  if (to < n) rows.push(gap(n - to));
  return h(
    "div",
    { class: "diffview" },
    h("div", { class: "diff-input" }, h("h4", {}, "Input (first lines)"), h("pre", { class: "detail-input" }, d.input || "(empty)")),
    h(
      "div",
      { class: "diff-lines" },
      first < 0
        ? h("h4", { class: "agree" }, cut ? `The first ${want.length} lines agree: the difference comes later (not shown)` : "Expected and got agree on the lines shown")
        : h("h4", {}, `First difference at line ${first + 1}`),
      h(
        "table",
        { class: "linediff" },
        h("thead", {}, h("tr", {}, h("th", { class: "num" }, "#"), h("th", {}, "Expected"), h("th", {}, "Got"))),
        h("tbody", {}, rows),
      ),
    ),
  );
}

export class ResultsView {
  // `links`: whether to link the submission's own page (not for a run the caller cannot read).
  constructor(el, limits, { links = true } = {}) {
    this.el = el;
    this.limits = limits || {};
    this.links = links;
  }

  start(text, id) {
    this.status = h("div", { class: "status", id: "status" }, h("span", { class: "spinner" }), " ", text);
    this.summary = h("div", { class: "summary", id: "summary" });
    this.rows = h("tbody", {});
    this.table = h(
      "table",
      { class: "tests", id: "tests" },
      h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "Test"), h("th", {}, "Verdict"), h("th", {}, "CPU"), h("th", {}, "Memory"))),
      this.rows,
    );
    this.extra = h("div", { class: "extra" });
    this.el.replaceChildren(this.status, this.summary, this.table, this.extra);
    const link = id && this.link(id);
    if (link) this.status.append(" ", link);
    this.seen = new Set();
    this.done = false;
  }

  // A link to the submission's own page, unless this is that page.
  link(id) {
    if (!this.links) return null;
    const page = `#/submissions/${id}`;
    return location.hash === page ? null : h("a", { href: page }, "open");
  }

  testRow(t) {
    const cpuLimit = this.limits.cpuTimeMs;
    const memLimit = this.limits.memoryKib;
    const row = h(
      "tr",
      { class: "test", "data-index": t.index },
      h("td", {}, t.index),
      h("td", {}, t.name, t.group && t.group !== t.name ? h("span", { class: "muted" }, ` (${t.group})`) : null, t.sample ? h("span", { class: "tag" }, "sample") : null),
      h("td", {}, verdictBadge(t.verdict)),
      h("td", { class: "num" }, `${t.cpuMs} ms`, cpuLimit ? h("span", { class: "muted" }, ` / ${cpuLimit}`) : null),
      h("td", { class: "num" }, `${mib(t.memoryKib)} MiB`, memLimit ? h("span", { class: "muted" }, ` / ${mib(memLimit)}`) : null),
    );
    const more = [];
    if (t.message) more.push(h("tr", { class: "diff" }, h("td", {}), h("td", { colspan: 4 }, h("pre", { class: "message" }, t.message))));
    if (t.trap) more.push(h("tr", { class: "trap" }, h("td", {}), h("td", { colspan: 4 }, "What this test catches: ", t.trap)));
    if (t.detail && role() !== "candidate" && t.verdict !== "VERDICT_ACCEPTED") {
      more.push(h("tr", { class: "detail", "data-index": t.index }, h("td", {}), h("td", { colspan: 4 }, detailDiff(t.detail))));
    }
    return [row, ...more];
  }

  addTest(t) {
    if (this.seen.has(t.index)) return;
    this.seen.add(t.index);
    this.rows.append(...this.testRow(t));
  }

  event(e) {
    if (this.done) return;
    const state = stateName(e.state);
    if (state === "queued") this.setStatus("Queued…");
    if (state === "compiling") this.setStatus("Compiling…");
    if (state === "running") {
      if (e.test && e.test.index) this.addTest(e.test);
      this.setStatus(`Running: ${this.seen.size} of ${e.testsTotal || "?"} tests done…`);
    }
    if (state === "finished" && e.submission) this.finish(e.submission);
  }

  setStatus(text) {
    this.status.replaceChildren(h("span", { class: "spinner" }), " ", text);
  }

  // The user pressed Stop: the stream is closed and the judge cancels the run.
  stopped() {
    if (this.done) return;
    this.done = true;
    fill(this.status, `Stopped after ${this.seen.size} test(s).`);
    fill(this.summary, verdictBadge("VERDICT_CANCELLED", true));
    if (!this.seen.size) this.table.hidden = true;
  }

  finish(s) {
    this.done = true;
    const cancelled = s.verdict === "VERDICT_CANCELLED";
    const practice = isPractice(s);
    if (practice) fill(this.status, `Finished: a practice run on ${s.useCustomStdin ? "your input" : "the sample tests"} (not a submission, not graded)`);
    else if (cancelled) fill(this.status, `Stopped: submission ${s.id}`, " ", this.link(s.id));
    else fill(this.status, `Finished: submission ${s.id}`, " ", this.link(s.id));
    for (const t of s.tests || []) this.addTest(t);
    if (!this.seen.size) this.table.hidden = true;  // nothing ran (a compilation error, say)
    fill(
      this.summary,
      verdictBadge(s.verdict, true, s.useCustomStdin, practice),
      s.useCustomStdin || practice || cancelled ? null : h("span", { class: "score", id: "score" }, `${s.score} / ${s.maxScore}`),
    );
    if (s.message) this.extra.append(h("p", { class: "muted" }, s.message));
    if (s.compileOutput) this.extra.append(h("h3", {}, "Compiler output"), h("pre", { class: "compile", id: "compile-output" }, s.compileOutput));
    if (s.useCustomStdin) {
      this.table.hidden = true;
      this.extra.append(h("h3", {}, "stdout"), h("pre", { id: "custom-stdout" }, s.customStdout || "(empty)"));
      this.extra.append(h("h3", {}, "stderr"), h("pre", { id: "custom-stderr" }, s.customStderr || "(empty)"));
    }
  }
}

