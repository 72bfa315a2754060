// A session played back (#/sessions/<id>/playback), during it or after: a slider over the
// timeline's events shows the pad as it was after each one, who typed it (the change is
// highlighted), runs and marks on the timeline, and Play at 1x, 4x or 16x.
//
// The timeline replays the pad exactly: from "" apply every `changes` event in order. Each is
// applied once, in order, keeping a snapshot of the document every SNAPSHOT_EVERY events
// (CodeMirror's Text is a persistent tree: a snapshot is a reference), so any moment is a
// snapshot plus fewer than SNAPSHOT_EVERY changes away, and moving forward applies only the
// changes in between. The page shows the last moment at once (the session's text, when the
// timeline ends at the session's version) and replays the rest in slices in the background;
// a seek beyond what is replayed yet replays up to there first.
import { ChangeSet, StateEffect, StateField, Text } from "@codemirror/state";
import { Decoration, EditorView, WidgetType } from "@codemirror/view";
import * as api from "./api.js";
import { editorMode, languageName, loadLanguages } from "./languages.js";
import { readOnlyEditor, whoClass } from "./pad.js";
import { clock, eventKind, isEnded, isMark, markText, stateBadge, when, whoBadge } from "./session.js";
import { errorBox, fill, frame, h, role, showError, verdictBadge } from "./ui.js";

export const SNAPSHOT_EVERY = 256;
const SPEEDS = [1, 4, 16];
// Events replayed per slice of background work (a few milliseconds each).
const REPLAY_SLICE = 2000;
// Pauses longer than this (of session time) are shortened to it when playing.
const IDLE_SKIP_MS = 1500;

export class Replay {
  constructor(events) {
    this.events = events;
    this.n = events.length;
    this.kinds = new Array(this.n);
    this.parsed = new Array(this.n);  // ChangeSet, or null when not a change (parsed on demand)
    this.times = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      this.kinds[i] = eventKind(events[i]);
      this.times[i] = Date.parse(events[i].at) || (i ? this.times[i - 1] : 0);
    }
    // Events stamped with the same time (a clock of whole seconds, say) are spread evenly
    // over the time to the next stamp (at most a second), so that playing paces them.
    for (let i = 0; i < this.n; ) {
      let j = i + 1;
      while (j < this.n && this.times[j] === this.times[i]) j++;
      if (j - i > 1) {
        const span = Math.max(0, Math.min(1000, j < this.n ? this.times[j] - this.times[i] : 1000));
        for (let k = i + 1; k < j; k++) this.times[k] = this.times[i] + ((k - i) / (j - i)) * span;
      }
      i = j;
    }
    this.snapshots = [];  // snapshots[k]: the document before event k * SNAPSHOT_EVERY
    this.frontier = 0;  // events before it are applied, giving this.doc
    this.doc = Text.empty;
    this.broken = null;  // the first event whose changes do not apply, if any
    this.replayMs = 0;  // time spent applying
  }

  get done() {
    return this.frontier >= this.n;
  }

  // The changes of event i, or null.
  changeAt(i) {
    let cs = this.parsed[i];
    if (cs === undefined) {
      cs = null;
      if (this.kinds[i] === "changes") {
        try {
          cs = ChangeSet.fromJSON(JSON.parse(this.events[i].changes));
        } catch (err) {
          this.fail(i, err);
        }
      }
      this.parsed[i] = cs;
    }
    return cs;
  }

  fail(i, err) {
    if (!this.broken) this.broken = { index: i, seq: this.events[i].seq, message: String(err.message || err) };
  }

  // Applies the events up to and including `upto`.
  extend(upto) {
    if (this.frontier > upto || this.done) return;
    const t0 = performance.now();
    let doc = this.doc;
    for (let i = this.frontier; i <= upto && i < this.n; i++) {
      if (i % SNAPSHOT_EVERY === 0) this.snapshots.push(doc);
      const cs = this.changeAt(i);
      if (cs) {
        try {
          doc = cs.apply(doc);
        } catch (err) {
          this.fail(i, err);
          this.parsed[i] = null;
        }
      }
      this.frontier = i + 1;
    }
    this.doc = doc;
    this.replayMs += performance.now() - t0;
  }

  // Replays everything, `slice` events at a time between the page's other work; then done().
  background(slice, done) {
    let timer = 0;
    const step = () => {
      this.extend(Math.min(this.n - 1, this.frontier + slice - 1));
      if (this.done) done();
      else timer = setTimeout(step, 0);
    };
    timer = setTimeout(step, 0);
    return () => clearTimeout(timer);
  }

  // The document after event i (i = -1: before the first).
  docAt(i) {
    if (i < 0) return Text.empty;
    this.extend(i);
    if (this.frontier === i + 1) return this.doc;
    const k = Math.min(Math.floor((i + 1) / SNAPSHOT_EVERY), this.snapshots.length - 1);
    let doc = this.snapshots[k];
    for (let j = k * SNAPSHOT_EVERY; j <= i; j++) if (this.parsed[j]) doc = this.parsed[j].apply(doc);
    return doc;
  }

  // The changes from after event `from` to after event `to` (from < to), composed; null if none.
  between(from, to) {
    this.extend(to);
    let cs = null;
    for (let j = from + 1; j <= to; j++) if (this.parsed[j]) cs = cs ? cs.compose(this.parsed[j]) : this.parsed[j];
    return cs;
  }

  // The pad's language after event i.
  languageAt(i, fallback) {
    for (let j = i; j >= 0; j--) if (this.kinds[j] === "language") return this.events[j].language;
    return fallback;
  }
}

// ---- the change shown: highlighted in its author's colour ---------------------------------------

const setHighlight = StateEffect.define();

class DeletionWidget extends WidgetType {
  constructor(who) {
    super();
    this.who = who;
  }
  eq(o) {
    return o.who === this.who;
  }
  toDOM() {
    const el = document.createElement("span");
    el.className = `cm-playback-deletion who-${whoClass(this.who)}`;
    el.setAttribute("aria-hidden", "true");
    return el;
  }
}

const highlightField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) if (e.is(setHighlight)) deco = e.value;
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function highlightOf(cs, who) {
  const cls = `cm-playback-change who-${whoClass(who)}`;
  const ranges = [];
  cs.iterChangedRanges((fromA, toA, fromB, toB) => {
    if (toB > fromB) ranges.push(Decoration.mark({ class: cls }).range(fromB, toB));
    else ranges.push(Decoration.widget({ widget: new DeletionWidget(who), side: 1 }).range(fromB));
  });
  return Decoration.set(ranges, true);
}

// ---- the view --------------------------------------------------------------------------------------

export function playbackView(app, id) {
  const ctx = { closed: false, cleanups: [] };
  const body = h("div", { class: "playback-page" }, h("p", { class: "muted", id: "playback-loading" }, "Loading the timeline…"));
  app.replaceChildren(...frame(body));
  const load = async (keep) => {
    const t0 = performance.now();
    let session, timeline;
    try {
      [session, timeline] = await Promise.all([
        api.get(`/v1/sessions/${encodeURIComponent(id)}`),
        api.get(`/v1/sessions/${encodeURIComponent(id)}/timeline`),
        loadLanguages(),
      ]);
    } catch (e) {
      if (ctx.closed) return;
      if (e instanceof api.ApiError && e.status === 404) return body.replaceChildren(errorBox("No such session, or it is not yours."));
      return showError(body, e);
    }
    if (ctx.closed) return;
    const t1 = performance.now();
    build(body, id, session, new Replay(timeline.events || []), { fetchMs: t1 - t0, startedAt: t0 }, ctx, load, keep);
  };
  load(null);
  return () => {
    ctx.closed = true;
    for (const f of ctx.cleanups.splice(0)) f();
  };
}

function build(body, id, session, replay, timing, ctx, reload, keep) {
  for (const f of ctx.cleanups.splice(0)) f();  // a refresh: the previous one's timers
  const n = replay.n;
  const events = replay.events;
  const interviewerSide = role() !== "candidate";

  // The event shown (a refresh keeps it, unless it was the last: then the new last).
  let current = Math.max(0, Math.min(n - 1, keep === null || keep === undefined ? n - 1 : keep));
  const stats = h("p", { class: "muted", id: "playback-stats" });
  const back = h("a", { class: "button", href: `#/sessions/${id}` }, isEnded(session) ? "The session" : "Back to the session");
  const refresh = h("button", { type: "button", id: "playback-refresh", onclick: () => reload(current >= n - 1 ? null : current) }, "Refresh");
  const head = h(
    "div",
    { class: "session-bar" },
    h("h1", {}, "Playback ", stateBadge(session, "session-state")),
    h("span", { class: "muted" }, `${session.challengeId} · ${languageName(session.language)} · candidate `, h("span", { class: "cand" }, session.candidateId)),
    back,
    refresh,
  );
  if (!n) {
    body.replaceChildren(head, h("p", { class: "muted", id: "playback-empty" }, "Nothing has happened in this session yet."));
    return;
  }

  const slider = h("input", { type: "range", id: "playback-slider", min: 0, max: n - 1, step: 1, value: n - 1, "aria-label": "Moment of the session" });
  const playButton = h("button", { type: "button", id: "play", class: "primary" }, "▶ Play");
  const speed = h("select", { id: "speed", "aria-label": "Speed" }, SPEEDS.map((s) => h("option", { value: s }, `${s}x`)));
  const stepBack = h("button", { type: "button", id: "step-back", title: "Previous event" }, "◀");
  const stepForward = h("button", { type: "button", id: "step-forward", title: "Next event" }, "▶");
  const at = h("div", { class: "playback-at", id: "playback-at", "aria-live": "polite" });
  const canvas = h("canvas", { id: "playback-track", height: 16, "aria-hidden": "true" });
  const markers = h("div", { class: "markers", id: "playback-markers" });
  const track = h("div", { class: "track" }, canvas, markers);
  const padBox = h("div", { class: "editor readonly playback-pad", id: "playback-pad" });
  const runsList = h("ol", { class: "playback-runs", id: "playback-runs" });
  const marksList = h("ol", { class: "marks", id: "playback-marks" });
  const warn = h("div", { id: "playback-warning" });

  // Runs and marks on the track, and listed beside it.
  const x = (i) => (n > 1 ? (i / (n - 1)) * 100 : 0);
  const start = replay.times[0];
  const since = (i) => clock(replay.times[i] - start);
  for (let i = 0; i < n; i++) {
    const kind = replay.kinds[i];
    const e = events[i];
    if (kind === "runStarted" || kind === "runFinished") {
      const s = kind === "runFinished" ? e.runFinished : null;
      const title = s ? `${e.who} ran: ${(s.verdict || "").replace("VERDICT_", "").toLowerCase()}` : `${e.who} started a run`;
      markers.append(
        h("button", {
          type: "button",
          class: `marker ${kind === "runFinished" ? "run-finished" : "run-started"} who-${whoClass(e.who)}`,
          style: `left: ${x(i)}%`,
          title,
          "aria-label": title,
          "data-index": i,
          onclick: () => seek(i, true),
        }),
      );
      if (s)
        runsList.append(
          h(
            "li",
            { "data-index": i, class: "playback-run" },
            h("button", { type: "button", class: "link-like", onclick: () => seek(i, true) }, since(i)),
            " ",
            whoBadge(e.who),
            " ",
            verdictBadge(s.verdict, false, s.useCustomStdin, s.mode === "SUBMISSION_MODE_PRACTICE"),
            s.useCustomStdin || s.mode === "SUBMISSION_MODE_PRACTICE" || s.verdict === "VERDICT_CANCELLED" ? null : h("span", { class: "muted" }, ` ${s.score} / ${s.maxScore}`),
          ),
        );
    } else if (isMark(kind) || kind === "ended" || kind === "language") {
      if (kind === "tabHidden" || kind === "tabVisible" || kind === "ended") {
        markers.append(h("span", { class: `marker ${kind}`, style: `left: ${x(i)}%`, title: `${since(i)} ${e.who || ""} ${kind === "ended" ? "ended the session" : markText(kind)}` }));
      }
      marksList.append(
        h(
          "li",
          { class: `mark kind-${kind}`, "data-kind": kind, "data-index": i },
          h("button", { type: "button", class: "link-like", onclick: () => seek(i, true) }, since(i)),
          " ",
          e.who ? whoBadge(e.who) : null,
          " ",
          kind === "ended" ? "ended the session" : kind === "language" ? `switched to ${languageName(e.language)}` : markText(kind),
        ),
      );
    }
  }
  if (!runsList.children.length) runsList.append(h("li", { class: "muted" }, "No runs."));

  const legend = h(
    "div",
    { class: "legend" },
    h("span", { class: "swatch who-interviewer" }), " interviewer typed ",
    h("span", { class: "swatch who-candidate" }), " candidate typed ",
    h("span", { class: "swatch run" }), " run ",
    interviewerSide ? [h("span", { class: "swatch tab" }), " left the tab"] : null,
  );

  body.replaceChildren(
    head,
    warn,
    h(
      "div",
      { class: "playback" },
      h(
        "section",
        { class: "right" },
        h("div", { class: "controls" }, playButton, speed, stepBack, stepForward, at),
        slider,
        track,
        legend,
        padBox,
        stats,
      ),
      h("aside", { class: "side" }, h("h2", {}, "Runs"), runsList, h("h2", {}, "Events"), marksList),
    ),
  );

  // Draws who typed along the track: one line per change, in its author's colour.
  const drawTrack = () => {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(track.clientWidth * ratio));
    canvas.width = width;
    canvas.height = Math.round(16 * ratio);
    canvas.style.width = "100%";
    canvas.style.height = "16px";
    const g = canvas.getContext("2d");
    if (!g) return;
    const colours = getComputedStyle(track);
    const colour = (who) => colours.getPropertyValue(`--${whoClass(who)}`).trim() || colours.getPropertyValue("--other").trim() || "#98a2b3";
    const byWho = new Map();
    for (let i = 0; i < n; i++) {
      if (replay.kinds[i] !== "changes") continue;
      const px = n > 1 ? Math.min(width - 1, Math.floor((i / (n - 1)) * (width - 1))) : 0;
      const who = events[i].who || "";
      if (!byWho.has(who)) byWho.set(who, []);
      byWho.get(who).push(px);
    }
    g.clearRect(0, 0, width, canvas.height);
    for (const [who, xs] of byWho) {
      g.fillStyle = colour(who);
      let last = -1;
      for (const px of xs) {
        if (px === last) continue;
        last = px;
        g.fillRect(px, 0, Math.max(1, Math.ceil(ratio)), canvas.height);
      }
    }
  };
  drawTrack();
  window.addEventListener("resize", drawTrack);
  ctx.cleanups.push(() => window.removeEventListener("resize", drawTrack));

  // The pad at the chosen moment. At the end, when the timeline ends at the session's version,
  // that is the session's text: shown without waiting for the replay.
  const lastVersion = Number(events[n - 1].version) || 0;
  const atSessionEnd = current === n - 1 && typeof session.document === "string" && lastVersion === (Number(session.version) || 0);
  const editor = readOnlyEditor(padBox, {
    doc: atSessionEnd ? session.document : replay.docAt(current),
    mode: editorMode(replay.languageAt(current, session.language)),
    extensions: [highlightField],
  });
  let mode = editorMode(replay.languageAt(current, session.language));

  function describe(i) {
    const e = events[i];
    const kind = replay.kinds[i];
    const t = when(e.at);
    const what = {
      changes: "typed",
      language: `switched the language to ${languageName(e.language)}`,
      runStarted: "started a run",
      runFinished: "run finished",
      ended: "ended the session",
    }[kind] || markText(kind);
    fill(
      at,
      h("span", { class: "idx" }, `Event ${i + 1} of ${n}`),
      " · ",
      h("span", { class: "t" }, t ? t.toLocaleTimeString() : ""),
      h("span", { class: "muted" }, ` (+${since(i)})`),
      " · ",
      e.who ? whoBadge(e.who) : null,
      " ",
      what,
      kind === "runFinished" && e.runFinished ? [" ", verdictBadge(e.runFinished.verdict, false, e.runFinished.useCustomStdin, e.runFinished.mode === "SUBMISSION_MODE_PRACTICE")] : null,
    );
    at.dataset.index = String(i);
    at.dataset.seq = String(e.seq || "");
    at.dataset.who = e.who || "";
    at.dataset.kind = kind;
    at.dataset.version = String(e.version ?? "");
  }

  // Shows the pad after event i: forward by the changes in between, else from a snapshot.
  function seek(i, stopPlaying = false) {
    i = Math.max(0, Math.min(n - 1, i));
    if (stopPlaying) pause();
    const view = editor.view;
    if (i !== current) {
      const forward = i > current && i - current <= SNAPSHOT_EVERY ? replay.between(current, i) : undefined;
      if (forward !== undefined) {
        if (forward) view.dispatch({ changes: forward });
      } else {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: replay.docAt(i) } });
      }
      current = i;
    }
    const cs = replay.changeAt(i);
    const effects = [setHighlight.of(cs ? highlightOf(cs, events[i].who) : Decoration.none)];
    if (cs) {
      let first = -1;
      cs.iterChangedRanges((fa, ta, fb) => {
        if (first < 0) first = fb;
      });
      if (first >= 0) effects.push(EditorView.scrollIntoView(Math.min(first, view.state.doc.length), { y: "nearest" }));
    }
    view.dispatch({ effects });
    const m = editorMode(replay.languageAt(i, session.language));
    if (m !== mode) {
      mode = m;
      editor.setMode(m);
    }
    if (Number(slider.value) !== i) slider.value = String(i);
    describe(i);
  }

  // Play: session time runs `speed` times as fast; long pauses are shortened.
  let playing = false;
  let raf = 0;
  let vt = 0;
  let last = 0;
  function pause() {
    playing = false;
    cancelAnimationFrame(raf);
    playButton.textContent = "▶ Play";
    playButton.dataset.playing = "false";
  }
  function step(now) {
    if (!playing) return;
    vt += (now - last) * Number(speed.value);
    last = now;
    let i = current;
    while (i + 1 < n && replay.times[i + 1] <= vt) i++;
    if (i + 1 < n && replay.times[i + 1] - vt > IDLE_SKIP_MS) vt = replay.times[i + 1] - IDLE_SKIP_MS;
    if (i !== current) seek(i);
    if (current >= n - 1) return pause();
    raf = requestAnimationFrame(step);
  }
  function play() {
    if (current >= n - 1) seek(0);
    playing = true;
    playButton.textContent = "❚❚ Pause";
    playButton.dataset.playing = "true";
    vt = replay.times[current];
    last = performance.now();
    raf = requestAnimationFrame(step);
  }
  ctx.cleanups.push(pause);
  playButton.addEventListener("click", () => (playing ? pause() : play()));
  slider.addEventListener("input", () => seek(Number(slider.value), true));
  stepBack.addEventListener("click", () => seek(current - 1, true));
  stepForward.addEventListener("click", () => seek(current + 1, true));

  seek(current);
  // Shown and usable: the timing as data (the browser test reads it) and as text.
  const shownMs = performance.now() - timing.startedAt;
  stats.dataset.events = String(n);
  stats.dataset.fetchMs = String(Math.round(timing.fetchMs));
  stats.dataset.loadMs = String(Math.round(shownMs));
  const say = (rest) =>
    (stats.textContent = `${n.toLocaleString("en-US")} events: fetched in ${Math.round(timing.fetchMs)} ms, shown ${Math.round(shownMs)} ms after the request${rest}.`);
  say(", replaying…");
  // The rest of the replay, in the background: then whether it ends at the session's text.
  const stop = replay.background(REPLAY_SLICE, () => {
    const doneMs = performance.now() - timing.startedAt;
    stats.dataset.replayMs = String(Math.round(replay.replayMs));
    stats.dataset.doneMs = String(Math.round(doneMs));
    const consistent = !replay.broken && (lastVersion !== (Number(session.version) || 0) || replay.doc.toString() === (session.document || ""));
    stats.dataset.consistent = String(consistent);
    stats.dataset.replayed = "true";
    say(`, replayed in ${Math.round(replay.replayMs)} ms of work (all done ${Math.round(doneMs)} ms after the request)`);
    if (replay.broken) warn.replaceChildren(errorBox(`The timeline does not replay from event ${replay.broken.seq || replay.broken.index} on (${replay.broken.message}).`));
    else if (!consistent) warn.replaceChildren(errorBox("The replayed pad differs from the session's text."));
  });
  ctx.cleanups.push(stop);
}
