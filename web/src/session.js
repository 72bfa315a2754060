// Live interview sessions: the interviewer's list and "New session" form (#/sessions), and the
// session itself (#/sessions/<id>) for both sides: one shared pad (pad.js), the language, Run
// (both sides see every run's results stream in, each as its role may), who is here, and an
// ended session read-only; the interviewer also has private notes, a timer since the candidate
// joined, the marks when the candidate left the tab, End, and the join link to send.
import MarkdownIt from "markdown-it";
import * as api from "./api.js";
import { utf8Bytes } from "./editor.js";
import { editorMode, languageName, loadLanguages } from "./languages.js";
import { MAX_PAD_BYTES, Pad, readOnlyEditor, whoClass } from "./pad.js";
import { ResultsView, canInterview, canRun, errorBox, fill, frame, h, num, role, showError } from "./ui.js";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
const MAX_NOTES_BYTES = 65536;
const NOTES_AUTOSAVE_MS = 1500;

// ---- shared with playback.js -------------------------------------------------------------------

export const isEnded = (s) => (s && s.state) === "SESSION_STATE_ENDED";

// A protobuf Timestamp in JSON (RFC 3339), or null when unset.
export function when(t) {
  if (!t) return null;
  const d = new Date(t);
  return isNaN(d) || d.getTime() <= 0 ? null : d;
}

// 75_000 ms -> "1:15"; an hour and more -> "1:02:03".
export function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

export function whoBadge(who) {
  return h("span", { class: `who-badge who-${whoClass(who)}`, "data-who": who }, who || "?");
}

export function stateBadge(s, id) {
  const ended = isEnded(s);
  return h("span", { class: `session-state ${ended ? "ended" : "open"}`, id }, ended ? "ended" : "open");
}

// What a timeline event is: "changes", "language", "joined", "left", "tabHidden", "tabVisible",
// "runStarted", "runFinished", "ended" (the one of its oneof that is set).
export function eventKind(e) {
  if (typeof e.changes === "string" && e.changes !== "") return "changes";
  for (const k of ["joined", "left", "tabHidden", "tabVisible", "ended"]) if (e[k] === true) return k;
  if (e.runStarted) return "runStarted";
  if (e.runFinished && typeof e.runFinished === "object") return "runFinished";
  if (typeof e.language === "string" && e.language !== "") return "language";
  return "";
}

const MARK_TEXT = {
  joined: "joined the pad",
  left: "left the pad",
  tabHidden: "left the tab",
  tabVisible: "came back to the tab",
};
export const isMark = (kind) => kind in MARK_TEXT;
export const markText = (kind) => MARK_TEXT[kind] || kind;

// ---- the list and the "New session" form --------------------------------------------------------

export function sessionsView(app) {
  const ctx = { closed: false };
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const list = h("div", { id: "sessions" }, h("p", { class: "muted" }, "Loading…"));
  // A candidate: its own sessions, when the judge lists them (else the join link is the way in).
  if (!canInterview()) {
    const hint = h("p", { class: "muted", id: "sessions-candidate" }, "Open the link your interviewer sent you to join your session.");
    app.replaceChildren(...frame(h("h1", {}, "Your interview sessions"), hint, list));
    api.get("/v1/sessions").then(
      (resp) => {
        if (ctx.closed) return;
        const sessions = resp.sessions || [];
        if (!sessions.length) return list.replaceChildren();
        list.replaceChildren(
          h(
            "table",
            { class: "list" },
            h("thead", {}, h("tr", {}, ["Id", "Challenge", "State", "Created", ""].map((c) => h("th", {}, c)))),
            h(
              "tbody",
              {},
              sessions.map((s) =>
                h(
                  "tr",
                  { "data-id": s.id },
                  h("td", {}, h("a", { href: `#/sessions/${s.id}` }, s.id)),
                  h("td", {}, s.challengeId),
                  h("td", {}, stateBadge(s)),
                  h("td", {}, when(s.createdAt) ? when(s.createdAt).toLocaleString() : ""),
                  h("td", {}, h("a", { href: `#/sessions/${s.id}/playback` }, "Playback")),
                ),
              ),
            ),
          ),
        );
      },
      () => !ctx.closed && list.replaceChildren(),
    );
    return () => (ctx.closed = true);
  }
  const challenge = h("select", { id: "new-challenge", "aria-label": "Challenge", required: true });
  const language = h("select", { id: "new-language", "aria-label": "Language" });
  const candidate = h("input", { id: "new-candidate", placeholder: "candidate id", "aria-label": "Candidate id", required: true, value: params.get("candidate_id") || "" });
  const status = h("div", { id: "new-session-status" });
  const create = h("button", { type: "submit", class: "primary", id: "new-session" }, "New session");
  let challenges = [];
  const fillLanguages = () => {
    const c = challenges.find((x) => x.id === challenge.value);
    fill(language, (c ? c.languages : []).map((l) => h("option", { value: l }, languageName(l))));
  };
  challenge.addEventListener("change", fillLanguages);
  const form = h(
    "form",
    {
      class: "new-session",
      onsubmit: async (ev) => {
        ev.preventDefault();
        const cand = candidate.value.trim();
        if (!cand) {
          status.replaceChildren(errorBox("Enter the candidate's id: only that candidate's token may join."));
          return;
        }
        create.disabled = true;
        status.replaceChildren(h("p", { class: "muted" }, "Creating…"));
        try {
          const s = await api.post("/v1/sessions", { challengeId: challenge.value, candidateId: cand, language: language.value });
          location.hash = `#/sessions/${s.id}`;
        } catch (e) {
          showError(status, e);
        } finally {
          create.disabled = false;
        }
      },
    },
    h("label", {}, "Challenge ", challenge),
    h("label", {}, "Language ", language),
    h("label", {}, "Candidate ", candidate),
    create,
  );
  const filter = h(
    "form",
    {
      class: "filters",
      onsubmit: (ev) => {
        ev.preventDefault();
        const q = new URLSearchParams();
        const v = ev.target.elements.candidate_id.value.trim();
        if (v) q.set("candidate_id", v);
        location.hash = "#/sessions" + (q.toString() ? "?" + q.toString() : "");
      },
    },
    h("input", { name: "candidate_id", placeholder: "candidate id", value: params.get("candidate_id") || "", "aria-label": "Filter by candidate id" }),
    h("button", { type: "submit" }, "Filter"),
  );
  app.replaceChildren(...frame(h("h1", {}, "Interview sessions"), h("section", { class: "panel" }, h("h2", {}, "New session"), form, status), h("h2", {}, "Sessions"), filter, list));

  (async () => {
    try {
      const q = new URLSearchParams();
      for (const k of ["candidate_id", "page_token"]) if (params.get(k)) q.set(k, params.get(k));
      const [cs, resp] = await Promise.all([api.get("/v1/challenges"), api.get("/v1/sessions?" + q.toString()), loadLanguages()]);
      if (ctx.closed) return;
      challenges = cs.challenges || [];
      fill(challenge, challenges.map((c) => h("option", { value: c.id }, c.title)));
      fillLanguages();
      const sessions = resp.sessions || [];
      if (!sessions.length && !resp.nextPageToken) {
        list.replaceChildren(h("p", { class: "muted" }, "No sessions yet."));
        return;
      }
      const rows = sessions.map((s) =>
        h(
          "tr",
          { "data-id": s.id },
          h("td", {}, h("a", { href: `#/sessions/${s.id}` }, s.id)),
          h("td", { class: "candidate" }, s.candidateId),
          h("td", {}, s.challengeId),
          h("td", {}, languageName(s.language)),
          h("td", {}, stateBadge(s)),
          h("td", {}, (s.participants || []).map((p) => whoBadge(p))),
          h("td", {}, when(s.createdAt) ? when(s.createdAt).toLocaleString() : ""),
          h("td", {}, h("a", { href: `#/sessions/${s.id}/playback` }, "Playback")),
        ),
      );
      const next = resp.nextPageToken
        ? h("a", { class: "button", href: "#/sessions?" + new URLSearchParams({ ...Object.fromEntries(params), page_token: resp.nextPageToken }).toString() }, "Older →")
        : null;
      fill(
        list,
        h(
          "table",
          { class: "list" },
          h("thead", {}, h("tr", {}, ["Id", "Candidate", "Challenge", "Language", "State", "Here now", "Created", ""].map((c) => h("th", {}, c)))),
          h("tbody", {}, rows),
        ),
        next,
      );
    } catch (e) {
      if (!ctx.closed) showError(list, e);
    }
  })();
  return () => (ctx.closed = true);
}

// ---- runs: the latest run of the session, as its events come (from the pad's socket and, for
// one's own run, from its own stream too: the same events, shown once) ----------------------------

class RunsPanel {
  constructor(el, limitsFor, me, links) {
    this.el = el;
    this.limitsFor = limitsFor;
    this.me = me;
    this.links = links;
    this.byId = new Map();
    this.current = null;
    this.pending = null;  // my run, before its first event names its submission
  }

  open(id, who, text) {
    const box = h("div", { class: "run", "data-submission": id || "", "data-by": who });
    const by = h("p", { class: "run-by", id: "run-by", "data-by": who }, "Run by ", whoBadge(who), who === this.me ? " (you)" : "");
    this.el.replaceChildren(by, box);
    const view = new ResultsView(box, this.limitsFor(), { links: this.links });
    view.start(text || "Queued…");
    const entry = { id, who, view, box };
    if (id) this.byId.set(id, entry);
    this.current = entry;
    return entry;
  }

  // My own run, as I press Run.
  mine(text) {
    this.pending = this.open("", this.me, text);
    return this.pending;
  }

  event(who, e, mine = false) {
    const id = e.submissionId || (e.submission && e.submission.id) || "";
    let entry = this.byId.get(id);
    if (!entry && this.pending && (mine || who === this.me)) {
      entry = this.pending;
      this.pending = null;
      entry.id = id;
      entry.box.dataset.submission = id;
      if (id) this.byId.set(id, entry);
    }
    if (!entry) entry = this.open(id, who);
    if (entry === this.current) entry.view.event(e);
  }
}

// ---- the session ----------------------------------------------------------------------------------

export function sessionView(app, id) {
  const ctx = { closed: false, cleanups: [] };
  const body = h("div", { class: "session-page" }, h("p", { class: "muted" }, "Loading…"));
  app.replaceChildren(...frame(body));
  (async () => {
    let session, detail;
    try {
      [session] = await Promise.all([api.get(`/v1/sessions/${encodeURIComponent(id)}`), loadLanguages()]);
      detail = await api.get(`/v1/challenges/${encodeURIComponent(session.challengeId)}`).catch(() => null);
    } catch (e) {
      if (ctx.closed) return;
      if (e instanceof api.ApiError && e.status === 404) return body.replaceChildren(errorBox("No such session, or it is not yours."));
      return showError(body, e);
    }
    if (!ctx.closed) buildSession(body, id, session, detail, ctx);
  })();
  return () => {
    ctx.closed = true;
    for (const f of ctx.cleanups) f();
  };
}

function buildSession(body, id, session, detail, ctx) {
  const me = role();
  const isCandidate = me === "candidate";
  const interviewerSide = !isCandidate;
  let language = session.language;
  let ended = isEnded(session);
  let joinedAt = when(session.candidateJoinedAt);
  let endedAt = when(session.endedAt);

  // The statement, as on the challenge's page.
  const statement = h("div", { class: "statement", id: "statement" });
  if (detail) statement.innerHTML = md.render(detail.statement);  // raw HTML disabled
  const left = h(
    "section",
    { class: "left" },
    detail && !/^\s*#\s/.test(detail.statement) ? h("h1", {}, detail.summary.title) : null,
    detail ? statement : h("p", { class: "muted" }, `Challenge ${session.challengeId}`),
    detail
      ? detail.samples.map((s) =>
          h(
            "div",
            { class: "sample" },
            h("h3", {}, `Sample: ${s.name}`),
            h("div", { class: "io" }, h("div", {}, h("h4", {}, "Input"), h("pre", {}, s.input)), h("div", {}, h("h4", {}, "Expected output"), h("pre", {}, s.expectedOutput))),
          ),
        )
      : null,
  );

  // The bar: who is here, the pad's connection, the join link, playback, End.
  const participants = h("span", { class: "participants", id: "participants" });
  const showParticipants = (list) => {
    const here = new Set(list || []);
    fill(
      participants,
      ["interviewer", "candidate"].map((w) =>
        h("span", { class: `participant who-${w} ${here.has(w) ? "here" : "away"}`, "data-who": w, "data-here": here.has(w) ? "true" : "false", title: here.has(w) ? `${w}: here` : `${w}: not connected` }, w),
      ),
    );
  };
  showParticipants(session.participants);
  const padStatus = h("span", { class: "pad-status muted", id: "pad-status" }, ended ? "ended" : "connecting…");
  const joinUrl = new URL(session.joinUrl || `/#/sessions/${id}`, location.origin).href;
  const joinInput = h("input", { id: "join-link", readonly: true, value: joinUrl, "aria-label": "Join link", size: 40 });
  const copyStatus = h("span", { class: "muted", id: "copy-status" });
  const copyButton = interviewerSide
    ? h(
        "button",
        {
          id: "copy-link",
          type: "button",
          onclick: async () => {
            try {
              await navigator.clipboard.writeText(joinUrl);
              copyStatus.textContent = "Copied";
            } catch {
              joinInput.select();
              copyStatus.textContent = "Select and copy the link";
            }
          },
        },
        "Copy join link",
      )
    : null;
  const endButton = interviewerSide && !ended ? h("button", { id: "end", type: "button", class: "danger" }, "End session") : null;
  const bar = h(
    "div",
    { class: "session-bar" },
    h("h1", {}, "Interview", detail ? `: ${detail.summary.title}` : "", " ", stateBadge(session, "session-state")),
    h("span", { class: "muted" }, `${languageName(session.language)} · candidate `, h("span", { class: "cand", id: "session-candidate" }, session.candidateId)),
    participants,
    padStatus,
    interviewerSide ? [joinInput, copyButton, copyStatus] : null,
    h("a", { class: "button", id: "playback-link", href: `#/sessions/${id}/playback` }, "Playback"),
    endButton,
  );
  const banner = h("div", { class: "ended-banner", id: "ended-banner", role: "status", hidden: !ended });
  const showEnded = () => {
    fill(banner, "This session has ended", endedAt ? ` (${endedAt.toLocaleString()})` : "", ": the pad is read-only. ", h("a", { href: `#/sessions/${id}/playback` }, "Play it back"));
    banner.hidden = false;
  };
  if (ended) showEnded();

  // The pad and its controls.
  const langs = detail ? detail.summary.languages : [language];
  if (!langs.includes(language)) langs.unshift(language);
  const picker = h(
    "select",
    { id: "language", "aria-label": "Language", disabled: ended },
    langs.map((l) => h("option", { value: l, selected: l === language }, languageName(l))),
  );
  const padBox = h("div", { class: "editor pad", id: "pad" }, h("p", { class: "muted connecting" }, ended ? "" : "Connecting to the pad…"));
  const padMessage = h("div", { id: "pad-message" });
  const sizeLine = h("span", { class: "size", id: "pad-size" });
  const lastTyped = h("span", { class: "muted", id: "last-typed" });
  const results = h("div", { class: "results", id: "results" });
  const runButton = canRun() ? h("button", { class: "primary", id: "run", title: "Ctrl+Enter", disabled: ended }, "Run") : null;
  const stopButton = canRun() ? h("button", { id: "stop", hidden: true, title: "Stop your run" }, "Stop") : null;
  const customToggle = h("input", { type: "checkbox", id: "use-custom", "aria-label": "Use the custom input" });
  const customInput = h("textarea", { id: "custom-stdin", rows: 4, placeholder: "input for the program", "aria-label": "Custom input" });
  customInput.addEventListener("input", () => (customToggle.checked = true));
  const custom = canRun()
    ? h("details", { class: "custom", hidden: ended }, h("summary", {}, customToggle, isCandidate ? " Run on custom input instead of the samples" : " Run on custom input instead of the tests"), customInput)
    : null;
  const controls = h(
    "div",
    { class: "controls" },
    h("label", {}, "Language ", picker),
    runButton,
    stopButton,
    h("span", { class: "muted hint" }, isCandidate ? "Run: the samples (Ctrl/⌘+Enter); your interviewer sees the results" : "Run: every test (Ctrl/⌘+Enter); the candidate sees the results, hidden tests hidden"),
  );
  const showSize = (text) => {
    const bytes = utf8Bytes(text);
    sizeLine.classList.toggle("over", bytes > MAX_PAD_BYTES);
    sizeLine.textContent = `${num(bytes)} / ${num(MAX_PAD_BYTES)} bytes`;
  };
  const center = h(
    "section",
    { class: "right" },
    controls,
    banner,
    padBox,
    h("div", { class: "below-editor" }, h("span", { class: "muted" }, "Pad size"), sizeLine, lastTyped),
    padMessage,
    custom,
    results,
  );

  // The interviewer's side panel: timer, notes, marks.
  const timer = h("div", { class: "timer", id: "timer" });
  const tick = () => {
    if (!joinedAt) {
      fill(timer, h("span", { class: "muted" }, "The candidate has not joined yet"));
      timer.dataset.running = "false";
      return;
    }
    const until = ended ? endedAt || new Date() : new Date();
    fill(timer, h("span", { class: "muted" }, ended ? "Lasted " : "Since the candidate joined "), h("strong", { class: "elapsed" }, clock(until - joinedAt)));
    timer.dataset.running = ended ? "false" : "true";
  };
  const marks = h("ol", { class: "marks", id: "marks" });
  // A mark comes from the timeline (loaded once) or from the socket as it happens; the same one
  // can come both ways while the timeline loads. Marks with a sequence number are kept once by
  // it; a live one without (seq 0) is matched with the timeline's by kind, who and time.
  const seenMarks = new Set();
  const unmatched = [];  // live marks without a sequence number: [kind, who, at, li]
  const markKey = (kind, e) => `${kind}|${e.who || ""}|${e.at || ""}`;
  const addMark = (e, fromTimeline = false) => {
    const kind = eventKind(e);
    if (!isMark(kind)) return;
    const seq = e.seq && String(e.seq) !== "0" ? String(e.seq) : "";
    if (seq) {
      if (seenMarks.has(seq)) return;
      seenMarks.add(seq);
    }
    if (fromTimeline) {
      const twin = unmatched.findIndex((m) => m === markKey(kind, e));
      if (twin >= 0) {
        unmatched.splice(twin, 1);
        return;
      }
    } else if (!seq) {
      unmatched.push(markKey(kind, e));
    }
    const at = when(e.at);
    if (kind === "joined" && e.who === "candidate" && !joinedAt && at) {
      joinedAt = at;
      tick();
    }
    const rel = at && joinedAt && at >= joinedAt ? `+${clock(at - joinedAt)}` : at ? at.toLocaleTimeString() : "";
    const li = h("li", { class: `mark kind-${kind}`, "data-kind": kind, "data-who": e.who || "" }, h("span", { class: "at" }, rel), " ", whoBadge(e.who), " ", markText(kind));
    // In order of time (the timeline's and the socket's may interleave).
    const t = at ? at.getTime() : Date.now();
    li.dataset.t = String(t);
    const after = [...marks.children].find((x) => Number(x.dataset.t) > t);
    marks.insertBefore(li, after || null);
    marksEmpty.hidden = true;
  };
  const marksEmpty = h("p", { class: "muted", id: "marks-empty" }, "None yet.");
  const notes = h("textarea", { id: "notes", rows: 14, placeholder: "Private notes (Markdown). The candidate never sees them.", "aria-label": "Notes" });
  notes.value = session.notes || "";
  const notesStatus = h("span", { class: "muted", id: "notes-status" });
  const notesPreview = h("div", { class: "statement notes-preview", id: "notes-preview", hidden: true });
  let savedNotes = notes.value;
  let saving = null;
  const saveNotes = async () => {
    const text = notes.value;
    if (text === savedNotes && !saving) {
      notesStatus.textContent = "Saved";
      notesStatus.dataset.saved = "true";
      return;
    }
    const bytes = utf8Bytes(text);
    if (bytes > MAX_NOTES_BYTES) {
      notesStatus.textContent = `Not saved: ${num(bytes)} bytes, over the limit of ${num(MAX_NOTES_BYTES)}`;
      notesStatus.dataset.saved = "false";
      return;
    }
    if (saving) await saving.catch(() => {});
    notesStatus.textContent = "Saving…";
    saving = api.post(`/v1/sessions/${encodeURIComponent(id)}/notes`, { notes: text });
    try {
      await saving;
      savedNotes = text;
      if (notes.value === text) {
        notesStatus.textContent = `Saved at ${new Date().toLocaleTimeString()}`;
        notesStatus.dataset.saved = "true";
      }
    } catch (e) {
      notesStatus.textContent = `Not saved: ${e.message}`;
      notesStatus.dataset.saved = "false";
    } finally {
      saving = null;
    }
  };
  let autosave = null;
  notes.addEventListener("input", () => {
    notesStatus.textContent = "Unsaved";
    notesStatus.dataset.saved = "false";
    clearTimeout(autosave);
    autosave = setTimeout(saveNotes, NOTES_AUTOSAVE_MS);
    if (!notesPreview.hidden) notesPreview.innerHTML = md.render(notes.value);
  });
  const previewToggle = h(
    "button",
    {
      type: "button",
      id: "notes-preview-toggle",
      onclick: () => {
        notesPreview.hidden = !notesPreview.hidden;
        notes.hidden = !notesPreview.hidden;
        if (!notesPreview.hidden) notesPreview.innerHTML = md.render(notes.value);  // raw HTML disabled
        previewToggle.textContent = notesPreview.hidden ? "Preview" : "Edit";
      },
    },
    "Preview",
  );
  ctx.cleanups.push(() => {
    clearTimeout(autosave);
    if (notes.value !== savedNotes) saveNotes();  // leaving the page: keep what was typed
  });
  const aside = interviewerSide
    ? h(
        "aside",
        { class: "side", id: "interviewer-panel" },
        h("h2", {}, "Timer"),
        timer,
        h("h2", {}, "Notes ", h("span", { class: "muted hint" }, "(private)")),
        notes,
        notesPreview,
        h("div", { class: "controls" }, h("button", { type: "button", id: "notes-save", onclick: saveNotes }, "Save notes"), previewToggle, notesStatus),
        h("h2", {}, "Marks"),
        h("p", { class: "muted hint" }, "When the candidate left the tab or the pad (a hint, not proof)."),
        marksEmpty,
        marks,
      )
    : null;

  body.replaceChildren(bar, h("div", { class: interviewerSide ? "session with-side" : "session" }, left, center, aside));

  if (interviewerSide) {
    tick();
    const t = setInterval(tick, 1000);
    ctx.cleanups.push(() => clearInterval(t));
    // The marks so far, from the timeline.
    api
      .get(`/v1/sessions/${encodeURIComponent(id)}/timeline`)
      .then((tl) => {
        if (!ctx.closed) for (const e of tl.events || []) addMark(e, true);
      })
      .catch(() => {});
  }

  // ---- runs ----
  const limitsFor = () => (detail ? ((detail.languageLimits || []).find((l) => l.language === language) || {}).limits || detail.limits : null);
  const runs = new RunsPanel(results, limitsFor, me, interviewerSide);
  let runAbort = null;
  const pageAbort = new AbortController();
  ctx.cleanups.push(() => {
    pageAbort.abort();
    if (runAbort) runAbort.abort();
  });

  let pad = null;
  async function run() {
    if (!runButton || runButton.disabled || ended || !pad) return;
    const source = pad.text();
    const bytes = utf8Bytes(source);
    const maxSource = (detail && Number(detail.maxSourceBytes)) || MAX_PAD_BYTES;
    if (bytes > maxSource) {
      results.replaceChildren(errorBox(`The pad is ${num(bytes)} bytes (UTF-8), over the limit of ${num(maxSource)} bytes: it was not run.`));
      return;
    }
    runButton.disabled = true;
    const mine = (runAbort = new AbortController());
    stopButton.hidden = false;
    stopButton.disabled = false;
    const entry = runs.mine(isCandidate ? "Queued for a practice run on the samples…" : "Queued for a live run…");
    const req = {
      sessionId: id,
      challengeId: session.challengeId,
      language,
      source,
      useCustomStdin: customToggle.checked,
      customStdin: customToggle.checked ? customInput.value : "",
    };
    if (!isCandidate) req.candidateId = session.candidateId;
    try {
      await api.stream("POST", "/v1/live", req, (e) => runs.event(me, e, true), mine.signal);
      if (mine.signal.aborted && !pageAbort.signal.aborted) entry.view.stopped();
    } catch (e) {
      if (runs.current === entry) showError(entry.box, e);
    } finally {
      if (runs.pending === entry) runs.pending = null;
      if (runAbort === mine) runAbort = null;
      stopButton.hidden = true;
      runButton.disabled = ended;
    }
  }
  if (runButton) runButton.addEventListener("click", run);
  if (stopButton)
    stopButton.addEventListener("click", () => {
      if (!runAbort) return;
      stopButton.disabled = true;
      runAbort.abort();  // closing the stream cancels the run on the judge
    });

  const markEnded = (s) => {
    ended = true;
    if (s) endedAt = when(s.endedAt) || endedAt;
    endedAt = endedAt || new Date();
    const badge = document.getElementById("session-state");
    if (badge) badge.replaceWith(stateBadge({ state: "SESSION_STATE_ENDED" }, "session-state"));
    padStatus.textContent = "ended";
    picker.disabled = true;
    if (runButton) runButton.disabled = true;
    if (custom) custom.hidden = true;
    if (endButton) endButton.remove();
    if (pad) pad.setReadOnly(true);
    showEnded();
    tick();
  };

  if (endButton) {
    let armed = null;
    endButton.addEventListener("click", async () => {
      if (!armed) {
        endButton.textContent = "Click again to end";
        endButton.dataset.armed = "true";
        armed = setTimeout(() => {
          armed = null;
          endButton.textContent = "End session";
          delete endButton.dataset.armed;
        }, 5000);
        return;
      }
      clearTimeout(armed);
      endButton.disabled = true;
      try {
        const s = await api.post(`/v1/sessions/${encodeURIComponent(id)}/end`, {});
        markEnded(s);
      } catch (e) {
        endButton.disabled = false;
        showError(padMessage, e);
      }
    });
  }

  // ---- an ended session: the pad as it was left, no socket ----
  if (ended) {
    padBox.replaceChildren();
    readOnlyEditor(padBox, { doc: session.document || "", mode: editorMode(language) });
    showSize(session.document || "");
    return;
  }

  // ---- the live pad ----
  pad = new Pad(padBox, id, {
    mode: editorMode(language),
    onRun: run,
    on: {
      status: (s) => {
        padStatus.textContent = { connecting: "connecting…", connected: "connected", reconnecting: "reconnecting…", ended: "ended", closed: "disconnected" }[s] || s;
        padStatus.dataset.state = s;
      },
      welcome: (msg) => {
        const s = msg.session || {};
        if (s.participants) showParticipants(s.participants);
        if (!joinedAt && when(s.candidateJoinedAt)) joinedAt = when(s.candidateJoinedAt);
        if (s.language && s.language !== language) setLanguage(s.language);
        showSize(pad.text());
        padMessage.replaceChildren();
        if (document.hidden) pad.sendVisibility(true);
        if (isEnded(s)) markEnded(s);
        else pad.focus();
      },
      change: () => showSize(pad.text()),
      updates: (ups) => {
        const who = ups.length ? ups[ups.length - 1].who : "";
        if (who && who !== me) fill(lastTyped, " · last typed by ", whoBadge(who));
      },
      presence: (list) => {
        showParticipants(list);
        // The candidate's first arrival: the judge has its time.
        if (!joinedAt && interviewerSide && list.includes("candidate"))
          api.get(`/v1/sessions/${encodeURIComponent(id)}`).then((s) => {
            if (!joinedAt && when(s.candidateJoinedAt)) {
              joinedAt = when(s.candidateJoinedAt);
              tick();
            }
          }, () => {});
      },
      language: (l, who) => {
        if (l && l !== language) setLanguage(l);
        if (who && who !== me) padMessage.replaceChildren(h("p", { class: "muted" }, `The ${who} switched the language to ${languageName(l)}.`));
      },
      run: (who, e) => runs.event(who, e),
      mark: (e) => addMark(e),
      ended: () => markEnded(null),
      refused: (bytes) =>
        padMessage.replaceChildren(errorBox(`That edit was not made: the pad would be ${num(bytes)} bytes (UTF-8), over the limit of ${num(MAX_PAD_BYTES)} bytes.`)),
      error: (code, message, fatal) => {
        padMessage.replaceChildren(errorBox(fatal ? `The pad is closed: ${message}` : `The judge refused the last change (${message}); the pad was reloaded.`));
        if (fatal) padStatus.textContent = "closed";
      },
    },
  });
  const setLanguage = (l) => {
    language = l;
    if (![...picker.options].some((o) => o.value === l)) picker.append(h("option", { value: l }, languageName(l)));
    picker.value = l;
    pad.setMode(editorMode(l));
  };
  picker.addEventListener("change", () => {
    language = picker.value;
    pad.setMode(editorMode(language));
    pad.sendLanguage(language);
  });
  const visibility = () => pad.sendVisibility(document.hidden);
  document.addEventListener("visibilitychange", visibility);
  ctx.cleanups.push(() => {
    document.removeEventListener("visibilitychange", visibility);
    pad.close();
  });
  pad.connect();
}
