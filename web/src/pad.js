// The shared pad of a live interview session: one CodeMirror 6 editor kept in step with the
// judge over the session's WebSocket (/v1/sessions/{id}/pad) by @codemirror/collab. The judge is
// the central authority: it keeps the ordered list of changes and a version, accepts a push only
// at its own version and sends every accepted update to everyone, in order (the sender too:
// collab confirms its own by client id); a client rebases what it has not had confirmed and
// pushes again. The other side's cursor and selection are drawn as decorations that follow the
// changes. Frames are JSON text: see pushFrame and Pad.frame for the two directions.
import { EditorView, basicSetup } from "codemirror";
import { ChangeSet, Compartment, EditorState, Prec, StateEffect, StateField, Transaction } from "@codemirror/state";
import { Decoration, WidgetType, keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { collab, getSyncedVersion, receiveUpdates, sendableUpdates } from "@codemirror/collab";
import * as api from "./api.js";
import { languageSupport, utf8Bytes } from "./editor.js";

// The judge refuses a pad over 64 KiB (UTF-8): such an edit is not made here either.
export const MAX_PAD_BYTES = 65536;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10000;
const CURSOR_EVERY_MS = 50;
// A push the judge has not answered (by the broadcast of its updates, or of someone else's that
// came first) within this is sent again; a stale one is ignored by the judge, so that is safe.
const REPUSH_MS = 3000;

// ---- the other side's cursor and selection -----------------------------------------------------

// {who, anchor, head} sets `who`'s cursor (positions in this editor's document); {who, gone}
// removes it.
const setRemoteCursor = StateEffect.define();
export const whoClass = (who) => String(who || "").replace(/[^a-z]/g, "") || "other";

class CaretWidget extends WidgetType {
  constructor(who) {
    super();
    this.who = who;
  }
  eq(other) {
    return other.who === this.who;
  }
  toDOM() {
    // The name is drawn by CSS (attr(data-who)): no text of its own in the document's DOM.
    const el = document.createElement("span");
    el.className = `cm-remote-caret who-${whoClass(this.who)}`;
    el.setAttribute("data-who", this.who);
    el.setAttribute("aria-hidden", "true");
    return el;
  }
  ignoreEvent() {
    return true;
  }
}

function cursorDecorations(list, length) {
  const ranges = [];
  for (const c of list) {
    const anchor = Math.max(0, Math.min(c.anchor, length));
    const head = Math.max(0, Math.min(c.head, length));
    const cls = whoClass(c.who);
    if (anchor !== head) {
      ranges.push(
        Decoration.mark({ class: `cm-remote-selection who-${cls}`, attributes: { "data-who": c.who } }).range(
          Math.min(anchor, head),
          Math.max(anchor, head),
        ),
      );
    }
    ranges.push(Decoration.widget({ widget: new CaretWidget(c.who), side: 1 }).range(head));
  }
  return Decoration.set(ranges, true);
}

const remoteCursors = StateField.define({
  create: () => ({ list: [], deco: Decoration.none }),
  update(value, tr) {
    let list = value.list;
    if (tr.docChanged) list = list.map((c) => ({ ...c, anchor: tr.changes.mapPos(c.anchor, 1), head: tr.changes.mapPos(c.head, 1) }));
    for (const e of tr.effects) {
      if (!e.is(setRemoteCursor)) continue;
      list = list.filter((c) => c.who !== e.value.who);
      if (!e.value.gone) list = list.concat({ who: e.value.who, anchor: e.value.anchor, head: e.value.head });
    }
    if (list === value.list) return value;
    return { list, deco: cursorDecorations(list, tr.newDoc.length) };
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.deco),
});

// ---- the pad -----------------------------------------------------------------------------------

export function padSocketUrl(sessionId) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/v1/sessions/${encodeURIComponent(sessionId)}/pad`;
}

// A push frame: the updates collab has not had confirmed, at the version it is synced to.
export function pushFrame(state) {
  return {
    type: "push",
    version: getSyncedVersion(state),
    updates: sendableUpdates(state).map((u) => ({ clientID: u.clientID, changes: u.changes.toJSON() })),
  };
}

const readOnlyExtensions = (readOnly) => [EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)];

// Frames from the judge go to `on`: welcome(msg), updates(updates with `who`), cursor(msg),
// language(language, who), presence(participants), run(who, event), mark(event), ended(),
// change() after any change of the document,
// error(code, message, fatal), status(state) with state "connecting", "connected",
// "reconnecting", "ended" or "closed"; refused(bytes) when an edit would make the pad too large.
export class Pad {
  constructor(parent, sessionId, { mode, onRun, on = {} }) {
    this.parent = parent;
    this.id = sessionId;
    this.mode = mode;
    this.onRun = onRun;
    this.on = on;
    this.view = null;
    this.ws = null;
    this.welcomed = false;
    this.fresh = true;  // the next hello asks for the whole document (version -1)
    this.attempts = 0;
    this.closed = false;
    this.ended = false;
    this.fatal = false;
    this.readOnly = false;
    this.role = "";
    this.pushedAt = null;
    this.timers = {};
    this.offlineUntil = 0;
    this.langConf = new Compartment();
    this.roConf = new Compartment();
    // For tests and the page itself: the pad's text and versions, read from its element.
    parent.padText = () => (this.view ? this.view.state.doc.toString() : null);
    parent.padVersion = () => (this.view ? getSyncedVersion(this.view.state) : -1);
    parent.padPending = () => (this.view ? sendableUpdates(this.view.state).length : 0);
    // Drops the socket as a network failure of `ms` would (then the pad joins again with its
    // version, gets what it missed and sends what was typed meanwhile).
    parent.padDrop = (ms = 0) => {
      this.offlineUntil = Date.now() + ms;
      if (this.ws) this.ws.close();
    };
  }

  emit(name, ...args) {
    const f = this.on[name];
    if (f) f(...args);
  }

  status(state) {
    this.parent.dataset.status = state;
    this.emit("status", state);
  }

  text() {
    return this.view ? this.view.state.doc.toString() : "";
  }

  createState(doc, version, selection) {
    const length = doc.length;
    return EditorState.create({
      doc,
      selection: selection ? { anchor: Math.min(selection.anchor, length), head: Math.min(selection.head, length) } : undefined,
      extensions: [
        Prec.highest(
          keymap.of([
            {
              key: "Mod-Enter",
              run: () => {
                if (this.onRun) this.onRun();
                return true;
              },
            },
          ]),
        ),
        basicSetup,
        keymap.of([indentWithTab]),
        this.langConf.of(languageSupport(this.mode)),
        this.roConf.of(readOnlyExtensions(this.readOnly)),
        collab({ startVersion: version }),
        remoteCursors,
        EditorState.transactionFilter.of((tr) => this.sizeFilter(tr)),
        EditorView.contentAttributes.of({ "aria-label": "Shared pad" }),
        EditorView.updateListener.of((u) => this.changed(u)),
      ],
    });
  }

  // A local edit that would take the pad over the judge's limit is not made.
  sizeFilter(tr) {
    if (!tr.docChanged || tr.annotation(Transaction.remote)) return tr;
    if (tr.newDoc.length * 3 <= MAX_PAD_BYTES) return tr;  // at most 3 bytes per UTF-16 unit
    const bytes = utf8Bytes(tr.newDoc.toString());
    if (bytes <= MAX_PAD_BYTES) return tr;
    queueMicrotask(() => this.emit("refused", bytes));
    return [];
  }

  changed(u) {
    this.parent.dataset.version = String(getSyncedVersion(u.state));
    this.parent.dataset.pending = String(sendableUpdates(u.state).length);
    const local = u.transactions.some((tr) => !tr.annotation(Transaction.remote) && (tr.docChanged || tr.selection));
    if (u.docChanged) {
      this.flush();
      this.emit("change");
    }
    if (local) this.cursorSoon();
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.welcomed) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  connect() {
    if (this.closed || this.ended || this.fatal) return;
    clearTimeout(this.timers.retry);
    this.status(this.attempts ? "reconnecting" : "connecting");
    let ws;
    try {
      ws = new WebSocket(padSocketUrl(this.id));
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    ws.onopen = () => {
      const version = this.view && !this.fresh ? getSyncedVersion(this.view.state) : -1;
      ws.send(JSON.stringify({ type: "hello", token: api.token(), version }));
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws || typeof ev.data !== "string") return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      try {
        this.frame(msg);
      } catch (e) {
        // A frame that does not fit this document (a change of the wrong length, say): start
        // again from the judge's whole document.
        console.error("pad: resynchronizing after", e);
        this.resync();
      }
    };
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.welcomed = false;
      if (this.ended) this.status("ended");
      else if (this.closed || this.fatal) this.status("closed");
      else this.retry();
    };
  }

  retry() {
    const backoff = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempts) * (0.75 + Math.random() * 0.5);
    const delay = Math.max(backoff, this.offlineUntil - Date.now());
    this.attempts++;
    this.status("reconnecting");
    clearTimeout(this.timers.retry);
    this.timers.retry = setTimeout(() => this.connect(), delay);
  }

  // Drops the socket and joins afresh: the judge's document replaces this one (what was not
  // confirmed is lost: the judge refused it).
  resync() {
    this.fresh = true;
    this.reconnectNow();
  }

  // Joins again at once (hello with the synced version: the judge sends what was missed).
  reconnectNow() {
    const ws = this.ws;
    this.ws = null;
    this.welcomed = false;
    if (ws) {
      ws.onclose = null;
      ws.close();
    }
    this.connect();
  }

  close() {
    this.closed = true;
    for (const t of Object.values(this.timers)) clearTimeout(t);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close(1000, "left");
    }
    if (this.view) this.view.destroy();
  }

  frame(msg) {
    switch (msg.type) {
      case "welcome":
        return this.welcome(msg);
      case "updates":
        return this.updates(msg);
      case "cursor":
        return this.remoteCursor(msg);
      case "language":
        return this.emit("language", msg.language, msg.who);
      case "presence":
        if (this.view) {
          const here = new Set(msg.participants || []);
          const gone = this.view.state.field(remoteCursors).list.filter((c) => !here.has(c.who));
          if (gone.length) this.view.dispatch({ effects: gone.map((c) => setRemoteCursor.of({ who: c.who, gone: true })) });
        }
        this.sendCursor();  // someone (re)joined: show them where we are
        return this.emit("presence", msg.participants || []);
      case "run":
        return this.emit("run", msg.who, msg.event || {});
      case "mark":
        return this.emit("mark", msg.event || {});
      case "ended":
        this.ended = true;
        this.setReadOnly(true);
        this.status("ended");
        return this.emit("ended");
      case "error":
        return this.error(msg);
      default:
        return undefined;
    }
  }

  welcome(msg) {
    this.role = msg.role || "";
    this.attempts = 0;
    const version = Number(msg.version) || 0;
    if (typeof msg.doc === "string" || !this.view) {
      const doc = typeof msg.doc === "string" ? msg.doc : "";
      if (this.view) {
        const sel = this.view.state.selection.main;
        const cursors = this.view.state.field(remoteCursors).list;
        this.view.setState(this.createState(doc, version, sel));
        if (cursors.length) this.view.dispatch({ effects: cursors.map((c) => setRemoteCursor.of(c)) });
      } else {
        this.parent.replaceChildren();
        this.view = new EditorView({ parent: this.parent, state: this.createState(doc, version) });
      }
    } else {
      // A reconnect: what was accepted since our synced version, ours among it.
      this.receive(msg.updates || [], getSyncedVersion(this.view.state));
    }
    this.fresh = false;
    this.welcomed = true;
    this.pushedAt = null;
    this.parent.dataset.version = String(getSyncedVersion(this.view.state));
    this.status("connected");
    this.emit("welcome", msg);
    this.flush();
    this.sendCursor();
  }

  // An `updates` frame's version is the pad's version after its updates.
  updates(msg) {
    if (!this.view) return;
    const updates = msg.updates || [];
    const after = Number(msg.version);
    this.receive(updates, Number.isFinite(after) ? after - updates.length : getSyncedVersion(this.view.state));
  }

  // Applies `updates`, the first of which took the pad from version `base`: those already
  // applied are skipped; a gap (updates missed) is caught up by joining again.
  receive(updates, base) {
    const synced = getSyncedVersion(this.view.state);
    if (base > synced) {
      this.reconnectNow();
      return;
    }
    const fresh = updates.slice(synced - base);
    if (!fresh.length) return;
    const parsed = fresh.map((u) => ({ clientID: String(u.clientID), changes: ChangeSet.fromJSON(typeof u.changes === "string" ? JSON.parse(u.changes) : u.changes) }));
    this.pushedAt = null;
    this.view.dispatch(receiveUpdates(this.view.state, parsed));
    this.emit("updates", fresh);
    this.flush();
  }

  // Sends what collab has not had confirmed, once per synced version (and again after
  // REPUSH_MS without an answer).
  flush() {
    if (!this.view || !this.welcomed || this.ended || this.readOnly) return;
    const state = this.view.state;
    if (!sendableUpdates(state).length) return;
    const version = getSyncedVersion(state);
    if (this.pushedAt === version) return;
    if (!this.send(pushFrame(state))) return;
    this.pushedAt = version;
    clearTimeout(this.timers.repush);
    this.timers.repush = setTimeout(() => {
      if (this.pushedAt === version) {
        this.pushedAt = null;
        this.flush();
      }
    }, REPUSH_MS);
  }

  cursorSoon() {
    if (this.timers.cursor) return;
    this.timers.cursor = setTimeout(() => {
      this.timers.cursor = null;
      this.sendCursor();
    }, CURSOR_EVERY_MS);
  }

  // Our selection in the judge's document: mapped back over what it has not confirmed yet.
  sendCursor() {
    if (!this.view) return;
    const state = this.view.state;
    let { anchor, head } = state.selection.main;
    const pending = sendableUpdates(state);
    for (let i = pending.length - 1; i >= 0; i--) {
      const back = pending[i].changes.invertedDesc;
      anchor = back.mapPos(anchor, -1);
      head = back.mapPos(head, -1);
    }
    this.send({ type: "cursor", anchor, head });
  }

  // The other side's selection, in the judge's document: mapped over our unconfirmed changes.
  remoteCursor(msg) {
    if (!this.view || !msg.who || msg.who === this.role) return;
    const state = this.view.state;
    const pending = sendableUpdates(state);
    const judgeLength = pending.length ? pending[0].changes.length : state.doc.length;
    let anchor = Math.max(0, Math.min(Number(msg.anchor) || 0, judgeLength));
    let head = Math.max(0, Math.min(Number(msg.head) || 0, judgeLength));
    for (const u of pending) {
      anchor = u.changes.mapPos(anchor, 1);
      head = u.changes.mapPos(head, 1);
    }
    this.view.dispatch({ effects: setRemoteCursor.of({ who: msg.who, anchor, head }) });
    this.emit("cursor", msg);
  }

  error(msg) {
    const code = msg.code || "UNKNOWN";
    // The judge refused a push (a pad over 64 KiB): the socket stays; what it dropped is
    // undone by taking the judge's document again.
    if (code === "INVALID_ARGUMENT" || code === "RESOURCE_EXHAUSTED" || code === "FAILED_PRECONDITION") {
      this.emit("error", code, msg.message || code, false);
      if (this.view && sendableUpdates(this.view.state).length) this.resync();
      return;
    }
    this.fatal = code === "NOT_FOUND" || code === "UNAUTHENTICATED" || code === "PERMISSION_DENIED";
    this.emit("error", code, msg.message || code, this.fatal);
  }

  setMode(mode) {
    this.mode = mode;
    if (this.view) this.view.dispatch({ effects: this.langConf.reconfigure(languageSupport(mode)) });
  }

  setReadOnly(readOnly) {
    this.readOnly = readOnly;
    if (this.view) this.view.dispatch({ effects: this.roConf.reconfigure(readOnlyExtensions(readOnly)) });
  }

  sendLanguage(language) {
    return this.send({ type: "language", language });
  }

  sendVisibility(hidden) {
    return this.send({ type: "visibility", hidden });
  }

  focus() {
    if (this.view) this.view.focus();
  }
}

// A read-only editor showing `doc` (an ended session's pad; playback).
export function readOnlyEditor(parent, { doc, mode, extensions = [] }) {
  const langConf = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        basicSetup,
        langConf.of(languageSupport(mode)),
        readOnlyExtensions(true),
        EditorView.contentAttributes.of({ "aria-label": "The pad (read-only)" }),
        ...extensions,
      ],
    }),
  });
  parent.padText = () => view.state.doc.toString();
  return { view, setMode: (m) => view.dispatch({ effects: langConf.reconfigure(languageSupport(m)) }) };
}
