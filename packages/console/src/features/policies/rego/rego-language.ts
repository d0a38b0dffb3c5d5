// Policies, Rego: a CodeMirror 6 StreamLanguage mode for Rego: keywords, strings with escapes, raw
// strings (which may span lines), template strings ($"..." and $`...`, with {expressions}),
// comments, numbers and operators.
import { StreamLanguage, type StringStream } from "@codemirror/language";

const KEYWORDS = new Set([
  "package",
  "import",
  "default",
  "not",
  "some",
  "every",
  "in",
  "if",
  "contains",
  "else",
  "with",
  "as",
]);
const ATOMS = new Set(["true", "false", "null"]);
const BUILTIN_ROOTS = new Set(["input", "data"]);

/** Where the tokenizer is between lines: inside a raw string or template, or not. */
export interface RegoState {
  /** The closing delimiter of an open multi-line string (`\``), template ("`" after `$\``), or none. */
  open: null | "raw" | "template-raw";
  /** Brace depth inside a template's {expression}. */
  templateDepth: number;
}

function readString(stream: StringStream, quote: string, template: boolean): string {
  let escaped = false;
  for (;;) {
    const ch = stream.next();
    if (ch === undefined || ch === null) break;
    if (escaped) {
      escaped = false;
      continue;
    }
    if (ch === "\\" && quote === '"') escaped = true;
    else if (ch === quote) return template ? "string.special" : "string";
  }
  return template ? "string.special" : "string";
}

/** Reads one token from the stream; answers its highlighting tag (null for whitespace). */
export function regoToken(stream: StringStream, state: RegoState): string | null {
  if (state.open !== null) {
    // A raw string (or raw template) still open from a previous line.
    if (stream.skipTo("`")) {
      stream.next();
      const style = state.open === "raw" ? "string" : "string.special";
      state.open = null;
      return style;
    }
    stream.skipToEnd();
    return state.open === "raw" ? "string" : "string.special";
  }
  if (stream.eatSpace()) return null;
  const ch = stream.peek();
  if (ch === "#") {
    stream.skipToEnd();
    return "comment";
  }
  if (ch === "$" && (stream.string[stream.pos + 1] === '"' || stream.string[stream.pos + 1] === "`")) {
    stream.next();
    const quote = stream.next() as string;
    if (quote === "`") {
      if (stream.skipTo("`")) {
        stream.next();
        return "string.special";
      }
      stream.skipToEnd();
      state.open = "template-raw";
      return "string.special";
    }
    return readString(stream, '"', true);
  }
  if (ch === '"') {
    stream.next();
    return readString(stream, '"', false);
  }
  if (ch === "`") {
    stream.next();
    if (stream.skipTo("`")) {
      stream.next();
      return "string";
    }
    stream.skipToEnd();
    state.open = "raw";
    return "string";
  }
  if (stream.match(/^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/)) return "number";
  if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*/)) {
    const word = stream.current();
    if (KEYWORDS.has(word)) return "keyword";
    if (ATOMS.has(word)) return "atom";
    if (BUILTIN_ROOTS.has(word)) return "variableName.special";
    if (stream.peek() === "(") return "function";
    return "variableName";
  }
  if (stream.match(/^(?::=|==|!=|<=|>=|[=<>+\-*/%&|])/)) return "operator";
  stream.next();
  return "punctuation";
}

/** The Rego language for CodeMirror 6. */
export const rego = StreamLanguage.define<RegoState>({
  name: "rego",
  startState: () => ({ open: null, templateDepth: 0 }),
  copyState: (state) => ({ ...state }),
  token: regoToken,
  languageData: { commentTokens: { line: "#" } },
});
