// Syntax stage, first step: the lexer turns Rego source text into tokens with locations.
// Keywords are not decided here: which words are keywords depends on the Rego version and on
// `future.keywords` imports, so the parser classifies identifiers itself.
// Template strings (`$"a {x} b"`, `` $`...` ``) are cut into parts around their holes, as
// OPA's scanner does: a part runs from `$"` or from a hole's closing `}` up to the next `{`
// or the closing quote, and the tokens of each hole come in between. The lexer counts braces
// inside a hole so that the `}` ending it is told from those of sets, objects and bodies.

import type { Comment } from "./ast.js";
import type { Location } from "./location.js";
import { decodeStringLiteral } from "./string-literal.js";

/** Punctuation and operator tokens, spelled as in the source. */
export type PunctuationKind =
  | "["
  | "]"
  | "{"
  | "}"
  | "("
  | ")"
  | ","
  | ":"
  | ";"
  | "."
  | ":="
  | "="
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "&"
  | "|";

/** Every kind of token. `illegal` tokens carry the reason in `error`. */
export type TokenKind = "ident" | "number" | "string" | "template" | "eof" | "illegal" | PunctuationKind;

/** Where a part of a template string sits in it (set on its `template` token, legal or not). */
export interface TemplatePartInfo {
  /** The backtick form (`` $`...` ``): no escapes but `\{`, and line breaks allowed. */
  readonly raw: boolean;
  /** The part opens the template string (`$"`, `` $` ``); otherwise it starts at a hole's `}`. */
  readonly first: boolean;
  /** The part closes the template string; otherwise it ends with `{` and a hole follows. */
  readonly last: boolean;
}

/** One token of Rego source. */
export interface Token {
  readonly kind: TokenKind;
  /** The exact source text of the token (empty for `eof`). */
  readonly text: string;
  /** For string tokens (quoted or raw) and template parts: the decoded value. */
  readonly value?: string;
  /** For parts of template strings (also when illegal): where the part sits. */
  readonly template?: TemplatePartInfo;
  /** For `illegal` tokens: what is wrong. */
  readonly error?: string;
  readonly location: Location;
  /** Whitespace or a comment sits between the previous token and this one. */
  readonly spaceBefore: boolean;
  /** A line break sits between the previous token and this one. */
  readonly newlineBefore: boolean;
}

/** What the lexer produces: the tokens (ending with `eof`) and the comments. */
export interface LexResult {
  readonly tokens: readonly Token[];
  readonly comments: readonly Comment[];
}

/** Splits Rego source into tokens. Never throws: bad input becomes `illegal` tokens. */
export function lex(file: string, source: string): LexResult {
  return new Lexer(file, source).run();
}

const SINGLE: Readonly<Record<string, PunctuationKind>> = {
  "[": "[",
  "]": "]",
  "{": "{",
  "}": "}",
  "(": "(",
  ")": ")",
  ",": ",",
  ";": ";",
  ".": ".",
  "+": "+",
  "-": "-",
  "*": "*",
  "/": "/",
  "%": "%",
  "&": "&",
  "|": "|",
};

const UNICODE_DIGIT = /^\p{Nd}$/u;

/** A template-string hole being lexed: its form, and how many of its own `{` are still open. */
interface OpenHole {
  readonly raw: boolean;
  depth: number;
}

class Lexer {
  private readonly file: string;
  private readonly src: string;
  private readonly tokens: Token[] = [];
  private readonly comments: Comment[] = [];
  /** UTF-16 index of the current character. */
  private i = 0;
  private row = 1;
  private col = 1;
  /** UTF-8 byte offset of the current character. */
  private byte = 0;
  /** Set when the current token met a character that makes it illegal wherever it sits. */
  private tokenError: string | undefined;
  /** Template-string holes the current position is inside, innermost last. */
  private readonly holes: OpenHole[] = [];

  constructor(file: string, source: string) {
    this.file = file;
    this.src = source;
  }

  run(): LexResult {
    if (this.src.charCodeAt(0) === 0xfeff) this.advance();
    let spaceBefore = false;
    let newlineBefore = false;
    for (;;) {
      const c = this.src.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        spaceBefore = true;
        this.advance();
        continue;
      }
      if (c === 0x0a) {
        spaceBefore = true;
        newlineBefore = true;
        this.advance();
        continue;
      }
      const location = this.location();
      const start = this.i;
      this.tokenError = undefined;
      if (c === 0x23) {
        this.scanComment(location);
        spaceBefore = true;
        if (this.tokenError !== undefined) {
          this.push("illegal", start, location, spaceBefore, newlineBefore);
          spaceBefore = false;
          newlineBefore = false;
        }
        continue;
      }
      if (Number.isNaN(c)) {
        this.tokens.push({ kind: "eof", text: "", location, spaceBefore, newlineBefore });
        break;
      }
      const hole = this.holes[this.holes.length - 1];
      if (c === 0x24 && (this.src[this.i + 1] === '"' || this.src[this.i + 1] === "`")) {
        const raw = this.src[this.i + 1] === "`";
        this.advance();
        this.advance();
        this.templatePart(raw, true, start, location, location, spaceBefore, newlineBefore);
      } else if (c === 0x7d && hole !== undefined && hole.depth === 0) {
        this.holes.pop();
        this.advance();
        // The token stands where the hole's `}` is (what OPA's parser sees there), but, as in
        // OPA, what is wrong with the text after it is reported just past that brace.
        const after = this.location();
        this.templatePart(hole.raw, false, start, location, after, spaceBefore, newlineBefore);
      } else {
        const kind = this.scanToken(c);
        if (hole !== undefined && kind === "{") hole.depth++;
        if (hole !== undefined && kind === "}") hole.depth--;
        this.push(kind, start, location, spaceBefore, newlineBefore);
      }
      spaceBefore = false;
      newlineBefore = false;
    }
    return { tokens: this.tokens, comments: this.comments };
  }

  private push(
    kind: TokenKind,
    start: number,
    location: Location,
    spaceBefore: boolean,
    newlineBefore: boolean,
  ) {
    const text = intern(this.src.slice(start, this.i));
    if (this.tokenError !== undefined || kind === "illegal") {
      const error = this.tokenError ?? `illegal token ${JSON.stringify(text)}`;
      this.tokens.push({ kind: "illegal", text, error, location, spaceBefore, newlineBefore });
      return;
    }
    if (kind === "string") {
      const decoded = text.startsWith("`") ? text.slice(1, -1) : decodeStringLiteral(text);
      const value = decoded === undefined ? undefined : intern(decoded);
      if (value === undefined) {
        const error = `illegal string literal: ${text}`;
        this.tokens.push({ kind: "illegal", text, error, location, spaceBefore, newlineBefore });
        return;
      }
      this.tokens.push({ kind, text, value, location, spaceBefore, newlineBefore });
      return;
    }
    this.tokens.push({ kind, text, location, spaceBefore, newlineBefore });
  }

  /** Scans one token starting at character code `c` (not whitespace, not `#`, not end). */
  private scanToken(c: number): TokenKind {
    if (isLetter(c)) {
      this.advance();
      while (this.i < this.src.length && this.isIdentPart(this.src.charCodeAt(this.i))) this.advance();
      return "ident";
    }
    if (isDecimal(c)) return this.scanNumber();
    const ch = this.src[this.i] ?? "";
    this.advance();
    const single = SINGLE[ch];
    if (single !== undefined) return single;
    const next = this.src[this.i];
    switch (ch) {
      case '"':
        return this.scanString();
      case "`":
        return this.scanRawString();
      case ":":
        return this.follow(next, "=", ":=", ":");
      case "=":
        return this.follow(next, "=", "==", "=");
      case "<":
        return this.follow(next, "=", "<=", "<");
      case ">":
        return this.follow(next, "=", ">=", ">");
      case "!":
        if (next === "=") {
          this.advance();
          return "!=";
        }
        this.tokenError = "illegal ! character";
        return "illegal";
      case "$":
        this.tokenError = "illegal $ character";
        return "illegal";
      default:
        this.tokenError ??= `illegal token ${JSON.stringify(ch)}`;
        return "illegal";
    }
  }

  private follow(next: string | undefined, want: string, two: PunctuationKind, one: PunctuationKind) {
    if (next !== want) return one;
    this.advance();
    return two;
  }

  private scanNumber(): TokenKind {
    while (isDecimal(this.src.charCodeAt(this.i))) this.advance();
    if (this.src[this.i] === ".") {
      this.advance();
      if (!isDecimal(this.src.charCodeAt(this.i))) this.tokenError ??= "expected fraction";
      while (isDecimal(this.src.charCodeAt(this.i))) this.advance();
    }
    if (this.src[this.i] === "e" || this.src[this.i] === "E") {
      this.advance();
      if (this.src[this.i] === "+" || this.src[this.i] === "-") this.advance();
      if (!isDecimal(this.src.charCodeAt(this.i))) this.tokenError ??= "expected exponent";
      while (isDecimal(this.src.charCodeAt(this.i))) this.advance();
    }
    // Like OPA, letters glued to a number make one illegal token (`0a2b`), not a number and a var.
    if (isLetter(this.src.charCodeAt(this.i))) {
      this.tokenError ??= "illegal number format";
      while (this.i < this.src.length && this.isIdentPart(this.src.charCodeAt(this.i))) this.advance();
    }
    return "number";
  }

  private scanString(): TokenKind {
    for (;;) {
      const c = this.src.charCodeAt(this.i);
      if (c === 0x0a || Number.isNaN(c)) {
        this.tokenError ??= "non-terminated string";
        return "string";
      }
      this.advance();
      if (c === 0x22) return "string";
      if (c === 0x5c) {
        const e = this.src[this.i];
        if (e === "u") {
          for (let k = 0; k < 5 && this.i < this.src.length; k++) this.advance();
        } else if (e !== undefined && '\\"/bfnrt'.includes(e)) {
          this.advance();
        } else {
          this.tokenError ??= "illegal escape sequence";
        }
      }
    }
  }

  private scanRawString(): TokenKind {
    for (;;) {
      const c = this.src.charCodeAt(this.i);
      if (Number.isNaN(c)) {
        this.tokenError ??= "non-terminated string";
        return "string";
      }
      this.advance();
      if (c === 0x60) return "string";
    }
  }

  /**
   * Scans one part of a template string, the position being just past its opening (`$"`,
   * `` $` `` or a hole's `}`), and pushes it as a `template` token (or an `illegal` one that
   * still carries its place). As in OPA's scanner: the part ends at the closing quote or at a
   * `{` (which opens a hole); `\{` is a literal brace; a quoted part accepts JSON's escapes,
   * where `\u` skips itself and three more characters, and may not span lines; a raw part
   * takes everything else verbatim. The decoded text drops each `\{`'s backslash first.
   */
  private templatePart(
    raw: boolean,
    first: boolean,
    start: number,
    location: Location,
    errorLocation: Location,
    spaceBefore: boolean,
    newlineBefore: boolean,
  ) {
    const close = raw ? 0x60 : 0x22;
    const contentStart = this.i;
    /** Indices of the backslashes of `\{` escapes, dropped from the text. */
    const escapes: number[] = [];
    let end: "close" | "hole" | "open";
    for (;;) {
      const c = this.src.charCodeAt(this.i);
      if (Number.isNaN(c) || (!raw && c === 0x0a)) {
        this.tokenError ??= "non-terminated string";
        end = "open";
        break;
      }
      this.advance();
      if (c === close) {
        end = "close";
        break;
      }
      if (c === 0x7b) {
        end = "hole";
        break;
      }
      if (c !== 0x5c) continue;
      const e = this.src[this.i];
      if (e === "{") {
        escapes.push(this.i - 1);
        this.advance();
        continue;
      }
      // A raw part keeps every other backslash as it is.
      if (raw) continue;
      if (e === "u") {
        for (let k = 0; k < 4; k++) this.advance();
      } else if (e !== undefined && '\\"/bfnrt'.includes(e)) {
        this.advance();
      } else {
        this.tokenError ??= "illegal escape sequence";
      }
    }
    const template: TemplatePartInfo = { raw, first, last: end !== "hole" };
    if (end === "hole") this.holes.push({ raw, depth: 0 });
    const text = intern(this.src.slice(start, this.i));
    if (this.tokenError !== undefined) {
      this.pushIllegalPart(text, this.tokenError, template, errorLocation, spaceBefore, newlineBefore);
      return;
    }
    const contentEnd = this.i - 1;
    let inner = "";
    let from = contentStart;
    for (const at of escapes) {
      inner += this.src.slice(from, at);
      from = at + 1;
    }
    inner += this.src.slice(from, contentEnd);
    const decoded = raw ? inner : decodeStringLiteral(`"${inner}"`);
    if (decoded === undefined) {
      const opening = first ? '"' : "}";
      const closing = end === "hole" ? "{" : '"';
      const error = `illegal template-string part: ${opening}${inner}${closing}`;
      this.pushIllegalPart(text, error, template, errorLocation, spaceBefore, newlineBefore);
      return;
    }
    const value = intern(decoded);
    this.tokens.push({ kind: "template", text, value, template, location, spaceBefore, newlineBefore });
  }

  private pushIllegalPart(
    text: string,
    error: string,
    template: TemplatePartInfo,
    location: Location,
    spaceBefore: boolean,
    newlineBefore: boolean,
  ) {
    this.tokens.push({ kind: "illegal", text, error, template, location, spaceBefore, newlineBefore });
  }

  private scanComment(location: Location) {
    const start = this.i;
    while (this.i < this.src.length && this.src.charCodeAt(this.i) !== 0x0a) this.advance();
    let end = this.i;
    if (end > start + 1 && this.src.charCodeAt(end - 1) === 0x0d) end--;
    this.comments.push({ text: this.src.slice(start + 1, end), location });
  }

  private isIdentPart(c: number): boolean {
    if (isLetter(c) || isDecimal(c)) return true;
    if (c < 0x80) return false;
    const cp = this.src.codePointAt(this.i) ?? c;
    return UNICODE_DIGIT.test(String.fromCodePoint(cp));
  }

  private location(): Location {
    return { file: this.file, row: this.row, col: this.col, offset: this.byte };
  }

  /** Moves past one code point, keeping row, column (in code points) and byte offset. */
  private advance() {
    const c = this.src.charCodeAt(this.i);
    if (Number.isNaN(c)) return;
    if (c === 0) this.tokenError ??= "illegal null character";
    if (c === 0xfeff && this.i > 0) this.tokenError ??= "illegal byte-order mark";
    if (c >= 0xd800 && c <= 0xdbff) {
      const low = this.src.charCodeAt(this.i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        this.i += 2;
        this.byte += 4;
        this.col++;
        return;
      }
    }
    this.i++;
    this.byte += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (c === 0x0a) {
      this.row++;
      this.col = 1;
    } else {
      this.col++;
    }
  }
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isDecimal(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * The engine's own copy of a string, flat and unique: a slice of the source keeps the whole
 * source alive and compares several times slower than a flat string, and literals and names
 * are compared with input on every evaluation. (A property key is stored internalized.)
 */
function intern(s: string): string {
  return Object.keys({ [s]: 0 })[0] as string;
}
