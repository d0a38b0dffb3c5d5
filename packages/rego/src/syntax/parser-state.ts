// Syntax stage (source -> tokens -> statements; compile comes next): the parser's state over
// the lexer's tokens. Position, saved states for OPA's backtracking, the keywords in effect, and
// errors in OPA's wording. The grammar's parts extend it, one concept per file.

import type { RegoErrorDetail } from "../errors.js";
import type { Expr, RegoVersion, Term, VarTerm } from "./ast.js";
import {
  BASE_KEYWORDS,
  FUTURE_KEYWORDS,
  type FutureKeyword,
  isFutureKeyword,
  type LogicalKeyword,
} from "./keywords.js";
import type { Token, TokenKind } from "./lexer.js";
import type { Location } from "./location.js";

export interface SavedState {
  readonly pos: number;
  readonly errors: number;
  readonly wildcard: number;
}

interface CachedTerm {
  readonly term: Term | undefined;
  readonly pos: number;
  readonly wildcard: number;
  readonly errors: readonly RegoErrorDetail[];
}

/** OPA's names of operator tokens (its tokens.String()); other punctuation is named as written. */
const OPA_TOKEN_NAMES: Partial<Record<TokenKind, string>> = {
  "+": "plus",
  "-": "minus",
  "*": "mul",
  "/": "div",
  "%": "rem",
  "&": "and",
  "|": "or",
  "=": "eq",
  "==": "equal",
  ":=": "assign",
  "!=": "neq",
  ">": "gt",
  "<": "lt",
  ">=": "gte",
  "<=": "lte",
};

/** OPA's name of a template-string token (a part after a hole is, to OPA, the hole's `}`). */
function templateTokenName(t: Token): string {
  const info = t.template;
  if (info === undefined) return "template-string-part";
  if (!info.first) return "}";
  return `${info.raw ? "raw-" : ""}template-string-${info.last ? "end" : "part"}`;
}

/** The token stream, the position in it and the errors so far; one instance per parse. */
export abstract class ParserState {
  protected readonly tokens: readonly Token[];
  protected readonly version: RegoVersion;
  protected pos = 0;
  protected errors: RegoErrorDetail[] = [];
  protected wildcard = 0;
  protected depth = 0;
  protected readonly future = new Set<FutureKeyword>();
  /** The logical keywords imported (`import future.keywords.and` / `.or` / `.not`). */
  protected readonly logical = new Set<LogicalKeyword>();
  /** Expressions built from `and`/`or` (a parenthesized one may lead a longer chain). */
  protected readonly logicalExprs = new WeakSet<Expr>();
  protected regoV1Imported = false;
  protected cache = new Map<number, CachedTerm>();
  /** Index of a token whose keyword meaning is ignored (a keyword used as a ref head). */
  protected identOverride = -1;

  constructor(tokens: readonly Token[], version: RegoVersion) {
    if (tokens.length === 0 || tokens[tokens.length - 1]?.kind !== "eof") {
      throw new Error("token stream must end with eof");
    }
    this.tokens = tokens;
    this.version = version;
    if (version === 1) for (const kw of FUTURE_KEYWORDS) this.future.add(kw);
  }

  // -------------------------------------------------------------------------------------------
  // Tokens, state, errors

  protected tok(): Token {
    return this.tokens[this.pos] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  protected peek(n = 1): Token {
    return this.tokens[this.pos + n] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  protected next() {
    if (this.pos < this.tokens.length - 1) this.pos++;
  }

  protected save(): SavedState {
    return { pos: this.pos, errors: this.errors.length, wildcard: this.wildcard };
  }

  protected restore(s: SavedState) {
    this.pos = s.pos;
    this.errors.length = s.errors;
    this.wildcard = s.wildcard;
  }

  protected isKeyword(word: string): boolean {
    return (
      BASE_KEYWORDS.has(word) ||
      (isFutureKeyword(word) && this.future.has(word)) ||
      ((word === "and" || word === "or") && this.logical.has(word))
    );
  }

  /** Whether the current token is the given keyword (active in this parse). */
  protected atKeyword(word: string): boolean {
    const t = this.tok();
    return t.kind === "ident" && t.text === word && this.identOverride !== this.pos && this.isKeyword(word);
  }

  /** Whether the current token is an identifier that is not an active keyword. */
  protected atIdent(): boolean {
    const t = this.tok();
    return t.kind === "ident" && (this.identOverride === this.pos || !this.isKeyword(t.text));
  }

  /** Whether the current token is a keyword written as the head of a ref (`import.x`, `in[0]`). */
  protected atKeywordRefHead(): boolean {
    const t = this.tok();
    if (t.kind !== "ident" || !this.isKeyword(t.text)) return false;
    if (t.text === "null" || t.text === "true" || t.text === "false") return false;
    const n = this.peek();
    return !n.spaceBefore && (n.kind === "." || n.kind === "[");
  }

  protected errorAt(location: Location, message: string) {
    this.errors.push({ code: "rego_parse_error", message, location });
  }

  /** Records "unexpected <token>" at the current token (or the lexer's reason for an illegal one). */
  protected illegal(note?: string) {
    const t = this.tok();
    if (t.kind === "illegal") {
      this.errorAt(t.location, t.error ?? "illegal token");
      return;
    }
    this.errorAt(t.location, `unexpected ${this.describe(t)}${note ? `: ${note}` : ""}`);
  }

  /** The token as OPA names it in "unexpected ..." messages (`eof token`, `plus token`, `if keyword`). */
  protected describe(t: Token): string {
    switch (t.kind) {
      case "eof":
        return "eof token";
      case "ident":
        return this.isKeyword(t.text) ? `${t.text} keyword` : "ident token";
      case "number":
        return "number token";
      case "string":
        return "string token";
      case "template":
        return `${templateTokenName(t)} token`;
      case "illegal":
        return "illegal token";
      default:
        return `${OPA_TOKEN_NAMES[t.kind] ?? t.kind} token`;
    }
  }

  protected expect(kind: TokenKind): boolean {
    if (this.tok().kind === kind) {
      this.next();
      return true;
    }
    this.illegal(`expected "${kind}"`);
    return false;
  }

  /** A variable from an identifier token; each `_` becomes a fresh `$N`. */
  protected makeVar(t: Token): VarTerm {
    if (t.text === "_") return this.newWildcard(t.location);
    return { type: "var", name: t.text, location: t.location };
  }

  protected newWildcard(location: Location): VarTerm {
    return { type: "var", name: `$${this.wildcard++}`, location };
  }

  /** Used by `expect` callers outside this class's grammar (kept for symmetric error text). */
  expectToken(kind: TokenKind): boolean {
    return this.expect(kind);
  }
}
