// The judge's page: sign in with a token, read a challenge, write code, run or submit it and
// watch the tests come in; look back at submissions. Everything the judge sends is shown as
// text (the statement's Markdown is rendered with raw HTML disabled).
import MarkdownIt from "markdown-it";
import * as api from "./api.js";
import { createEditor } from "./editor.js";
import { TEMPLATES, LANGUAGE_NAMES } from "./templates.js";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
const app = document.getElementById("app");

// ---- small DOM helpers: text is always text ---------------------------------------------------

function h(tag, attrs = {}, ...children) {
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
function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

const ROLE_NAMES = {
  ROLE_CANDIDATE: "candidate",
  ROLE_INTERVIEWER: "interviewer",
  ROLE_PLATFORM: "platform",
  ROLE_ADMIN: "admin",
};
const role = () => ROLE_NAMES[(api.caller() || {}).role] || "";
const canRun = () => role() === "interviewer" || role() === "admin";
const canSubmit = () => role() === "candidate" || role() === "platform" || role() === "admin";

const VERDICTS = {
  VERDICT_ACCEPTED: ["Accepted", "ok"],
  VERDICT_WRONG_ANSWER: ["Wrong answer", "bad"],
  VERDICT_TIME_LIMIT_EXCEEDED: ["Time limit exceeded", "slow"],
  VERDICT_MEMORY_LIMIT_EXCEEDED: ["Memory limit exceeded", "mem"],
  VERDICT_OUTPUT_LIMIT_EXCEEDED: ["Output limit exceeded", "mem"],
  VERDICT_RUNTIME_ERROR: ["Runtime error", "bad"],
  VERDICT_COMPILATION_ERROR: ["Compilation error", "ce"],
  VERDICT_SECURITY_VIOLATION: ["Security violation", "sec"],
  VERDICT_INTERNAL_ERROR: ["Internal error", "ce"],
};

// `custom`: a run on custom input, where nothing was checked: ACCEPTED means it exited normally.
function verdictBadge(verdict, big = false, custom = false) {
  let [name, cls] = VERDICTS[verdict] || ["Pending", "pending"];
  if (custom && verdict === "VERDICT_ACCEPTED") name = "Exited normally";
  return h(
    "span",
    { class: `verdict ${cls}${big ? " big" : ""}`, "data-verdict": (verdict || "").replace("VERDICT_", "") },
    name,
  );
}

const stateName = (s) => (s || "").replace("SUBMISSION_STATE_", "").toLowerCase();
const mib = (kib) => (Number(kib) / 1024).toFixed(Number(kib) >= 10240 ? 0 : 1);

function errorBox(message) {
  return h("div", { class: "error", role: "alert" }, message);
}

function showError(where, e) {
  const text =
    e instanceof api.ApiError
      ? e.status === 401
        ? `${e.message}. Sign in again with a valid token.`
        : e.message
      : String(e && e.message ? e.message : e);
  where.replaceChildren(errorBox(text));
}

// ---- the frame: header, navigation, routing ----------------------------------------------------

let current = { cleanup: () => {} };

function frame(...content) {
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

function route() {
  current.cleanup();
  current = { cleanup: () => {} };
  const hash = location.hash.replace(/^#/, "") || "/challenges";
  if (!api.token() && hash !== "/signin") {
    location.hash = "#/signin";
    return;
  }
  let m;
  if (hash === "/signin") return signInView();
  if (hash === "/challenges") return challengesView();
  if ((m = hash.match(/^\/challenges\/([\w.-]+)$/))) return challengeView(m[1]);
  if ((m = hash.match(/^\/submissions\/([\w.:@-]+)$/))) return submissionView(m[1]);
  if (hash.startsWith("/submissions")) return submissionsView(new URLSearchParams(hash.split("?")[1] || ""));
  app.replaceChildren(...frame(errorBox("No such page.")));
}

window.addEventListener("hashchange", route);

// ---- sign in -----------------------------------------------------------------------------------

function signInView() {
  const input = h("input", {
    id: "token",
    type: "password",
    autocomplete: "off",
    placeholder: "paste your token",
    "aria-label": "Token",
  });
  const status = h("div", { id: "signin-status" });
  const form = h(
    "form",
    {
      class: "signin",
      onsubmit: async (ev) => {
        ev.preventDefault();
        const tok = input.value.trim();
        if (!tok) {
          status.replaceChildren(errorBox("Paste the token you were given."));
          return;
        }
        status.replaceChildren(h("p", { class: "muted" }, "Checking…"));
        try {
          const who = await api.signIn(tok);
          status.replaceChildren(h("p", {}, `Signed in as ${ROLE_NAMES[who.role] || who.role}.`));
          location.hash = "#/challenges";
        } catch (e) {
          if (e instanceof api.ApiError && e.status === 401) {
            status.replaceChildren(errorBox(`That token was not accepted (${e.message}).`));
          } else {
            showError(status, e);
          }
        }
      },
    },
    h("h1", {}, "Sign in"),
    h(
      "p",
      { class: "muted" },
      "Use the token your hiring team gave you. It is kept in this tab only and forgotten when the tab closes.",
    ),
    input,
    h("button", { type: "submit", class: "primary", id: "signin" }, "Sign in"),
    status,
  );
  app.replaceChildren(h("main", { class: "center" }, form));
  input.focus();
}

// ---- challenges --------------------------------------------------------------------------------

async function challengesView() {
  const list = h("div", { class: "cards", id: "challenges" }, h("p", { class: "muted" }, "Loading…"));
  app.replaceChildren(...frame(h("h1", {}, "Challenges"), list));
  try {
    const resp = await api.get("/v1/challenges");
    list.replaceChildren(
      ...resp.challenges.map((c) =>
        h(
          "a",
          { class: "card", href: `#/challenges/${c.id}`, "data-id": c.id },
          h("h2", {}, c.title),
          h("p", {}, c.summary),
          h("p", { class: "langs" }, c.languages.map((l) => LANGUAGE_NAMES[l] || l).join(" · ")),
        ),
      ),
    );
  } catch (e) {
    showError(list, e);
  }
}

function limitsTable(detail) {
  return h(
    "table",
    { class: "limits" },
    h("thead", {}, h("tr", {}, h("th", {}, "Language"), h("th", {}, "CPU"), h("th", {}, "Wall"), h("th", {}, "Memory"))),
    h(
      "tbody",
      {},
      detail.languageLimits.map((l) =>
        h(
          "tr",
          {},
          h("td", {}, LANGUAGE_NAMES[l.language] || l.language),
          h("td", {}, `${l.limits.cpuTimeMs} ms`),
          h("td", {}, `${l.limits.wallTimeMs} ms`),
          h("td", {}, `${mib(l.limits.memoryKib)} MiB`),
        ),
      ),
    ),
  );
}

function draftKey(challenge, language) {
  return `judge.draft.${challenge}.${language}`;
}

async function challengeView(id) {
  const body = h("div", { class: "challenge" }, h("p", { class: "muted" }, "Loading…"));
  app.replaceChildren(...frame(body));
  let detail;
  try {
    detail = await api.get(`/v1/challenges/${encodeURIComponent(id)}`);
  } catch (e) {
    return showError(body, e);
  }
  const langs = detail.summary.languages;
  let language = sessionStorage.getItem(`judge.lang.${id}`) || langs[0];
  if (!langs.includes(language)) language = langs[0];

  const statement = h("div", { class: "statement", id: "statement" });
  statement.innerHTML = md.render(detail.statement);  // raw HTML disabled: tags come out as text
  const samples = detail.samples.map((s) =>
    h(
      "div",
      { class: "sample" },
      h("h3", {}, `Sample: ${s.name}`),
      h("div", { class: "io" }, h("div", {}, h("h4", {}, "Input"), h("pre", {}, s.input)), h("div", {}, h("h4", {}, "Expected output"), h("pre", {}, s.expectedOutput))),
    ),
  );
  const left = h(
    "section",
    { class: "left" },
    /^\s*#\s/.test(detail.statement) ? null : h("h1", {}, detail.summary.title),  // the statement's own title
    statement,
    h("h2", {}, "Limits"),
    limitsTable(detail),
    h("p", { class: "muted" }, `${detail.samples.length} sample test(s) shown, ${detail.hiddenTests} hidden. Score out of ${detail.maxScore}.`),
    samples,
  );

  const picker = h(
    "select",
    { id: "language", "aria-label": "Language" },
    langs.map((l) => h("option", { value: l, selected: l === language }, LANGUAGE_NAMES[l] || l)),
  );
  const editorBox = h("div", { class: "editor", id: "editor" });
  const results = h("div", { class: "results", id: "results" });
  const candidateInput = h("input", { id: "candidate", placeholder: "candidate id", "aria-label": "Candidate id" });
  const customToggle = h("input", { type: "checkbox", id: "use-custom" });
  const customInput = h("textarea", { id: "custom-stdin", rows: 4, placeholder: "input for your program", "aria-label": "Custom input" });
  const runButton = canRun() ? h("button", { class: "primary", id: "run", title: "Ctrl+Enter" }, "Run") : null;
  const submitButton = canSubmit() ? h("button", { class: canRun() ? "" : "primary", id: "submit", title: canRun() ? "" : "Ctrl+Enter" }, "Submit") : null;

  const editor = createEditor(editorBox, {
    doc: sessionStorage.getItem(draftKey(id, language)) ?? TEMPLATES[language] ?? "",
    language,
    onRun: () => primary(),
    onChange: (text) => sessionStorage.setItem(draftKey(id, language), text),
  });
  picker.addEventListener("change", () => {
    language = picker.value;
    sessionStorage.setItem(`judge.lang.${id}`, language);
    editor.setLanguage(language);
    editor.setText(sessionStorage.getItem(draftKey(id, language)) ?? TEMPLATES[language] ?? "");
  });

  const abort = new AbortController();
  current.cleanup = () => abort.abort();
  let busy = false;
  const setBusy = (b) => {
    busy = b;
    for (const b2 of [runButton, submitButton]) if (b2) b2.disabled = b;
  };
  const limitsFor = () => (detail.languageLimits.find((l) => l.language === language) || {}).limits || detail.limits;

  async function run() {
    if (busy || !runButton) return;
    setBusy(true);
    const view = new ResultsView(results, limitsFor());
    view.start("Queued for a live run…");
    try {
      await api.stream(
        "POST",
        "/v1/live",
        {
          challengeId: id,
          language,
          source: editor.text(),
          candidateId: candidateInput.value.trim(),
          useCustomStdin: customToggle.checked,
          customStdin: customToggle.checked ? customInput.value : "",
        },
        (e) => view.event(e),
        abort.signal,
      );
    } catch (e) {
      showError(results, e);
    } finally {
      setBusy(false);
    }
  }

  async function submit() {
    if (busy || !submitButton) return;
    setBusy(true);
    const view = new ResultsView(results, limitsFor());
    view.start("Submitting…");
    try {
      const body = { challengeId: id, language, source: editor.text(), requestId: crypto.randomUUID() };
      if (role() !== "candidate") body.candidateId = candidateInput.value.trim();
      const sub = await api.post("/v1/submissions", body);
      view.start(`Submission ${sub.id} queued…`, sub.id);
      await api.stream("GET", `/v1/submissions/${sub.id}/events`, null, (e) => view.event(e), abort.signal);
    } catch (e) {
      showError(results, e);
    } finally {
      setBusy(false);
    }
  }

  const primary = () => (canRun() ? run() : submit());
  if (runButton) runButton.addEventListener("click", run);
  if (submitButton) submitButton.addEventListener("click", submit);

  const controls = h(
    "div",
    { class: "controls" },
    h("label", {}, "Language ", picker),
    role() !== "candidate" ? candidateInput : null,
    runButton,
    submitButton,
    h("span", { class: "muted hint" }, "Ctrl/⌘+Enter to " + (canRun() ? "run" : "submit")),
  );
  candidateInput.placeholder = canRun() ? "candidate id (optional)" : "candidate id (required)";
  const custom = canRun()
    ? h("details", { class: "custom" }, h("summary", {}, h("label", {}, customToggle, " Run on custom input instead of the tests")), customInput)
    : null;
  if (custom) customInput.addEventListener("input", () => (customToggle.checked = true));
  const right = h("section", { class: "right" }, controls, editorBox, custom, results);
  body.replaceChildren(left, right);
  editor.focus();
}

// ---- results: one row per test as they come in ------------------------------------------------

class ResultsView {
  constructor(el, limits) {
    this.el = el;
    this.limits = limits || {};
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
  }

  // A link to the submission's own page, unless this is that page.
  link(id) {
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
    return [row, ...more];
  }

  addTest(t) {
    if (this.seen.has(t.index)) return;
    this.seen.add(t.index);
    this.rows.append(...this.testRow(t));
  }

  event(e) {
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

  finish(s) {
    fill(this.status, `Finished: submission ${s.id}`, " ", this.link(s.id));
    for (const t of s.tests || []) this.addTest(t);
    if (!this.seen.size) this.table.hidden = true;  // nothing ran (a compilation error, say)
    fill(
      this.summary,
      verdictBadge(s.verdict, true, s.useCustomStdin),
      s.useCustomStdin ? null : h("span", { class: "score", id: "score" }, `${s.score} / ${s.maxScore}`),
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

// ---- submissions -------------------------------------------------------------------------------

async function submissionsView(params) {
  const isCandidate = role() === "candidate";
  const candidate = h("input", { name: "candidate_id", placeholder: "candidate id", value: params.get("candidate_id") || "" });
  const challenge = h("input", { name: "challenge_id", placeholder: "challenge id", value: params.get("challenge_id") || "" });
  const filters = isCandidate
    ? null
    : h(
        "form",
        {
          class: "filters",
          onsubmit: (ev) => {
            ev.preventDefault();
            const q = new URLSearchParams();
            if (candidate.value.trim()) q.set("candidate_id", candidate.value.trim());
            if (challenge.value.trim()) q.set("challenge_id", challenge.value.trim());
            location.hash = "#/submissions?" + q.toString();
          },
        },
        candidate,
        challenge,
        h("button", { type: "submit" }, "Filter"),
      );
  const table = h("div", { id: "submissions" }, h("p", { class: "muted" }, "Loading…"));
  app.replaceChildren(...frame(h("h1", {}, isCandidate ? "My submissions" : "Submissions"), filters, table));
  try {
    const q = new URLSearchParams();
    for (const k of ["candidate_id", "challenge_id", "page_token"]) if (params.get(k)) q.set(k, params.get(k));
    const resp = await api.get("/v1/submissions?" + q.toString());
    if (!resp.submissions.length) {
      table.replaceChildren(h("p", { class: "muted" }, "No submissions yet."));
      return;
    }
    const rows = resp.submissions.map((s) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `#/submissions/${s.id}` }, s.id)),
        h("td", {}, s.candidateId),
        h("td", {}, s.challengeId),
        h("td", {}, LANGUAGE_NAMES[s.language] || s.language),
        h("td", {}, s.mode === "SUBMISSION_MODE_LIVE" ? "live" : "take-home"),
        h("td", {}, stateName(s.state) === "finished" ? verdictBadge(s.verdict, false, s.useCustomStdin) : stateName(s.state)),
        h("td", { class: "num" }, s.useCustomStdin ? "" : `${s.score} / ${s.maxScore}`),
        h("td", {}, s.createdAt ? new Date(s.createdAt).toLocaleString() : ""),
      ),
    );
    const next = resp.nextPageToken
      ? h("a", { class: "button", href: "#/submissions?" + new URLSearchParams({ ...Object.fromEntries(params), page_token: resp.nextPageToken }).toString() }, "Older →")
      : null;
    fill(
      table,
      h(
        "table",
        { class: "list" },
        h("thead", {}, h("tr", {}, ["Id", "Candidate", "Challenge", "Language", "Mode", "Verdict", "Score", "Created"].map((c) => h("th", {}, c)))),
        h("tbody", {}, rows),
      ),
      next,
    );
  } catch (e) {
    showError(table, e);
  }
}

async function submissionView(id) {
  const body = h("div", { class: "submission" }, h("p", { class: "muted" }, "Loading…"));
  app.replaceChildren(...frame(body));
  let s, detail;
  try {
    s = await api.get(`/v1/submissions/${encodeURIComponent(id)}`);
    detail = await api.get(`/v1/challenges/${encodeURIComponent(s.challengeId)}`).catch(() => null);
  } catch (e) {
    return showError(body, e);
  }
  const limits = detail ? (detail.languageLimits.find((l) => l.language === s.language) || {}).limits : null;
  const results = h("div", { class: "results", id: "results" });
  const source = h("div", { class: "editor readonly", id: "source" });
  body.replaceChildren(
    h("h1", {}, `Submission ${s.id}`),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Candidate"), h("dd", {}, s.candidateId),
      h("dt", {}, "Challenge"), h("dd", {}, h("a", { href: `#/challenges/${s.challengeId}` }, s.challengeId)),
      h("dt", {}, "Language"), h("dd", {}, LANGUAGE_NAMES[s.language] || s.language),
      h("dt", {}, "Mode"), h("dd", {}, s.mode === "SUBMISSION_MODE_LIVE" ? "live run" : "take-home"),
      h("dt", {}, "Created"), h("dd", {}, s.createdAt ? new Date(s.createdAt).toLocaleString() : ""),
    ),
    results,
    h("h2", {}, "Source"),
    s.sourceDroppedAt
      ? h("p", { class: "muted" }, `The source was dropped on ${new Date(s.sourceDroppedAt).toLocaleString()} (retention); the verdict and results are kept.`)
      : source,
  );
  if (!s.sourceDroppedAt) createEditor(source, { doc: s.source || "", language: s.language, readOnly: true });
  const view = new ResultsView(results, limits);
  if (stateName(s.state) === "finished") {
    view.start("");
    view.finish(s);
    return;
  }
  view.start(`${stateName(s.state)}…`);
  for (const t of s.tests || []) view.addTest(t);
  const abort = new AbortController();
  current.cleanup = () => abort.abort();
  try {
    await api.stream("GET", `/v1/submissions/${s.id}/events`, null, (e) => view.event(e), abort.signal);
  } catch (e) {
    showError(results, e);
  }
}

// Ctrl/Cmd+Enter outside the editor runs too.
document.addEventListener("keydown", (ev) => {
  if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") {
    const b = document.getElementById(canRun() ? "run" : "submit");
    if (b && !b.disabled && !ev.defaultPrevented) {
      ev.preventDefault();
      b.click();
    }
  }
});

route();
