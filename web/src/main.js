// The judge's page: sign in with a token, read a challenge, write code, run or submit it and
// watch the tests come in; look back at submissions. Everything the judge sends is shown as
// text (the statement's Markdown is rendered with raw HTML disabled).
import MarkdownIt from "markdown-it";
import * as api from "./api.js";
import { createEditor, utf8Bytes } from "./editor.js";
import { editorMode, languageName, loadLanguages, starter } from "./languages.js";
import { playbackView } from "./playback.js";
import { sessionView, sessionsView } from "./session.js";
import {
  DEFAULT_MAX_SOURCE_BYTES,
  ROLE_NAMES,
  ResultsView,
  canRun,
  canSubmit,
  errorBox,
  fill,
  frame,
  h,
  isPractice,
  mib,
  modeName,
  num,
  role,
  showError,
  stateName,
  verdictBadge,
} from "./ui.js";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
const app = document.getElementById("app");

// ---- routing -----------------------------------------------------------------------------------

let current = { cleanup: () => {} };
// Where a tab that had no token was going (a session's join link, say): opened after sign-in.
const NEXT_KEY = "judge.next";

function route() {
  current.cleanup();
  current = { cleanup: () => {} };
  const hash = location.hash.replace(/^#/, "") || "/challenges";
  if (!api.token() && hash !== "/signin") {
    sessionStorage.setItem(NEXT_KEY, "#" + hash);
    location.hash = "#/signin";
    return;
  }
  let m;
  if (hash === "/signin") return signInView();
  // Live interview sessions (session.js, playback.js): each view returns its cleanup.
  if (hash === "/sessions" || hash.startsWith("/sessions?")) return (current.cleanup = sessionsView(app));
  if ((m = hash.match(/^\/sessions\/([\w.:@-]+)\/playback$/))) return (current.cleanup = playbackView(app, m[1]));
  if ((m = hash.match(/^\/sessions\/([\w.:@-]+)$/))) return (current.cleanup = sessionView(app, m[1]));
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
          const next = sessionStorage.getItem(NEXT_KEY);
          sessionStorage.removeItem(NEXT_KEY);
          location.hash = next && next !== "#/signin" ? next : "#/challenges";
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
    const [resp] = await Promise.all([api.get("/v1/challenges"), loadLanguages()]);
    list.replaceChildren(
      ...resp.challenges.map((c) =>
        h(
          "a",
          { class: "card", href: `#/challenges/${c.id}`, "data-id": c.id },
          h("h2", {}, c.title),
          h("p", {}, c.summary),
          h("p", { class: "langs" }, c.languages.map((l) => languageName(l)).join(" · ")),
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
          h("td", {}, languageName(l.language)),
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
    [detail] = await Promise.all([api.get(`/v1/challenges/${encodeURIComponent(id)}`), loadLanguages()]);
  } catch (e) {
    return showError(body, e);
  }
  const langs = detail.summary.languages;
  // A class-form challenge brings its own stub per language (the contract to implement); any
  // other starts from the language's stdin/stdout starter.
  const stubs = Object.fromEntries((detail.languageLimits || []).filter((l) => l.stub).map((l) => [l.language, l]));
  const startText = (l) => stubs[l]?.stub ?? starter(l);
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
    langs.map((l) => h("option", { value: l, selected: l === language }, languageName(l))),
  );
  const isCandidate = role() === "candidate";
  const maxBytes = Number(detail.maxSourceBytes) || DEFAULT_MAX_SOURCE_BYTES;
  const editorBox = h("div", { class: "editor", id: "editor" });
  const sizeLine = h("span", { class: "size", id: "source-size" });
  const editorMessage = h("div", { id: "editor-message" });
  const results = h("div", { class: "results", id: "results" });
  const candidateInput = h("input", { id: "candidate", placeholder: "candidate id", "aria-label": "Candidate id" });
  const customToggle = h("input", { type: "checkbox", id: "use-custom", "aria-label": "Use the custom input" });
  const customInput = h("textarea", { id: "custom-stdin", rows: 4, placeholder: "input for your program", "aria-label": "Custom input" });
  // Ctrl/Cmd+Enter runs for every role that can run (for a candidate a run is harmless: samples
  // only, never graded, so a stray shortcut never hands in unfinished code); else it submits.
  const runButton = canRun()
    ? h("button", { class: "primary", id: "run", title: isCandidate ? "Run on the sample tests (Ctrl+Enter)" : "Ctrl+Enter" }, "Run")
    : null;
  const stopButton = canRun() ? h("button", { id: "stop", hidden: true, title: "Stop the run" }, "Stop") : null;
  const submitButton = canSubmit()
    ? h("button", { class: canRun() && !isCandidate ? "" : "primary", id: "submit", title: canRun() ? "" : "Ctrl+Enter" }, "Submit")
    : null;

  const showSize = (text) => {
    const bytes = utf8Bytes(text);
    sizeLine.classList.toggle("over", bytes > maxBytes);
    sizeLine.textContent = `${num(bytes)} / ${num(maxBytes)} bytes` + (bytes > maxBytes ? " — over the limit" : "");
  };
  const editor = createEditor(editorBox, {
    doc: sessionStorage.getItem(draftKey(id, language)) ?? startText(language),
    language: editorMode(language),
    onRun: () => primary(),
    onChange: (text) => {
      sessionStorage.setItem(draftKey(id, language), text);
      showSize(text);
      editorMessage.replaceChildren();
      if (results.querySelector(".too-large") && utf8Bytes(text) <= maxBytes) results.replaceChildren();
    },
    maxBytes: () => maxBytes,
    onRefusedPaste: (bytes) =>
      editorMessage.replaceChildren(
        errorBox(`That paste was not inserted: the source would be ${num(bytes)} bytes (UTF-8), over the limit of ${num(maxBytes)} bytes.`),
      ),
  });
  showSize(editor.text());
  // The class form compiles the candidate's code as a file of its own: its name, shown by the
  // size line, is the one compiler errors and stack traces give.
  const fileName = h("span", { class: "muted", id: "source-name" });
  const showFileName = () => {
    fileName.textContent = stubs[language] ? `${stubs[language].sourceName} · ` : "";
  };
  showFileName();
  picker.addEventListener("change", () => {
    language = picker.value;
    sessionStorage.setItem(`judge.lang.${id}`, language);
    editor.setLanguage(editorMode(language));
    editor.setText(sessionStorage.getItem(draftKey(id, language)) ?? startText(language));
    showFileName();
  });

  const abort = new AbortController();
  let runAbort = null;  // the run in progress, which Stop ends
  current.cleanup = () => {
    abort.abort();
    if (runAbort) runAbort.abort();
  };
  let busy = false;
  const setBusy = (b) => {
    busy = b;
    for (const b2 of [runButton, submitButton]) if (b2) b2.disabled = b;
  };
  const limitsFor = () => (detail.languageLimits.find((l) => l.language === language) || {}).limits || detail.limits;

  // The source, or null (and a message where the results go) when it is over the size limit.
  function sourceWithinLimit(action) {
    const source = editor.text();
    const bytes = utf8Bytes(source);
    if (bytes <= maxBytes) return source;
    const box = errorBox(`The source is ${num(bytes)} bytes (UTF-8), over the limit of ${num(maxBytes)} bytes: it was not ${action}. Shorten it and try again.`);
    box.classList.add("too-large");
    results.replaceChildren(box);
    return null;
  }

  async function run() {
    if (busy || !runButton) return;
    const source = sourceWithinLimit("run");
    if (source === null) return;
    setBusy(true);
    const mine = (runAbort = new AbortController());
    stopButton.hidden = false;
    stopButton.disabled = false;
    const view = new ResultsView(results, limitsFor());
    view.start(isCandidate ? "Queued for a practice run on the samples…" : "Queued for a live run…");
    const body = {
      challengeId: id,
      language,
      source,
      useCustomStdin: customToggle.checked,
      customStdin: customToggle.checked ? customInput.value : "",
    };
    if (!isCandidate) body.candidateId = candidateInput.value.trim();
    try {
      await api.stream("POST", "/v1/live", body, (e) => view.event(e), mine.signal);
      if (mine.signal.aborted && !abort.signal.aborted) view.stopped();
    } catch (e) {
      showError(results, e);
    } finally {
      if (runAbort === mine) runAbort = null;
      stopButton.hidden = true;
      setBusy(false);
    }
  }

  function stop() {
    if (!runAbort) return;
    stopButton.disabled = true;
    runAbort.abort();  // closing the event stream cancels the run on the judge
  }

  async function submit() {
    if (busy || !submitButton) return;
    const source = sourceWithinLimit("submitted");
    if (source === null) return;
    setBusy(true);
    const view = new ResultsView(results, limitsFor());
    view.start("Submitting…");
    try {
      const body = { challengeId: id, language, source, requestId: crypto.randomUUID() };
      if (!isCandidate) body.candidateId = candidateInput.value.trim();
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
  if (stopButton) stopButton.addEventListener("click", stop);
  if (submitButton) submitButton.addEventListener("click", submit);

  const hint = !canRun()
    ? "Ctrl/⌘+Enter to submit"
    : isCandidate
      ? "Run: samples only, not graded (Ctrl/⌘+Enter) · Submit: graded"
      : "Ctrl/⌘+Enter to run";
  const controls = h(
    "div",
    { class: "controls" },
    h("label", {}, "Language ", picker),
    isCandidate ? null : candidateInput,
    runButton,
    stopButton,
    submitButton,
    h("span", { class: "muted hint", id: "hint" }, hint),
  );
  candidateInput.placeholder = canRun() ? "candidate id (optional)" : "candidate id (required)";
  const custom = canRun()
    ? h(
        "details",
        { class: "custom" },
        // The box is not inside a label: a click on the words opens the input, on the box ticks it.
        h("summary", {}, customToggle, isCandidate ? " Run on custom input instead of the samples" : " Run on custom input instead of the tests"),
        customInput,
      )
    : null;
  if (custom) customInput.addEventListener("input", () => (customToggle.checked = true));
  const below = h("div", { class: "below-editor", title: "The source's size in UTF-8 bytes against the judge's limit" }, fileName, h("span", { class: "muted" }, "Source size"), sizeLine);
  const right = h("section", { class: "right" }, controls, editorBox, below, editorMessage, custom, results);
  body.replaceChildren(left, right);
  editor.focus();
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
    const [resp] = await Promise.all([api.get("/v1/submissions?" + q.toString()), loadLanguages()]);
    // A candidate's practice runs are not submissions (the judge does not list them either).
    const listed = resp.submissions.filter((s) => !isPractice(s));
    if (!listed.length && !resp.nextPageToken) {
      table.replaceChildren(h("p", { class: "muted" }, "No submissions yet."));
      return;
    }
    const rows = listed.map((s) =>
      h(
        "tr",
        { "data-id": s.id },
        h("td", {}, h("a", { href: `#/submissions/${s.id}` }, s.id)),
        h("td", { class: "candidate" }, s.candidateId || "—"),
        h("td", {}, s.challengeId),
        h("td", {}, languageName(s.language)),
        h("td", { class: "mode" }, modeName(s.mode)),
        h("td", {}, stateName(s.state) === "finished" ? verdictBadge(s.verdict, false, s.useCustomStdin) : stateName(s.state)),
        h(
          "td",
          { class: "num points" },
          s.useCustomStdin
            ? h("span", { class: "muted" }, "custom input")
            : s.verdict === "VERDICT_CANCELLED" || stateName(s.state) !== "finished"
              ? ""
              : `${s.score} / ${s.maxScore}`,
        ),
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
    [s] = await Promise.all([api.get(`/v1/submissions/${encodeURIComponent(id)}`), loadLanguages()]);
    detail = await api.get(`/v1/challenges/${encodeURIComponent(s.challengeId)}`).catch(() => null);
  } catch (e) {
    return showError(body, e);
  }
  const limits = detail ? (detail.languageLimits.find((l) => l.language === s.language) || {}).limits : null;
  const results = h("div", { class: "results", id: "results" });
  const source = h("div", { class: "editor readonly", id: "source" });
  // The interviewer's report (never for candidates: the judge refuses them).
  const withReport = role() !== "candidate" && !s.useCustomStdin && !isPractice(s);
  const report = withReport ? h("section", { class: "report", id: "report" }, h("h2", {}, "Report"), h("p", { class: "muted" }, "Loading the report…")) : null;
  body.replaceChildren(
    h("h1", {}, `Submission ${s.id}`),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Candidate"), h("dd", { id: "fact-candidate" }, s.candidateId || "—"),
      h("dt", {}, "Challenge"), h("dd", {}, h("a", { href: `#/challenges/${s.challengeId}` }, s.challengeId)),
      h("dt", {}, "Language"), h("dd", {}, languageName(s.language)),
      h("dt", {}, "Mode"), h("dd", {}, { live: "live run", practice: "practice run", "take-home": "take-home" }[modeName(s.mode)]),
      h("dt", {}, "Created"), h("dd", {}, s.createdAt ? new Date(s.createdAt).toLocaleString() : ""),
    ),
    results,
    report,
    h("h2", {}, "Source"),
    s.sourceDroppedAt
      ? h("p", { class: "muted" }, `The source was dropped on ${new Date(s.sourceDroppedAt).toLocaleString()} (retention); the verdict and results are kept.`)
      : source,
  );
  if (!s.sourceDroppedAt) createEditor(source, { doc: s.source || "", language: editorMode(s.language), readOnly: true });
  const abort = new AbortController();
  current.cleanup = () => abort.abort();
  const view = new ResultsView(results, limits);
  if (stateName(s.state) === "finished") {
    view.start("");
    view.finish(s);
  } else {
    view.start(`${stateName(s.state)}…`);
    for (const t of s.tests || []) view.addTest(t);
    try {
      await api.stream("GET", `/v1/submissions/${s.id}/events`, null, (e) => view.event(e), abort.signal);
    } catch (e) {
      showError(results, e);
    }
  }
  if (report && !abort.signal.aborted) await showReport(report, s, abort.signal);
}

// ---- the report: CPU against the reference, growth, similar submissions -----------------------

const REPORT_POLL_MS = 3000;
const REPORT_POLLS = 60;
// The judge measures the reference and the scaling series in the background on the first report
// and says "ask again in a moment" until then.
const pendingNote = (note) => /ask again/i.test(note || "");
const growthPending = (g) => !!g && !g.fitted && !(g.points || []).length && pendingNote(g.note);
const ratio = (r) => (Number(r) > 0 ? `${Number(r).toFixed(2)}×` : "—");

async function showReport(el, s, signal) {
  let last = "";
  for (let i = 0; i < REPORT_POLLS && !signal.aborted; i++) {
    let r;
    try {
      r = await api.get(`/v1/submissions/${encodeURIComponent(s.id)}/report`);
    } catch (e) {
      fill(el, h("h2", {}, "Report"), errorBox(`The report is not available: ${e.message}`));
      return;
    }
    if (signal.aborted) return;
    const key = JSON.stringify(r);
    if (key !== last) renderReport(el, r, s);
    last = key;
    const pending = growthPending(r.growth) || growthPending(r.referenceGrowth) || (pendingNote(r.note) && !(Number(r.cpuRatio) > 0));
    if (!pending) return;
    await new Promise((done) => setTimeout(done, REPORT_POLL_MS));
  }
}

function renderReport(el, r, s) {
  const lang = languageName(s.language);
  const tests = (r.tests || []).filter((t) => t.test);
  const measured = tests.filter((t) => Number(t.referenceCpuMs) > 0);  // 0: not measured yet
  const cpu = h(
    "div",
    { class: "report-cpu" },
    h("h3", {}, "CPU against the reference solution"),
    Number(r.cpuRatio) > 0
      ? h(
          "p",
          { id: "cpu-ratio" },
          "In total ",
          h("strong", {}, ratio(r.cpuRatio)),
          ` the CPU time of the challenge's reference solution in ${lang}, over the ${measured.length} test(s) both ran.`,
        )
      : null,
    r.note ? h("p", { class: "muted", id: "report-note" }, r.note) : null,
    tests.length
      ? h(
          "table",
          { class: "ref-cpu", id: "report-tests" },
          h("thead", {}, h("tr", {}, ["#", "Test", "Verdict", "CPU", "Reference", "Ratio"].map((c) => h("th", {}, c)))),
          h(
            "tbody",
            {},
            tests.map((t) =>
              h(
                "tr",
                { "data-index": t.test.index, class: Number(t.cpuRatio) >= 3 ? "slow" : null },
                h("td", {}, t.test.index),
                h("td", {}, t.test.name),
                h("td", {}, verdictBadge(t.test.verdict)),
                h("td", { class: "num" }, `${t.test.cpuMs} ms`),
                h("td", { class: "num" }, Number(t.referenceCpuMs) > 0 ? `${t.referenceCpuMs} ms` : "—"),
                h("td", { class: "num ratio" }, ratio(t.cpuRatio)),
              ),
            ),
          ),
        )
      : null,
  );

  let growth = null;
  if (r.growth || r.referenceGrowth) {
    const line = (label, g, id) =>
      h(
        "p",
        { id },
        h("strong", {}, label, ": "),
        !g
          ? h("span", { class: "muted" }, "not measured")
          : g.fitted
            ? [
                "CPU ~ n",
                h("sup", {}, Number(g.exponent).toFixed(2)),
                h("span", { class: "muted" }, ` (95%: ${Number(g.low).toFixed(2)} – ${Number(g.high).toFixed(2)})`),
              ]
            : h("span", { class: "muted" }, "no fit"),
        g && g.note ? h("span", { class: "muted note" }, ` — ${g.note}`) : null,
      );
    growth = h(
      "div",
      { class: "report-growth" },
      h("h3", {}, "Growth over the challenge's scaling series"),
      h(
        "div",
        { class: "growth" },
        growthPlot(r.growth, r.referenceGrowth, lang),
        h("div", {}, line("This submission", r.growth, "growth-submission"), line(`Reference (${lang})`, r.referenceGrowth, "growth-reference")),
      ),
    );
  }

  const similar = r.similar || [];
  const ranges = (rs) => (rs || []).map((x) => (x.first === x.last ? `${x.first}` : `${x.first}–${x.last}`)).join(", ") || "—";
  const sim = h(
    "div",
    { class: "report-similar" },
    h("h3", {}, "Similar submissions by other candidates"),
    similar.length
      ? h(
          "table",
          { class: "similar", id: "similar" },
          h("thead", {}, h("tr", {}, ["Other submission", "Candidate", "Shared", "Lines here", "Lines there"].map((c) => h("th", {}, c)))),
          h(
            "tbody",
            {},
            similar.map((p) => {
              const here = p.submissionA === s.id ? "A" : "B";
              const other = here === "A" ? { id: p.submissionB, cand: p.candidateB, lines: p.linesB } : { id: p.submissionA, cand: p.candidateA, lines: p.linesA };
              return h(
                "tr",
                { "data-id": other.id },
                h("td", {}, h("a", { href: `#/submissions/${other.id}` }, other.id)),
                h("td", {}, other.cand || "—"),
                h("td", { class: "num" }, `${Math.round(Number(p.score) * 100)}%`),
                h("td", {}, ranges(here === "A" ? p.linesA : p.linesB)),
                h("td", {}, ranges(other.lines)),
              );
            }),
          ),
        )
      : h("p", { class: "muted", id: "similar-none" }, "None: no other candidate's submission shares code with this one (pairs from 50% shared are listed)."),
  );
  fill(el, h("h2", {}, "Report"), h("div", { class: "report-body" }, cpu, h("div", {}, growth, sim)));
}

// CPU against n on log-log axes: this submission's series beside the reference's. Points where
// the series stopped (over the cap) are drawn as crosses.
const SVG_NS = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function growthPlot(mine, ref, lang) {
  const series = [
    { g: mine, cls: "mine", label: "this submission" },
    { g: ref, cls: "ref", label: `reference (${lang})` },
  ].map((x) => ({ ...x, pts: ((x.g && x.g.points) || []).map((p) => ({ n: Number(p.n), ms: Number(p.cpuMs), over: !!p.overCap })).filter((p) => p.n > 0) }));
  const all = series.flatMap((x) => x.pts);
  if (!all.length) {
    const note = (mine && mine.note) || (ref && ref.note) || "not measured yet";
    return h("p", { class: "muted plot-empty", id: "growth-pending" }, note);
  }
  const W = 460, H = 250, L = 52, R = 12, T = 12, B = 40;
  const floor = 0.5;  // under a millisecond: drawn on the floor of the plot
  const lx = (n) => Math.log10(n);
  const ly = (ms) => Math.log10(Math.max(ms, floor));
  let x0 = Math.min(...all.map((p) => lx(p.n))), x1 = Math.max(...all.map((p) => lx(p.n)));
  let y0 = Math.min(...all.map((p) => ly(p.ms))), y1 = Math.max(...all.map((p) => ly(p.ms)));
  if (x1 - x0 < 0.5) [x0, x1] = [x0 - 0.25, x1 + 0.25];
  if (y1 - y0 < 1) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const px = (n) => L + ((lx(n) - x0) / (x1 - x0)) * (W - L - R);
  const py = (ms) => T + (1 - (ly(ms) - y0) / (y1 - y0)) * (H - T - B);
  const label = (v) => (v >= 1e6 ? `${v / 1e6}M` : v >= 1e3 ? `${v / 1e3}k` : `${v}`);
  const ticks = (a, b) => {
    const out = [];
    for (let e = Math.ceil(a); e <= Math.floor(b); e++) out.push(10 ** e);
    return out;
  };
  const grid = [
    ...ticks(x0, x1).map((v) => [
      svg("line", { class: "grid", x1: px(v), x2: px(v), y1: T, y2: H - B }),
      svg("text", { class: "tick", x: px(v), y: H - B + 14, "text-anchor": "middle" }, label(v)),
    ]),
    ...ticks(y0, y1).map((v) => [
      svg("line", { class: "grid", x1: L, x2: W - R, y1: py(v), y2: py(v) }),
      svg("text", { class: "tick", x: L - 6, y: py(v) + 4, "text-anchor": "end" }, v >= 1000 ? `${v / 1000} s` : `${v} ms`),
    ]),
  ];
  const drawn = series.map((x, k) => {
    if (!x.pts.length) return null;
    const pts = [...x.pts].sort((a, b) => a.n - b.n);
    return svg(
      "g",
      { class: `series ${x.cls}`, "data-series": x.cls },
      svg("polyline", { points: pts.map((p) => `${px(p.n).toFixed(1)},${py(p.ms).toFixed(1)}`).join(" ") }),
      pts.map((p) =>
        p.over
          ? svg(
              "path",
              { class: "over", d: `M${px(p.n) - 4},${py(p.ms) - 4}l8,8m0,-8l-8,8` },
              svg("title", {}, `n = ${p.n.toLocaleString("en-US")}: over the cap at ${p.ms} ms (${x.label})`),
            )
          : svg("circle", { cx: px(p.n), cy: py(p.ms), r: 3 }, svg("title", {}, `n = ${p.n.toLocaleString("en-US")}: ${p.ms} ms (${x.label})`)),
      ),
      svg("line", { x1: L + 8 + k * 160, x2: L + 26 + k * 160, y1: H - 8, y2: H - 8, class: "key" }),
      svg("text", { class: "legend", x: L + 30 + k * 160, y: H - 4 }, x.label),
    );
  });
  return svg(
    "svg",
    { id: "growth-plot", class: "plot", viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": "CPU time against n, log-log" },
    svg("title", {}, "CPU time against n (log-log)"),
    grid,
    svg("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }),
    svg("line", { class: "axis", x1: L, x2: L, y1: T, y2: H - B }),
    svg("text", { class: "axis-label", x: W - R, y: H - B - 4, "text-anchor": "end" }, "n"),
    [...drawn].reverse(),  // the reference underneath
  );
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
