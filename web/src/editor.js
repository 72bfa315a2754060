// The code editor: CodeMirror 6 with line numbers, highlighting for every language the judge
// takes, and Ctrl/Cmd+Enter bound to the page's main action.
import { EditorView, basicSetup } from "codemirror";
import { EditorState, Compartment, Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { StreamLanguage, indentUnit } from "@codemirror/language";
import { indentWithTab } from "@codemirror/commands";
import { cpp } from "@codemirror/lang-cpp";
import { python } from "@codemirror/lang-python";
import { sql } from "@codemirror/lang-sql";
import { java } from "@codemirror/lang-java";
import { javascript } from "@codemirror/lang-javascript";
import { rust } from "@codemirror/lang-rust";
import { go } from "@codemirror/lang-go";
import { php } from "@codemirror/lang-php";
import { csharp } from "@codemirror/legacy-modes/mode/clike";
import { ruby } from "@codemirror/legacy-modes/mode/ruby";

// By editor mode (the server's language table names each language's: GET /v1/languages).
const MODES = {
  c: () => cpp(),
  cpp: () => cpp(),
  python: () => [python(), indentUnit.of("    ")],  // PEP 8: four spaces
  sql: () => sql(),
  java: () => java(),
  javascript: () => javascript(),
  typescript: () => javascript({ typescript: true }),
  go: () => go(),
  rust: () => rust(),
  csharp: () => StreamLanguage.define(csharp),
  ruby: () => [StreamLanguage.define(ruby), indentUnit.of("  ")],
  php: () => php(),  // a source that opens with <?php
};

export function languageSupport(mode) {
  return (MODES[mode] || (() => []))();
}

// The size of a source as the judge counts it: UTF-8 bytes.
export const utf8Bytes = (text) => new TextEncoder().encode(text).length;

// An editable editor in `parent`; `onRun` on Ctrl/Cmd+Enter; `onChange(text)` on edits. With
// `maxBytes()`, a paste that would make the source larger than that is refused (not inserted)
// and `onRefusedPaste(bytes, limit)` is told.
export function createEditor(parent, { doc, language, onRun, onChange, readOnly = false, maxBytes, onRefusedPaste }) {
  const lang = new Compartment();
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        Prec.highest(
          keymap.of([
            {
              key: "Mod-Enter",
              run: () => {
                if (onRun) onRun();
                return true;
              },
            },
          ]),
        ),
        basicSetup,
        keymap.of([indentWithTab]),
        EditorState.transactionFilter.of((tr) => {
          if (!maxBytes || !tr.docChanged || !(tr.isUserEvent("input.paste") || tr.isUserEvent("input.drop"))) return tr;
          const limit = maxBytes();
          const bytes = utf8Bytes(tr.newDoc.toString());
          if (bytes <= limit) return tr;
          if (onRefusedPaste) queueMicrotask(() => onRefusedPaste(bytes, limit));
          return [];
        }),
        lang.of(languageSupport(language)),
        EditorState.readOnly.of(readOnly),
        EditorView.editable.of(!readOnly),
        EditorView.contentAttributes.of({ "aria-label": "Source code" }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && onChange) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText: (text) =>
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    setLanguage: (id) => view.dispatch({ effects: lang.reconfigure(languageSupport(id)) }),
    focus: () => view.focus(),
  };
}
