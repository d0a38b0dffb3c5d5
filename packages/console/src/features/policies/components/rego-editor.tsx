// Policies, component: the Rego editor (CodeMirror 6 with our Rego mode); compile errors from the
// browser engine are marked at their line and column as you type, and listed under the editor.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import { type Diagnostic, linter, lintGutter } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { useEffect, useRef } from "react";
import type { DraftProblem } from "../rego/browser-rego";
import { rego } from "../rego/rego-language";
import { EditorEchoes } from "./editor-echoes";

/** Props of RegoEditor. */
export interface RegoEditorProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  /** Checks the text; answers its problems (empty when it compiles). */
  readonly check: (text: string) => Promise<readonly DraftProblem[]>;
  readonly label: string;
}

/**
 * The editor's look. CodeMirror's styles are mounted as constructed style sheets inside the
 * editor's shadow root (adoptedStyleSheets), which the CSP allows; in the document itself they
 * would be a <style> element, which `style-src 'self'` refuses.
 */
const editorTheme = EditorView.theme({
  "&": { minHeight: "220px", maxHeight: "520px", fontSize: "14px", backgroundColor: "#ffffff" },
  ".cm-scroller": {
    fontFamily: '"JetBrains Mono", "SFMono-Regular", Menlo, Consolas, monospace',
    lineHeight: "1.55",
  },
  ".cm-gutters": { backgroundColor: "#f6f7f9", color: "#556070", borderRight: "1px solid #dfe3e8" },
  ".cm-activeLine": { backgroundColor: "#f3f5ff" },
  ".cm-activeLineGutter": { backgroundColor: "#e9ecfb" },
  "&.cm-focused": { outline: "3px solid #7f8cf0", outlineOffset: "-1px" },
  ".cm-content": { caretColor: "#1c2430" },
});

function diagnosticsOf(view: EditorView, problems: readonly DraftProblem[]): Diagnostic[] {
  const doc = view.state.doc;
  return problems.map((p) => {
    const line = doc.line(Math.min(Math.max(p.row ?? 1, 1), doc.lines));
    const from = Math.min(line.from + Math.max((p.col ?? 1) - 1, 0), line.to);
    const to = Math.min(Math.max(from + 1, line.to), doc.length);
    return {
      from,
      to: to > from ? to : from,
      severity: "error",
      message: `${p.code}: ${p.message}`,
      source: "rego",
    };
  });
}

/** A Rego editor, keyboard-accessible (Tab indents; Escape then Tab leaves the editor). */
export function RegoEditor({ value, onChange, check, label }: RegoEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, check });
  latest.current = { onChange, check };
  const echoes = useRef(new EditorEchoes());
  // The editor is created once per mount; later `value`s from outside are applied below.
  // biome-ignore lint/correctness/useExhaustiveDependencies: created once per mount
  useEffect(() => {
    if (host.current === null) return;
    const root = host.current.shadowRoot ?? host.current.attachShadow({ mode: "open" });
    const editor = new EditorView({
      root,
      parent: root,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          rego,
          editorTheme,
          syntaxHighlighting(defaultHighlightStyle),
          lintGutter(),
          linter(async (v) => diagnosticsOf(v, await latest.current.check(v.state.doc.toString())), {
            delay: 250,
          }),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ "aria-label": label, "aria-multiline": "true" }),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            const text = update.state.doc.toString();
            echoes.current.note(text);
            latest.current.onChange(text);
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, []);
  useEffect(() => {
    const editor = view.current;
    if (editor && echoes.current.shouldApply(value, editor.state.doc.toString()))
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);
  return <div className="rego-editor" ref={host} />;
}
