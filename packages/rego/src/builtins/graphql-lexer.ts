// Builtins, GraphQL: the lexer, first stage of GraphQL parsing. Turns source text into tokens one at
// a time in a single forward pass, as gqlparser's lexer does (same token positions and errors).

import { GraphqlError, type Position } from "./graphql-ast.js";

/** The kinds of tokens. */
export type TokenKind =
  | "Invalid"
  | "EOF"
  | "Bang"
  | "Dollar"
  | "Amp"
  | "ParenL"
  | "ParenR"
  | "Spread"
  | "Colon"
  | "Equals"
  | "At"
  | "BracketL"
  | "BracketR"
  | "BraceL"
  | "BraceR"
  | "Pipe"
  | "Name"
  | "Int"
  | "Float"
  | "String"
  | "BlockString";

const KIND_TEXT: Readonly<Record<TokenKind, string>> = {
  Invalid: "<Invalid>",
  EOF: "<EOF>",
  Bang: "!",
  Dollar: "$",
  Amp: "&",
  ParenL: "(",
  ParenR: ")",
  Spread: "...",
  Colon: ":",
  Equals: "=",
  At: "@",
  BracketL: "[",
  BracketR: "]",
  BraceL: "{",
  BraceR: "}",
  Pipe: "|",
  Name: "Name",
  Int: "Int",
  Float: "Float",
  String: "String",
  BlockString: "BlockString",
};

/** How error messages name a token kind: `Name`, `{`, `<EOF>`. */
export function kindText(kind: TokenKind): string {
  return KIND_TEXT[kind];
}

/** A token. An `Invalid` token carries the lexer's error, raised if the parser consumes it. */
export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  readonly position: Position;
  readonly error?: GraphqlError | undefined;
}

const PUNCTUATORS: Readonly<Record<string, TokenKind>> = {
  "!": "Bang",
  $: "Dollar",
  "&": "Amp",
  "(": "ParenL",
  ")": "ParenR",
  ":": "Colon",
  "=": "Equals",
  "@": "At",
  "[": "BracketL",
  "]": "BracketR",
  "{": "BraceL",
  "}": "BraceR",
  "|": "Pipe",
};

function isNameStart(c: number): boolean {
  return c === 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isNameContinue(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Reads tokens from GraphQL source text. */
export class GraphqlLexer {
  private readonly src: string;
  /** Offset of the next unread code unit. */
  private i = 0;
  /** Code points read so far (gqlparser counts positions in runes). */
  private runes = 0;
  private line = 1;
  private lineStartRunes = 0;
  /** Code point offset where the current token's value starts. */
  private tokenStartRunes = 0;

  constructor(src: string) {
    this.src = src;
  }

  /** The next token (EOF at the end, repeatedly). */
  next(): Token {
    this.skipIgnored();
    this.tokenStartRunes = this.runes;
    if (this.i >= this.src.length) return this.token("EOF", "");
    const start = this.i;
    const ch = this.src.charAt(start);
    const c = this.src.charCodeAt(start);
    const punct = PUNCTUATORS[ch];
    if (punct !== undefined) {
      this.advance(1);
      return this.token(punct, "");
    }
    if (ch === "." && this.src.startsWith("...", start)) {
      this.advance(3);
      return this.token("Spread", "");
    }
    if (isNameStart(c)) return this.readName();
    if (ch === "-" || isDigit(c)) return this.readNumber();
    if (ch === '"') return this.src.startsWith('"""', start) ? this.readBlockString() : this.readString();
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
      return this.error(`Cannot contain the invalid character "\\u${String(c).padStart(4, "0")}"`);
    }
    if (ch === "'") {
      return this.error(`Unexpected single quote character ('), did you mean to use a double quote (")?`);
    }
    const cp = this.src.codePointAt(start) ?? c;
    return this.error(`Cannot parse the unexpected character "${String.fromCodePoint(cp)}".`);
  }

  /** Moves past `n` code points. */
  private advance(n: number): void {
    for (let k = 0; k < n && this.i < this.src.length; k++) {
      const c = this.src.charCodeAt(this.i);
      const low = this.src.charCodeAt(this.i + 1);
      this.i += c >= 0xd800 && c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
      this.runes++;
    }
  }

  private newLine(): void {
    this.line++;
    this.lineStartRunes = this.runes;
  }

  private token(kind: TokenKind, value: string): Token {
    return {
      kind,
      value,
      position: { line: this.line, column: this.tokenStartRunes - this.lineStartRunes + 1 },
    };
  }

  private error(message: string): Token {
    const position = { line: this.line, column: this.runes - this.lineStartRunes + 1 };
    return { kind: "Invalid", value: "", position, error: new GraphqlError(message, position) };
  }

  /** Skips white space, commas, line terminators, byte order marks and comments. */
  private skipIgnored(): void {
    const src = this.src;
    while (this.i < src.length) {
      const c = src.charCodeAt(this.i);
      if (c === 0x09 || c === 0x20 || c === 0x2c || c === 0xfeff) {
        this.advance(1);
      } else if (c === 0x0a) {
        this.advance(1);
        this.newLine();
      } else if (c === 0x0d) {
        this.advance(1);
        this.newLine();
        if (src.charCodeAt(this.i) === 0x0a) this.advance(1);
      } else if (c === 0x23) {
        this.advance(1);
        while (this.i < src.length) {
          const d = src.charCodeAt(this.i);
          if (d > 0x1f || d === 0x09) this.advance(1);
          else break;
        }
      } else {
        return;
      }
    }
  }

  private readName(): Token {
    const start = this.i;
    this.advance(1);
    while (this.i < this.src.length && isNameContinue(this.src.charCodeAt(this.i))) this.advance(1);
    return this.token("Name", this.src.slice(start, this.i));
  }

  private digits(): number {
    let n = 0;
    while (this.i < this.src.length && isDigit(this.src.charCodeAt(this.i))) {
      this.advance(1);
      n++;
    }
    return n;
  }

  private describeNext(): string {
    return this.i < this.src.length ? `"${this.src.charAt(this.i)}"` : "<EOF>";
  }

  private accept(...chars: string[]): boolean {
    if (this.i < this.src.length && chars.includes(this.src.charAt(this.i))) {
      this.advance(1);
      return true;
    }
    return false;
  }

  // Int: -?(0|[1-9][0-9]*)   Float: Int(\.[0-9]+)?([eE][+-]?[0-9]+)?
  private readNumber(): Token {
    const start = this.i;
    let float = false;
    this.accept("-");
    if (this.accept("0")) {
      const save = { i: this.i, runes: this.runes };
      if (this.digits() !== 0) {
        this.i = save.i;
        this.runes = save.runes;
        return this.error(`Invalid number, unexpected digit after 0: ${this.describeNext()}.`);
      }
    } else if (this.digits() === 0) {
      return this.error(`Invalid number, expected digit but got: ${this.describeNext()}.`);
    }
    if (this.accept(".")) {
      float = true;
      if (this.digits() === 0)
        return this.error(`Invalid number, expected digit but got: ${this.describeNext()}.`);
    }
    if (this.accept("e", "E")) {
      float = true;
      this.accept("-", "+");
      if (this.digits() === 0)
        return this.error(`Invalid number, expected digit but got: ${this.describeNext()}.`);
    }
    return this.token(float ? "Float" : "Int", this.src.slice(start, this.i));
  }

  // "([^"\\\n\r]|\\(u[0-9a-fA-F]{4}|["\\/bfnrt]))*"
  private readString(): Token {
    const src = this.src;
    this.advance(1);
    this.tokenStartRunes = this.runes;
    let out = "";
    while (this.i < src.length) {
      const c = src.charCodeAt(this.i);
      if (c === 0x0a || c === 0x0d) break;
      if (c < 0x20 && c !== 0x09) {
        return this.error(`Invalid character within String: "\\u${String(c).padStart(4, "0")}".`);
      }
      if (c === 0x22) {
        const t = this.token("String", out);
        this.advance(1);
        return t;
      }
      if (c !== 0x5c) {
        const cp = src.codePointAt(this.i) ?? c;
        out += String.fromCodePoint(cp);
        this.advance(1);
        continue;
      }
      if (this.i + 1 >= src.length) {
        this.advance(1);
        return this.error("Invalid character escape sequence.");
      }
      const escaped = src.charAt(this.i + 1);
      if (escaped === "u") {
        if (this.i + 6 >= src.length) {
          this.advance(1);
          return this.error(`Invalid character escape sequence: \\${src.slice(this.i)}.`);
        }
        const hex = src.slice(this.i + 2, this.i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.advance(1);
          return this.error(`Invalid character escape sequence: \\${src.slice(this.i, this.i + 5)}.`);
        }
        const unit = Number.parseInt(hex, 16);
        // Go writes a lone surrogate as U+FFFD.
        out += unit >= 0xd800 && unit <= 0xdfff ? "\ufffd" : String.fromCharCode(unit);
        this.advance(6);
        continue;
      }
      const simple = SIMPLE_ESCAPES[escaped];
      if (simple === undefined) {
        this.advance(1);
        return this.error(`Invalid character escape sequence: \\${escaped}.`);
      }
      out += simple;
      this.advance(2);
    }
    return this.error("Unterminated string.");
  }

  // """("?"?(\\"""|\\(?!=""")|[^"\\]))*"""
  private readBlockString(): Token {
    const src = this.src;
    this.advance(3);
    this.tokenStartRunes = this.runes;
    let raw = "";
    while (this.i < src.length) {
      const c = src.charCodeAt(this.i);
      if (c === 0x22 && src.startsWith('"""', this.i)) {
        const t = this.token("BlockString", blockStringValue(raw));
        this.advance(3);
        return t;
      }
      if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
        return this.error(`Invalid character within String: "\\u${String(c).padStart(4, "0")}".`);
      }
      if (c === 0x5c && src.startsWith('\\"""', this.i)) {
        raw += '"""';
        this.advance(4);
      } else if (c === 0x0d) {
        if (src.charCodeAt(this.i + 1) === 0x0a) this.advance(1);
        raw += "\n";
        this.advance(1);
        this.newLine();
      } else {
        const cp = src.codePointAt(this.i) ?? c;
        raw += String.fromCodePoint(cp);
        this.advance(1);
        if (c === 0x0a) this.newLine();
      }
    }
    return this.error("Unterminated string.");
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "/": "/",
  "\\": "\\",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Leading spaces and tabs of a line, or -1 when the line is all white space. */
function indentOf(line: string): number {
  for (let k = 0; k < line.length; k++) {
    const c = line.charCodeAt(k);
    if (c !== 0x20 && c !== 0x09) return k;
  }
  return -1;
}

/** The value of a block string: common indentation and blank first and last lines removed. */
export function blockStringValue(raw: string): string {
  const lines = raw.split("\n");
  let common = -1;
  for (let k = 1; k < lines.length; k++) {
    const indent = indentOf(lines[k] as string);
    if (indent >= 0 && (common < 0 || indent < common)) {
      common = indent;
      if (common === 0) break;
    }
  }
  if (common > 0) {
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k] as string;
      lines[k] = line.length < common ? "" : line.slice(common);
    }
  }
  let start = 0;
  let end = lines.length;
  while (start < end && indentOf(lines[start] as string) < 0) start++;
  while (start < end && indentOf(lines[end - 1] as string) < 0) end--;
  return lines.slice(start, end).join("\n");
}
