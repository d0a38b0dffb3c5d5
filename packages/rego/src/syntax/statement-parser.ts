// Syntax stage, the parser proper: recursive descent over the lexer's tokens into statements
// (package, imports, rules, bodies). It follows OPA's grammar, precedence and backtracking:
// a statement is tried as a rule first and as a body second; terms are cached by position so
// that backtracking stays linear.

import type { RegoErrorDetail } from "../errors.js";
import type {
  Body,
  CallTerm,
  Every,
  Expr,
  ExprKind,
  Import,
  Package,
  RefTerm,
  RegoVersion,
  StringTerm,
  Term,
  VarTerm,
  WithModifier,
} from "./ast.js";
import {
  BASE_KEYWORDS,
  FUTURE_KEYWORDS,
  type FutureKeyword,
  IMPORTABLE_KEYWORDS,
  isFutureKeyword,
  isKeywordInVersion,
  isLogicalKeyword,
  LOGICAL_KEYWORDS,
  type LogicalKeyword,
} from "./keywords.js";
import {
  combine,
  exprSet,
  implicitOperandSet,
  logicalExpr,
  notBlockExpr,
  operandSet,
} from "./logical-expr.js";
import type { Token, TokenKind } from "./lexer.js";
import type { Location } from "./location.js";
import { checkNumberLiteral } from "./number-literal.js";
import type { ParsedHead, ParsedRule, Statement } from "./parsed-statement.js";
import {
  checkTemplateHole,
  isTemplateString,
  lowerTemplateString,
  TEMPLATE_STRINGS_UNSUPPORTED,
  type TemplatePiece,
  templateHoleRelation,
  templateStringHoles,
} from "./template-string.js";
import { isGround, refToString, termToString, valueName } from "./term-facts.js";

/** What the statement parser produces. */
export interface StatementParseResult {
  readonly statements: readonly Statement[];
  readonly errors: readonly RegoErrorDetail[];
  /** `import rego.v1` was seen (a v0 module must then also follow the v1 rules). */
  readonly regoV1Imported: boolean;
}

/** Parses modules (`package`, imports, rules) or queries (bodies only). */
export type StatementMode = "module" | "query";

// Nesting deeper than this is refused rather than risking the JS stack.
const MAX_DEPTH = 400;
// After this many failed statements, parsing stops collecting more errors.
const MAX_FAILED_STATEMENTS = 10;

/** Operators written infix, and the builtin each one calls. */
const INFIX_BUILTIN: Partial<Record<TokenKind, string>> = {
  "=": "eq",
  ":=": "assign",
  "==": "equal",
  "!=": "neq",
  "<": "lt",
  "<=": "lte",
  ">": "gt",
  ">=": "gte",
  "+": "plus",
  "-": "minus",
  "*": "mul",
  "/": "div",
  "%": "rem",
  "&": "and",
  "|": "or",
};

const RELATION_OPS: ReadonlySet<TokenKind> = new Set(["==", "!=", "<", "<=", ">", ">="]);
const INFIX_OPS: ReadonlySet<TokenKind> = new Set([...RELATION_OPS, "+", "-", "*", "/", "%", "&", "|"]);
const IMPORT_ROOTS = ["data", "future", "input", "rego"];

interface SavedState {
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

/** A mutable head under construction. */
interface HeadDraft {
  ref: RefTerm;
  args: readonly Term[] | undefined;
  key: Term | undefined;
  value: Term | undefined;
  assign: boolean;
  location: Location;
  generatedValue: boolean;
  usedIf: boolean;
  usedContains: boolean;
}

/** Parses tokens into statements; one instance per parse. */
export class StatementParser {
  private readonly tokens: readonly Token[];
  private readonly version: RegoVersion;
  private pos = 0;
  private errors: RegoErrorDetail[] = [];
  private wildcard = 0;
  private depth = 0;
  private readonly future = new Set<FutureKeyword>();
  /** The logical keywords imported (`import future.keywords.and` / `.or` / `.not`). */
  private readonly logical = new Set<LogicalKeyword>();
  /** Expressions built from `and`/`or` (a parenthesized one may lead a longer chain). */
  private readonly logicalExprs = new WeakSet<Expr>();
  private regoV1Imported = false;
  private cache = new Map<number, CachedTerm>();
  /** Index of a token whose keyword meaning is ignored (a keyword used as a ref head). */
  private identOverride = -1;

  constructor(tokens: readonly Token[], version: RegoVersion) {
    if (tokens.length === 0 || tokens[tokens.length - 1]?.kind !== "eof") {
      throw new Error("token stream must end with eof");
    }
    this.tokens = tokens;
    this.version = version;
    if (version === 1) for (const kw of FUTURE_KEYWORDS) this.future.add(kw);
  }

  /** Parses the whole token stream. */
  parse(mode: StatementMode): StatementParseResult {
    const statements: Statement[] = [];
    let failed = 0;
    while (this.tok().kind !== "eof") {
      // Backtracking never goes before the statement's start: older cached terms are dead weight.
      this.cache = new Map();
      const start = this.save();
      const stmt = this.parseStatement(mode, start);
      if (stmt !== undefined) {
        statements.push(stmt);
        continue;
      }
      if (this.errors.length === start.errors) this.illegal();
      failed++;
      if (mode === "query" || failed >= MAX_FAILED_STATEMENTS) break;
      this.skipToNextStatement(start.pos);
    }
    return { statements, errors: dedupeErrors(this.errors), regoV1Imported: this.regoV1Imported };
  }

  private parseStatement(mode: StatementMode, start: SavedState): Statement | undefined {
    if (mode === "module") {
      const pkg = this.guard(() => this.parsePackage());
      if (pkg !== undefined) return { type: "package", pkg };
      if (this.errors.length > start.errors) return undefined;
      this.restore(start);

      const imp = this.guard(() => this.parseImport());
      if (imp !== undefined) {
        this.applyImport(imp);
        return { type: "import", imp };
      }
      if (this.errors.length > start.errors) return undefined;
      this.restore(start);

      const rules = this.guard(() => this.parseRules());
      if (rules !== undefined) return { type: "rules", rules };
      if (this.errors.length > start.errors) return undefined;
      this.restore(start);
    }
    const location = this.tok().location;
    const body = this.guard(() => this.parseQuery(true, "eof"));
    return body === undefined ? undefined : { type: "body", body, location };
  }

  /** Runs a statement parser, turning a blown JS stack into a parse error. */
  private guard<T>(f: () => T | undefined): T | undefined {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.depth = 0;
      this.errorAt(this.tok().location, "max parsing recursion depth exceeded");
      return undefined;
    }
  }

  /** After a failed statement, moves to the next line-start token outside any brackets. */
  private skipToNextStatement(from: number) {
    this.pos = from;
    let depth = 0;
    do {
      const k = this.tok().kind;
      if (k === "{" || k === "[" || k === "(") depth++;
      else if (k === "}" || k === "]" || k === ")") depth--;
      this.next();
    } while (
      this.tok().kind !== "eof" &&
      !(depth <= 0 && this.tok().newlineBefore && this.tok().location.col === 1)
    );
  }

  // -------------------------------------------------------------------------------------------
  // Tokens, state, errors

  private tok(): Token {
    return this.tokens[this.pos] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  private peek(n = 1): Token {
    return this.tokens[this.pos + n] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  private next() {
    if (this.pos < this.tokens.length - 1) this.pos++;
  }

  private save(): SavedState {
    return { pos: this.pos, errors: this.errors.length, wildcard: this.wildcard };
  }

  private restore(s: SavedState) {
    this.pos = s.pos;
    this.errors.length = s.errors;
    this.wildcard = s.wildcard;
  }

  private isKeyword(word: string): boolean {
    return (
      BASE_KEYWORDS.has(word) ||
      (isFutureKeyword(word) && this.future.has(word)) ||
      ((word === "and" || word === "or") && this.logical.has(word))
    );
  }

  /** Whether the current token is the given keyword (active in this parse). */
  private atKeyword(word: string): boolean {
    const t = this.tok();
    return t.kind === "ident" && t.text === word && this.identOverride !== this.pos && this.isKeyword(word);
  }

  /** Whether the current token is an identifier that is not an active keyword. */
  private atIdent(): boolean {
    const t = this.tok();
    return t.kind === "ident" && (this.identOverride === this.pos || !this.isKeyword(t.text));
  }

  /** Whether the current token is a keyword written as the head of a ref (`import.x`, `in[0]`). */
  private atKeywordRefHead(): boolean {
    const t = this.tok();
    if (t.kind !== "ident" || !this.isKeyword(t.text)) return false;
    if (t.text === "null" || t.text === "true" || t.text === "false") return false;
    const n = this.peek();
    return !n.spaceBefore && (n.kind === "." || n.kind === "[");
  }

  private errorAt(location: Location, message: string) {
    this.errors.push({ code: "rego_parse_error", message, location });
  }

  /** Records "unexpected <token>" at the current token (or the lexer's reason for an illegal one). */
  private illegal(note?: string) {
    const t = this.tok();
    if (t.kind === "illegal") {
      this.errorAt(t.location, t.error ?? "illegal token");
      return;
    }
    this.errorAt(t.location, `unexpected ${this.describe(t)}${note ? `: ${note}` : ""}`);
  }

  /** The token as OPA names it in "unexpected ..." messages (`eof token`, `plus token`, `if keyword`). */
  private describe(t: Token): string {
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

  private expect(kind: TokenKind): boolean {
    if (this.tok().kind === kind) {
      this.next();
      return true;
    }
    this.illegal(`expected "${kind}"`);
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Package and imports

  private parsePackage(): Package | undefined {
    if (!this.atKeyword("package")) return undefined;
    const location = this.tok().location;
    this.next();
    const t = this.tok();
    if (!t.spaceBefore && (t.kind === "." || t.kind === "[")) return undefined;
    if (t.kind !== "ident") {
      this.illegal("expected package path");
      return undefined;
    }
    const term = this.parseTermAllowingKeyword();
    if (term === undefined) return undefined;
    let first: VarTerm;
    let rest: readonly Term[];
    if (term.type === "var") {
      first = term;
      rest = [];
    } else if (term.type === "ref" && term.head.type === "var") {
      first = term.head;
      rest = term.path;
    } else {
      if (term.type === "ref") {
        this.errorAt(term.head.location, `unexpected ${valueName(term.head)} token: expecting var`);
      } else {
        this.errorAt(term.location, `unexpected ${valueName(term)} token: expected package path`);
      }
      return undefined;
    }
    const path: StringTerm[] = [{ type: "string", value: first.name, location: first.location }];
    for (const p of rest) {
      if (p.type !== "string") {
        this.errorAt(p.location, `unexpected ${valueName(p)} token: expecting string`);
        return undefined;
      }
      path.push(p);
    }
    const head: VarTerm = { type: "var", name: "data", location: first.location };
    return { type: "package", path: { type: "ref", head, path, location: first.location }, location };
  }

  private parseImport(): Import | undefined {
    if (!this.atKeyword("import")) return undefined;
    const location = this.tok().location;
    this.next();
    const t = this.tok();
    if (!t.spaceBefore && (t.kind === "." || t.kind === "[")) return undefined;
    if (t.kind !== "ident") {
      this.illegal("expected import path");
      return undefined;
    }
    // Like OPA, the path is read with no future keywords, so `import future.keywords.in` works.
    const saved = new Set(this.future);
    const savedLogical = new Set(this.logical);
    this.logical.clear();
    this.setFutureKeywords(new Set());
    const term = this.parseTermAllowingKeyword();
    for (const k of savedLogical) this.logical.add(k);
    this.setFutureKeywords(saved);
    let path: RefTerm | undefined;
    if (term?.type === "var") {
      path = { type: "ref", head: term, path: [], location: term.location };
    } else if (term?.type === "ref" && term.head.type === "var") {
      for (const p of term.path) {
        if (p.type !== "string") {
          this.errorAt(p.location, `unexpected ${valueName(p)} token: expecting string`);
          return undefined;
        }
      }
      path = term;
    }
    if (path === undefined || path.head.type !== "var") {
      if (term !== undefined) this.errorAt(term.location, "expected import path");
      return undefined;
    }
    const root = path.head.name;
    if (!IMPORT_ROOTS.includes(root)) {
      this.errorAt(
        path.location,
        `unexpected import path, must begin with one of: {${IMPORT_ROOTS.join(", ")}}, got: ${root}`,
      );
      return undefined;
    }
    if (this.atKeyword("as")) {
      this.next();
      if (!this.atIdent()) {
        this.illegal("expected var");
        return undefined;
      }
      const alias = this.parseTerm();
      if (alias?.type !== "var") {
        this.illegal("expected var");
        return undefined;
      }
      return { type: "import", path, alias: alias.name, location };
    }
    const last = path.path[path.path.length - 1];
    const lastName = last === undefined ? root : last.type === "string" ? last.value : undefined;
    if (
      lastName !== undefined &&
      (last === undefined || root !== "future") &&
      isKeywordInVersion(lastName, this.version)
    ) {
      const at = last?.location ?? path.location;
      this.errorAt(
        at,
        `unexpected import path, must not end with a keyword, got: ${lastName} (hint: import a different path or use an alias)`,
      );
    }
    return { type: "import", path, alias: undefined, location };
  }

  /** Applies `import future.keywords...` and `import rego.v1` to the keyword set. */
  private applyImport(imp: Import) {
    const root = imp.path.head.type === "var" ? imp.path.head.name : "";
    const parts = imp.path.path.map((p) => (p.type === "string" ? p.value : termToString(p)));
    if (root === "rego") {
      if (parts.length !== 1 || parts[0] !== "v1") {
        this.errorAt(imp.path.location, `invalid import \`${refToString(imp.path)}\`, must be \`rego.v1\``);
        return;
      }
      if (this.version === 1) return;
      if (imp.alias !== undefined) {
        this.errorAt(imp.path.location, "`rego` imports cannot be aliased");
        return;
      }
      this.regoV1Imported = true;
      this.setFutureKeywords(new Set([...this.future, ...FUTURE_KEYWORDS]));
      return;
    }
    if (root !== "future") return;
    if (parts.length === 0 || parts[0] !== "keywords") {
      this.errorAt(imp.path.location, "invalid import, must be `future.keywords`");
      return;
    }
    if (imp.alias !== undefined) {
      this.errorAt(imp.path.location, "`future` imports cannot be aliased");
      return;
    }
    let added: FutureKeyword[] = [...FUTURE_KEYWORDS];
    let logical: LogicalKeyword[] = [...LOGICAL_KEYWORDS];
    if (parts.length === 2) {
      const kw = parts[1] ?? "";
      if (isLogicalKeyword(kw)) {
        added = [];
        logical = [kw];
      } else if (!isFutureKeyword(kw)) {
        this.errorAt(
          imp.path.location,
          `unexpected keyword, must be one of [${IMPORTABLE_KEYWORDS.join(" ")}]`,
        );
        return;
      } else {
        // Importing `every` also brings `in`, which `every x in xs` needs.
        added = kw === "every" ? ["every", "in"] : [kw];
        logical = [];
      }
    }
    for (const k of logical) this.logical.add(k);
    this.setFutureKeywords(new Set([...this.future, ...added]));
  }

  private setFutureKeywords(kws: ReadonlySet<FutureKeyword>) {
    this.future.clear();
    for (const k of kws) this.future.add(k);
    // Cached terms were read with the old keyword set.
    this.cache = new Map();
  }

  /** Parses a term whose first token may be a keyword (a package or import path). */
  private parseTermAllowingKeyword(): Term | undefined {
    const before = this.identOverride;
    this.identOverride = this.pos;
    try {
      return this.parseTerm();
    } finally {
      this.identOverride = before;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Rules

  private parseRules(): ParsedRule[] | undefined {
    const location = this.tok().location;
    if (this.atKeywordRefHead()) this.identOverride = this.pos;
    let isDefault = false;
    if (this.atKeyword("default")) {
      isDefault = true;
      this.next();
      if (this.atKeywordRefHead()) this.identOverride = this.pos;
    }
    if (!this.atIdent()) return undefined;
    const head = this.parseHead(isDefault);
    if (head === undefined) return undefined;

    if (isDefault) {
      if (!this.validateDefault(head, location)) return undefined;
      const body: Body = [termExpr({ type: "boolean", value: true, location }, location)];
      return [
        { head: freezeHead(head), body, elseRule: undefined, isDefault, location, generatedBody: false },
      ];
    }

    const hasIf = this.atKeyword("if");
    const refLength = 1 + head.ref.path.length;
    if (hasIf && !head.usedContains && refLength === 2 && head.value === undefined) {
      head.value = { type: "boolean", value: true, location: head.location };
      head.generatedValue = true;
    }
    // v0 `p[x] { ... }` is a partial set; `p[k] = v { ... }` a partial object (ref `p[k]`).
    if (
      !hasIf &&
      !head.usedContains &&
      head.args === undefined &&
      refLength === 2 &&
      head.value === undefined
    ) {
      head.key = head.ref.path[0];
      head.ref = { ...head.ref, path: [] };
    }

    let body: Body;
    let generatedBody = false;
    let ruleLocation = location;
    if (hasIf) {
      head.usedIf = true;
      this.next();
      const parsed = this.parseIfBody();
      if (parsed === undefined) return undefined;
      body = parsed;
    } else if (this.tok().kind === "{") {
      const parsed = this.parseBraceBody();
      if (parsed === undefined) return undefined;
      body = parsed;
    } else if (head.usedContains) {
      body = [termExpr({ type: "boolean", value: true, location }, location)];
      generatedBody = true;
      ruleLocation = head.location;
      const rule: ParsedRule = {
        head: freezeHead(head),
        body,
        elseRule: undefined,
        isDefault,
        location: ruleLocation,
        generatedBody,
      };
      return [rule];
    } else {
      return undefined;
    }

    let elseRule: ParsedRule | undefined;
    if (this.atKeyword("else") && !this.atKeywordRefHead()) {
      if (refLength > 1 && !head.ref.path.every(isGround)) {
        this.errorAt(this.tok().location, "else keyword cannot be used on rules with variables in head");
        return undefined;
      }
      if (head.key !== undefined) {
        this.errorAt(this.tok().location, "else keyword cannot be used on multi-value rules");
        return undefined;
      }
      elseRule = this.parseElse(head);
      if (elseRule === undefined) return undefined;
    }

    const first: ParsedRule = {
      head: freezeHead(head),
      body,
      elseRule,
      isDefault,
      location: ruleLocation,
      generatedBody,
    };
    const rules: ParsedRule[] = [first];
    while (this.tok().kind === "{") {
      if (elseRule !== undefined) {
        this.errorAt(this.tok().location, "expected else keyword");
        return undefined;
      }
      const loc = this.tok().location;
      const nextBody = this.parseBraceBody();
      if (nextBody === undefined) return undefined;
      const copy: ParsedHead = {
        ...freezeHead(head),
        args: this.freshWildcardArgs(head.args, loc),
        location: loc,
      };
      rules.push({
        head: copy,
        body: nextBody,
        elseRule: undefined,
        isDefault: false,
        location: loc,
        generatedBody: false,
      });
    }
    return rules;
  }

  /** After `if`: one literal (`p if x > 1`) or a braced body (a set literal is read as a body). */
  private parseIfBody(): Body | undefined {
    if (this.tok().kind !== "{") {
      const expr = this.parseLiteral();
      return expr === undefined ? undefined : [expr];
    }
    const s = this.save();
    const expr = this.parseLiteral();
    if (expr !== undefined && !(expr.kind.type === "term" && expr.kind.term.type === "set")) {
      // `p if {}` (an empty object) and `p if {x | ...}` are single expressions, as in OPA.
      return [expr];
    }
    this.restore(s);
    return this.parseBraceBody();
  }

  /** `{ body }`, consuming both braces. */
  private parseBraceBody(): Body | undefined {
    this.next();
    const body = this.parseBody("}");
    if (body === undefined) return undefined;
    this.next();
    return body;
  }

  private parseHead(isDefault: boolean): HeadDraft | undefined {
    const location = this.tok().location;
    const name = this.makeVar(this.tok());
    this.next();
    const after = this.tok();
    if (!after.spaceBefore && INFIX_OPS.has(after.kind)) this.illegal();
    let term: Term | undefined = name;
    // In rule heads (only), whitespace may separate the name from `[`, `(` or `.`.
    if (after.kind === "(" || after.kind === "." || after.kind === "[") term = this.parseRef(name);
    if (term === undefined) {
      this.illegal("expected rule head name");
      return undefined;
    }
    let ref: RefTerm;
    let args: readonly Term[] | undefined;
    if (term.type === "var") {
      ref = { type: "ref", head: term, path: [], location: term.location };
    } else if (term.type === "ref" && term.head.type === "var") {
      ref = term;
    } else if (term.type === "call") {
      if (term.operator.head.type !== "var") {
        this.illegal(`rule head ref ${refToString(term.operator)} invalid`);
        return undefined;
      }
      ref = term.operator;
      // As in OPA, a rule is a function only when it has arguments: `f() := 1` is the rule `f`.
      args = term.args.length > 0 ? term.args : undefined;
    } else {
      return undefined;
    }
    const head: HeadDraft = {
      ref,
      args,
      key: undefined,
      value: undefined,
      assign: false,
      location,
      generatedValue: false,
      usedIf: false,
      usedContains: false,
    };
    const headName = refToString(ref);
    if (this.atKeyword("contains")) {
      if (args !== undefined) {
        this.illegal(
          `the contains keyword can only be used with multi-value rule definitions (e.g., ${headName} contains <VALUE> { ... })`,
        );
        return undefined;
      }
      this.next();
      head.key = this.parseTermInfixCall();
      if (head.key === undefined) {
        this.illegal(`expected rule key term (e.g., ${headName} contains <VALUE> { ... })`);
        return undefined;
      }
      head.usedContains = true;
      return head;
    }
    const op = this.tok().kind;
    if (op === "=" || op === ":=") {
      this.next();
      head.assign = op === ":=";
      head.value = this.parseTermInfixCall();
      if (head.value === undefined) {
        const example =
          args !== undefined
            ? `${headName}(...) ${op} <VALUE> { ... }`
            : isDefault
              ? `default ${headName} ${op} <VALUE>`
              : `${headName} ${op} <VALUE> { ... }`;
        this.illegal(`expected rule value term (e.g., ${example})`);
        return undefined;
      }
    }
    if (head.value === undefined && (ref.path.length !== 1 || args !== undefined)) {
      head.value = { type: "boolean", value: true, location };
      head.generatedValue = true;
    }
    return head;
  }

  private validateDefault(head: HeadDraft, location: Location): boolean {
    if (head.value === undefined) {
      this.errorAt(location, "illegal default rule (must have a value)");
      return false;
    }
    const bad = forbiddenInDefault(head.value);
    if (bad !== undefined) {
      this.errorAt(location, `illegal default rule (value cannot contain ${bad})`);
      return false;
    }
    const seen = new Set<string>();
    for (const a of head.args ?? []) {
      if (a.type !== "var") {
        this.errorAt(location, `illegal default rule (arguments cannot contain ${valueName(a)})`);
        return false;
      }
      if (seen.has(a.name)) {
        this.errorAt(location, `illegal default rule (arguments cannot be repeated ${a.name})`);
        return false;
      }
      seen.add(a.name);
    }
    return true;
  }

  private parseElse(parent: HeadDraft): ParsedRule | undefined {
    const location = this.tok().location;
    this.next();
    let value: Term | undefined;
    let assign = parent.assign;
    let generatedValue = false;
    const op = this.tok().kind;
    if (op === "{" || this.atKeyword("if")) {
      value = { type: "boolean", value: true, location };
      generatedValue = true;
    } else if (op === "=" || op === ":=") {
      assign = op === ":=";
      this.next();
      value = this.parseTermInfixCall();
      if (value === undefined) return undefined;
    } else {
      this.illegal("expected else value term or rule body");
      return undefined;
    }
    const head: ParsedHead = {
      ...freezeHead(parent),
      args: this.freshWildcardArgs(parent.args, location),
      value,
      assign,
      location,
      generatedValue,
    };
    const hasIf = this.atKeyword("if");
    if (!hasIf && this.tok().kind !== "{") {
      const body: Body = [termExpr({ type: "boolean", value: true, location }, location)];
      return { head, body, elseRule: undefined, isDefault: false, location, generatedBody: true };
    }
    if (hasIf) this.next();
    let body: Body | undefined;
    if (this.tok().kind === "{") {
      body = this.parseBraceBody();
    } else if (this.tok().kind !== "eof") {
      const expr = this.parseLiteral();
      body = expr === undefined ? undefined : [expr];
    } else {
      this.illegal("rule body expected");
    }
    if (body === undefined) return undefined;
    let elseRule: ParsedRule | undefined;
    if (this.atKeyword("else")) {
      elseRule = this.parseElse(parent);
      if (elseRule === undefined) return undefined;
    }
    // Each `else` body needs its own `if` in v1 (OPA checks every branch of the chain).
    const finalHead: ParsedHead = { ...head, usedIf: hasIf };
    return { head: finalHead, body, elseRule, isDefault: false, location, generatedBody: false };
  }

  /** A copy of the head's arguments with fresh names for wildcards (each rule gets its own). */
  private freshWildcardArgs(
    args: readonly Term[] | undefined,
    location: Location,
  ): readonly Term[] | undefined {
    if (args === undefined) return undefined;
    return args.map((a) => (a.type === "var" && a.name.startsWith("$") ? this.newWildcard(location) : a));
  }

  // -------------------------------------------------------------------------------------------
  // Bodies and literals

  private parseBody(end: TokenKind): Body | undefined {
    if (++this.depth > MAX_DEPTH) return this.tooDeep();
    try {
      return this.parseQuery(false, end);
    } finally {
      this.depth--;
    }
  }

  private tooDeep(): undefined {
    this.errorAt(this.tok().location, "max parsing recursion depth exceeded");
    return undefined;
  }

  /**
   * A conjunction ending at `end`. Expressions are separated by `;` or a line break; with
   * `requireSemi` (top-level statements) a line break ends the statement instead.
   */
  private parseQuery(requireSemi: boolean, end: TokenKind): Body | undefined {
    if (this.tok().kind === end) {
      this.errorAt(this.tok().location, "found empty body");
      return undefined;
    }
    const body: Expr[] = [];
    for (;;) {
      const expr = this.parseLiteral();
      if (expr === undefined) return undefined;
      body.push(expr);
      if (this.tok().kind === ";") {
        this.next();
        continue;
      }
      if (this.tok().kind === end || requireSemi) return body;
      if (!this.tok().newlineBefore) {
        this.illegal(`expected a newline, ";" or "${end}"`);
        return undefined;
      }
    }
  }

  private parseLiteral(): Expr | undefined {
    const location = this.tok().location;
    if (this.logicalActive()) {
      const led = this.parseLogicalLed(location);
      if (led !== null) return led;
    }
    if (this.atKeywordRefHead()) {
      this.identOverride = this.pos;
      return this.parseLiteralExpr(false, location);
    }
    let negated = false;
    if (this.atKeyword("not")) {
      this.next();
      negated = true;
      if (this.logical.has("not") && (this.tok().kind === "{" || this.tok().kind === "(")) {
        const block = this.parseNotBlock(location);
        return block === undefined ? undefined : this.finishLogical(exprSet(block), location, block);
      }
    }
    if (this.atKeyword("some")) {
      if (negated) {
        this.illegal("illegal negation of 'some'");
        return undefined;
      }
      return this.parseSome(location);
    }
    if (this.atKeyword("every")) {
      if (negated) {
        this.illegal("illegal negation of 'every'");
        return undefined;
      }
      return this.parseEvery(location);
    }
    const expr = this.parseLiteralExpr(negated, location);
    if (expr === undefined || !this.logicalActive()) return expr;
    const operator = this.atLogical();
    if (operator === undefined) return this.wrapNegation(expr);
    if (expr.with.length > 0) {
      this.errorAt(expr.location, `\`with\` modifier is not allowed on operand of \`${operator}\``);
      return undefined;
    }
    if (!this.checkImplicitOperand(expr, operator)) return undefined;
    return this.finishLogical(implicitOperandSet(this.wrapNegation(expr)), location);
  }

  // -------------------------------------------------------------------------------------------
  // Logical keywords (`import future.keywords.and` / `.or` / `.not`), lowered by logical-expr.ts

  /** Whether any logical keyword is imported. */
  private logicalActive(): boolean {
    return this.logical.size > 0;
  }

  /** `and` or `or` as an operator here (`or(a, b)`, the builtin, stays a call). */
  private atLogical(): "and" | "or" | undefined {
    const t = this.tok();
    if (t.kind !== "ident" || (t.text !== "and" && t.text !== "or") || !this.logical.has(t.text))
      return undefined;
    const n = this.peek();
    if (n.kind === "(" && !n.spaceBefore) return undefined;
    return t.text;
  }

  /**
   * A literal led by `{ body }` or by a parenthesized group, when an `and`/`or` chain follows
   * (or the group holds one). `null` when the literal is something else (nothing consumed).
   */
  private parseLogicalLed(location: Location): Expr | undefined | null {
    const k = this.tok().kind;
    if (k === "{" && (this.logical.has("and") || this.logical.has("or"))) {
      const s = this.save();
      const body = this.parseBraceBody();
      if (body !== undefined && this.atLogical() !== undefined) {
        return this.finishLogical(operandSet(body, location), location);
      }
      this.restore(s);
      return null;
    }
    if (k === "(") {
      const s = this.save();
      const inner = this.parseGroup();
      if (inner !== undefined && (this.logicalExprs.has(inner) || this.atLogical() !== undefined)) {
        return this.finishLogical(exprSet(inner), location, inner);
      }
      this.restore(s);
    }
    return null;
  }

  /** `( literal )`: a literal in parentheses, which may itself be a chain with its own `with`. */
  private parseGroup(): Expr | undefined {
    if (++this.depth > MAX_DEPTH) return this.tooDeep();
    try {
      this.next();
      const inner = this.parseLiteral();
      if (inner === undefined) return undefined;
      if (this.tok().kind !== ")") {
        this.errorAt(this.tok().location, "non-terminated expression");
        return undefined;
      }
      this.next();
      return inner;
    } finally {
      this.depth--;
    }
  }

  /** After `not` (with `future.keywords.not`): `{ body }` or `( literal )`, as a negated block. */
  private parseNotBlock(location: Location): Expr | undefined {
    if (this.tok().kind === "{") {
      const body = this.parseBraceBody();
      return body === undefined ? undefined : notBlockExpr(body, location);
    }
    const inner = this.parseGroup();
    return inner === undefined ? undefined : notBlockExpr([inner], location);
  }

  /**
   * The `and`/`or` chain after a first operand, `and` binding tighter than `or`, then a `with`
   * that applies to the whole. `whole` is the first operand's expression when no chain follows.
   */
  private finishLogical(first: Term, location: Location, whole?: Expr): Expr | undefined {
    if (this.atLogical() === undefined && whole !== undefined) {
      if (!this.atKeyword("with")) return whole;
      const withs = this.parseWith();
      return withs === undefined ? undefined : { ...whole, with: [...whole.with, ...withs] };
    }
    let acc: Term | undefined = first;
    if (this.atLogical() === "and") acc = this.parseAndChain(acc, location);
    while (acc !== undefined && this.atLogical() === "or") {
      this.next();
      let rhs = this.parseOperand("or");
      if (rhs !== undefined && this.atLogical() === "and") rhs = this.parseAndChain(rhs, location);
      acc = rhs === undefined ? undefined : combine("or", acc, rhs, location);
    }
    if (acc === undefined) return undefined;
    let expr = logicalExpr(acc, location);
    if (this.atKeyword("with")) {
      const withs = this.parseWith();
      if (withs === undefined) return undefined;
      const after = this.atLogical();
      if (after !== undefined) {
        this.errorAt(
          withs[0]?.location ?? location,
          `\`with\` modifier is not allowed on operand of \`${after}\``,
        );
        return undefined;
      }
      expr = { ...expr, with: withs };
    }
    this.logicalExprs.add(expr);
    return expr;
  }

  private parseAndChain(first: Term, location: Location): Term | undefined {
    let acc: Term | undefined = first;
    while (acc !== undefined && this.atLogical() === "and") {
      this.next();
      const rhs = this.parseOperand("and");
      acc = rhs === undefined ? undefined : combine("and", acc, rhs, location);
    }
    return acc;
  }

  /** One operand after `and`/`or`: `{ body }`, `( ... )`, `not ...`, or a single expression. */
  private parseOperand(operator: "and" | "or"): Term | undefined {
    const location = this.tok().location;
    if (this.tok().kind === "{") {
      const body = this.parseBraceBody();
      return body === undefined ? undefined : operandSet(body, location);
    }
    if (this.tok().kind === "(") {
      const inner = this.parseGroup();
      return inner === undefined ? undefined : exprSet(inner);
    }
    let negated = false;
    if (this.atKeyword("not")) {
      this.next();
      negated = true;
      if (this.logical.has("not") && (this.tok().kind === "{" || this.tok().kind === "(")) {
        const block = this.parseNotBlock(location);
        return block === undefined ? undefined : exprSet(block);
      }
    }
    const kind = this.parseExpr();
    if (kind === undefined) return undefined;
    // A `with` after the last operand applies to the whole expression (finishLogical reads it).
    const expr: Expr = { kind, negated, with: [], location };
    if (!this.checkImplicitOperand(expr, operator)) return undefined;
    return implicitOperandSet(this.wrapNegation(expr));
  }

  /** A single-expression operand may not assign (its variables could never be seen). */
  private checkImplicitOperand(expr: Expr, operator: "and" | "or"): boolean {
    const k = expr.kind;
    if (k.type !== "callexpr") return true;
    const op = k.call.operator;
    if (op.head.type !== "var" || op.head.name !== "assign" || op.path.length > 0) return true;
    this.errors.push({
      code: "rego_compile_error",
      message: `cannot assign vars inside implicit ${operator} operand`,
      location: expr.location,
    });
    return false;
  }

  /**
   * With `future.keywords.not`, `not` over a composite expression negates its whole expansion
   * (`not f(input.x)` holds when `input.x` is undefined), as a negated block of that expression.
   */
  private wrapNegation(expr: Expr): Expr {
    if (!expr.negated || !this.logical.has("not") || !isComposite(expr)) return expr;
    const block = notBlockExpr([{ ...expr, negated: false, with: [] }], expr.location);
    return { ...block, with: expr.with };
  }

  private parseLiteralExpr(negated: boolean, location: Location): Expr | undefined {
    const kind = this.parseExpr();
    if (kind === undefined) return undefined;
    let withs: readonly WithModifier[] = [];
    if (this.atKeyword("with")) {
      const parsed = this.parseWith();
      if (parsed === undefined) return undefined;
      withs = parsed;
    }
    return { kind, negated, with: withs, location };
  }

  private parseWith(): WithModifier[] | undefined {
    const withs: WithModifier[] = [];
    do {
      const location = this.tok().location;
      this.next();
      if (!this.atIdent()) {
        this.illegal("expected ident");
        return undefined;
      }
      const target = this.parseTerm();
      if (target === undefined) return undefined;
      let ref: RefTerm;
      if (target.type === "ref") ref = target;
      else if (target.type === "var")
        ref = { type: "ref", head: target, path: [], location: target.location };
      else {
        this.errorAt(target.location, `unexpected ${valueName(target)} token: expected with target path`);
        return undefined;
      }
      if (!this.atKeyword("as")) {
        this.illegal("expected as keyword");
        return undefined;
      }
      this.next();
      const value = this.parseTermInfixCall();
      if (value === undefined) return undefined;
      withs.push({ type: "with", target: ref, value, location });
    } while (this.atKeyword("with"));
    return withs;
  }

  private parseSome(location: Location): Expr | undefined {
    const s = this.save();
    this.next();
    const term = this.parseTermInfixCall();
    if (term?.type === "call") {
      const member = memberArity(term);
      if (member === undefined) {
        this.illegal("expected `x in xs` or `x, y in xs` expression");
        return undefined;
      }
      const [a, b, c] = term.args;
      const kind: ExprKind =
        member === 2
          ? { type: "somein", key: undefined, value: a as Term, domain: b as Term }
          : { type: "somein", key: a, value: b as Term, domain: c as Term };
      let withs: readonly WithModifier[] = [];
      if (this.atKeyword("with")) {
        const parsed = this.parseWith();
        if (parsed === undefined) return undefined;
        withs = parsed;
      }
      return { kind, negated: false, with: withs, location };
    }
    this.restore(s);
    const vars: VarTerm[] = [];
    do {
      this.next();
      if (!this.atIdent()) {
        this.illegal("expected var");
        return undefined;
      }
      vars.push(this.makeVar(this.tok()));
      this.next();
    } while (this.tok().kind === ",");
    return { kind: { type: "some", vars }, negated: false, with: [], location };
  }

  private parseEvery(location: Location): Expr | undefined {
    this.next();
    const term = this.parseTermInfixCall();
    if (term === undefined) return undefined;
    const member = term.type === "call" ? memberArity(term) : undefined;
    if (term.type !== "call" || member === undefined) {
      this.illegal("expected `x[, y] in xs { ... }` expression");
      return undefined;
    }
    const [a, b, c] = term.args;
    const key = member === 3 ? a : undefined;
    const value = (member === 3 ? b : a) as Term;
    const domain = (member === 3 ? c : b) as Term;
    if (key !== undefined && key.type !== "var") {
      this.illegal("expected key to be a variable");
      return undefined;
    }
    if (value.type !== "var") {
      this.illegal("expected value to be a variable");
      return undefined;
    }
    if (this.tok().kind !== "{") {
      this.illegal("missing body");
      return undefined;
    }
    const body = this.parseBraceBody();
    if (body === undefined) return undefined;
    const kind: Every = { type: "every", key, value, domain, body };
    let withs: readonly WithModifier[] = [];
    if (this.atKeyword("with")) {
      const parsed = this.parseWith();
      if (parsed === undefined) return undefined;
      withs = parsed;
    }
    return { kind, negated: false, with: withs, location };
  }

  private parseExpr(): ExprKind | undefined {
    const lhs = this.parseTermInfixCall();
    if (lhs === undefined) return undefined;
    const op = this.tok();
    if (op.kind === ":=" || op.kind === "=") {
      this.next();
      const rhs = this.parseTermInfixCall();
      if (rhs === undefined) return undefined;
      const call: CallTerm = {
        type: "call",
        operator: opRef(INFIX_BUILTIN[op.kind] as string, op.location),
        args: [lhs, rhs],
        location: lhs.location,
      };
      return { type: "callexpr", call };
    }
    if (lhs.type === "call") return { type: "callexpr", call: lhs };
    return { type: "term", term: lhs };
  }

  // -------------------------------------------------------------------------------------------
  // Infix terms, loosest first: `in`, relations, `|`, `&`, `+ -`, `* / %`

  private parseTermInfixCall(): Term | undefined {
    return this.parseTermIn(true);
  }

  private parseTermInfixCallInList(): Term | undefined {
    return this.parseTermIn(false);
  }

  /** `x in xs` and (where `keyVal`, i.e. not inside a list) `k, v in xs`. */
  private parseTermIn(keyVal: boolean): Term | undefined {
    let lhs = this.parseTermRelation();
    if (lhs === undefined) return undefined;
    if (keyVal && this.tok().kind === ",") {
      const s = this.save();
      this.next();
      const mhs = this.parseTermRelation();
      if (mhs !== undefined && this.atInOperator()) {
        const opLoc = this.tok().location;
        this.next();
        const rhs = this.parseTermRelation();
        if (rhs !== undefined) {
          lhs = memberCall(3, [lhs, mhs, rhs], opLoc, lhs.location);
          return this.continueIn(lhs);
        }
      }
      this.restore(s);
    }
    return this.continueIn(lhs);
  }

  private continueIn(lhs: Term): Term | undefined {
    let result = lhs;
    while (this.atInOperator()) {
      const opLoc = this.tok().location;
      this.next();
      const rhs = this.parseTermRelation();
      if (rhs === undefined) return undefined;
      result = memberCall(2, [result, rhs], opLoc, lhs.location);
    }
    return result;
  }

  private atInOperator(): boolean {
    return this.atKeyword("in") && !this.atKeywordRefHead();
  }

  private parseTermRelation(): Term | undefined {
    return this.parseBinary(RELATION_OPS, () => this.parseTermOr());
  }

  private parseTermOr(): Term | undefined {
    return this.parseBinary(OR_OPS, () => this.parseTermAnd());
  }

  private parseTermAnd(): Term | undefined {
    return this.parseBinary(AND_OPS, () => this.parseTermArith());
  }

  private parseTermArith(): Term | undefined {
    return this.parseBinary(ARITH_OPS, () => this.parseTermFactor());
  }

  private parseTermFactor(): Term | undefined {
    return this.parseBinary(FACTOR_OPS, () => this.parseTerm());
  }

  /** One left-associative precedence level. */
  private parseBinary(ops: ReadonlySet<TokenKind>, operand: () => Term | undefined): Term | undefined {
    let lhs = operand();
    if (lhs === undefined) return undefined;
    const start = lhs.location;
    while (ops.has(this.tok().kind)) {
      const op = this.tok();
      this.next();
      const rhs = operand();
      if (rhs === undefined) return undefined;
      lhs = {
        type: "call",
        operator: opRef(INFIX_BUILTIN[op.kind] as string, op.location),
        args: [lhs, rhs],
        location: start,
      };
    }
    return lhs;
  }

  // -------------------------------------------------------------------------------------------
  // Terms

  private parseTerm(): Term | undefined {
    const start = this.pos;
    const cacheable = this.identOverride !== start;
    if (cacheable) {
      const hit = this.cache.get(start);
      if (hit !== undefined) {
        this.pos = hit.pos;
        this.wildcard = hit.wildcard;
        this.errors.push(...hit.errors);
        return hit.term;
      }
    }
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      return this.tooDeep();
    }
    const errorsBefore = this.errors.length;
    let term: Term | undefined;
    try {
      term = this.parseTermHead();
      if (term !== undefined) term = this.parseTermFinish(term);
    } finally {
      this.depth--;
    }
    if (cacheable) {
      this.cache.set(start, {
        term,
        pos: this.pos,
        wildcard: this.wildcard,
        errors: this.errors.length === errorsBefore ? NO_ERRORS : this.errors.slice(errorsBefore),
      });
    }
    return term;
  }

  private parseTermHead(): Term | undefined {
    const t = this.tok();
    switch (t.kind) {
      case "ident": {
        if (this.identOverride !== this.pos && this.isKeyword(t.text)) {
          if (t.text === "null") {
            this.next();
            return { type: "null", location: t.location };
          }
          if (t.text === "true" || t.text === "false") {
            this.next();
            return { type: "boolean", value: t.text === "true", location: t.location };
          }
          // `contains` is a keyword only in rule heads; elsewhere it names the builtin, as
          // `and(a, b)` and `or(a, b)` (called) do when the logical keywords are imported.
          const call =
            (t.text === "and" || t.text === "or") && this.peek().kind === "(" && !this.peek().spaceBefore;
          if (t.text !== "contains" && !call) {
            this.illegal("expected term");
            return undefined;
          }
        }
        this.next();
        return this.makeVar(t);
      }
      case "-": {
        // Unary minus on a reference (`-input.n`) is `minus(0, input.n)`, as in OPA 1.x.
        const n = this.peek();
        if (n.kind === "ident" && (n.text === "contains" || !this.isKeyword(n.text))) {
          this.next();
          const v = this.makeVar(this.tok());
          this.next();
          const operand = this.parseTermFinish(v);
          if (operand === undefined) return undefined;
          const zero: Term = { type: "number", text: "0", location: t.location };
          return {
            type: "call",
            operator: opRef("minus", t.location),
            args: [zero, operand],
            location: t.location,
          };
        }
        return this.parseNumber();
      }
      case "number":
      case ".":
        return this.parseNumber();
      case "string":
        this.next();
        return { type: "string", value: t.value ?? "", location: t.location };
      case "template":
        if (t.template?.first === true) return this.parseTemplateString();
        this.illegal("expected term");
        return undefined;
      case "[":
        return this.parseArray();
      case "{":
        return this.parseSetOrObject();
      case "(": {
        this.next();
        const inner = this.parseTermInfixCall();
        if (inner === undefined) return undefined;
        if (this.tok().kind !== ")") {
          this.errorAt(this.tok().location, "non-terminated expression");
          return undefined;
        }
        this.next();
        return inner;
      }
      default:
        this.illegal("expected term");
        return undefined;
    }
  }

  /**
   * A template string, from its first part: each hole is one expression (a literal, as OPA
   * parses it), checked as OPA checks it, and the whole is lowered to OPA's
   * `internal.template_string` call. The lexer has already found where each hole ends.
   */
  private parseTemplateString(): Term | undefined {
    const start = this.tok();
    if (this.version === 0) {
      // OPA's v0 capabilities lack the template_strings feature.
      this.errorAt(start.location, TEMPLATE_STRINGS_UNSUPPORTED);
      return undefined;
    }
    const pieces: TemplatePiece[] = [];
    let part = start;
    for (;;) {
      pieces.push({ type: "text", value: part.value ?? "", location: part.location });
      this.next();
      if (part.template?.last !== false) break;
      const expr = this.parseLiteral();
      if (expr === undefined) {
        this.errorAt(this.tok().location, "invalid template-string expression");
        return undefined;
      }
      const checked = checkTemplateHole(expr);
      if (!checked.ok) {
        this.errorAt(expr.location, checked.message);
        return undefined;
      }
      const relation = templateHoleRelation(checked.hole);
      // OPA's compiler (not its parser) refuses this, so parsing goes on.
      if (relation !== undefined) {
        this.errors.push({ code: "rego_compile_error", message: relation, location: expr.location });
      }
      pieces.push({ type: "hole", hole: checked.hole, capture: this.newWildcard(expr.location) });
      const close = this.tok();
      if (close.template === undefined || close.template.first) {
        this.errorAt(close.location, "expected } to end template string expression");
        return undefined;
      }
      if (close.kind === "illegal") {
        this.illegal();
        return undefined;
      }
      part = close;
    }
    const after = this.tok();
    if (!after.spaceBefore && (after.kind === "(" || after.kind === "." || after.kind === "[")) {
      // Reported as OPA does, and parsing goes on (the statement fails on the error).
      this.errorAt(start.location, "illegal ref (head cannot be templatestring)");
    }
    return lowerTemplateString(pieces, start.location);
  }

  private parseNumber(): Term | undefined {
    const location = this.tok().location;
    let negative = false;
    let leadingDot = false;
    if (this.tok().kind === "-") {
      negative = true;
      this.next();
      if (this.tok().kind !== "number" && this.tok().kind !== ".") {
        this.illegal("expected number");
        return undefined;
      }
    }
    if (this.tok().kind === ".") {
      leadingDot = true;
      this.next();
      if (this.tok().kind !== "number") {
        this.illegal("expected number");
        return undefined;
      }
    }
    const t = this.tok();
    const check = checkNumberLiteral(negative, leadingDot, t.text);
    if (!check.ok) {
      if (check.message === "number too big") this.errorAt(t.location, check.message);
      else this.illegal(check.message);
      return undefined;
    }
    this.next();
    return { type: "number", text: check.text, location };
  }

  /** After a term: a ref or call continues only when `.`, `[` or `(` follows with no space. */
  private parseTermFinish(head: Term): Term | undefined {
    const t = this.tok();
    if (!t.spaceBefore && (t.kind === "(" || t.kind === "." || t.kind === "[")) return this.parseRef(head);
    if (head.type === "var" && (head.name === "data" || head.name === "input")) {
      return { type: "ref", head, path: [], location: head.location };
    }
    return head;
  }

  private parseRef(head: Term): Term | undefined {
    const location = head.location;
    switch (head.type) {
      case "var":
      case "array":
      case "object":
      case "set":
      case "arraycomp":
      case "setcomp":
      case "objectcomp":
      case "call":
        break;
      default:
        this.errorAt(location, `illegal ref (head cannot be ${valueName(head)})`);
    }
    const path: Term[] = [];
    let first = true;
    for (;;) {
      const t = this.tok();
      if (!first && t.spaceBefore) break;
      first = false;
      if (t.kind === ".") {
        this.next();
        const name = this.tok();
        if (name.kind !== "ident" || name.spaceBefore) {
          this.illegal("expected ident");
          return undefined;
        }
        path.push({ type: "string", value: name.text, location: name.location });
        this.next();
      } else if (t.kind === "[") {
        this.next();
        const inner = this.parseTermInfixCall();
        if (inner === undefined) return undefined;
        if (this.tok().kind !== "]") {
          this.illegal(`expected "]"`);
          return undefined;
        }
        path.push(inner);
        this.next();
      } else if (t.kind === "(") {
        const operator: RefTerm = { type: "ref", head, path, location };
        const call = this.parseCall(operator, location);
        if (call === undefined) return undefined;
        const n = this.tok();
        if (!n.spaceBefore && (n.kind === "." || n.kind === "[")) return this.parseRef(call);
        return call;
      } else {
        break;
      }
    }
    return { type: "ref", head, path, location };
  }

  private parseCall(operator: RefTerm, location: Location): Term | undefined {
    this.next();
    if (this.tok().kind === ")") {
      this.next();
      if (operator.head.type === "var" && operator.head.name === "set" && operator.path.length === 0) {
        return { type: "set", items: [], location };
      }
      return { type: "call", operator, args: [], location };
    }
    const args = this.parseTermList(")", []);
    if (args === undefined) return undefined;
    this.next();
    return { type: "call", operator, args, location };
  }

  private parseArray(): Term | undefined {
    const location = this.tok().location;
    this.next();
    if (this.tok().kind === "]") {
      this.next();
      return { type: "array", items: [], location };
    }
    let potentialComprehension = true;
    // A leading comma (`[, x]`) is accepted, as OPA does for backwards compatibility.
    if (this.tok().kind === ",") {
      potentialComprehension = false;
      this.next();
    }
    const s = this.save();
    // A plain term first, so that `[x | body]` wins over `x | y` (an `or` call).
    const head = this.parseTerm();
    if (head === undefined) return undefined;
    switch (this.tok().kind) {
      case "]":
        this.next();
        return { type: "array", items: [head], location };
      case ",": {
        this.next();
        const items = this.parseTermList("]", [head]);
        if (items === undefined) return undefined;
        this.next();
        return { type: "array", items, location };
      }
      case "|":
        if (potentialComprehension) {
          this.next();
          const body = this.parseBody("]");
          if (body !== undefined) {
            this.next();
            return { type: "arraycomp", term: head, body, location };
          }
          if (this.tok().kind !== ",") return undefined;
        }
        break;
      default:
        break;
    }
    this.restore(s);
    const items = this.parseTermList("]", []);
    if (items === undefined) return undefined;
    this.next();
    return { type: "array", items, location };
  }

  private parseSetOrObject(): Term | undefined {
    const location = this.tok().location;
    this.next();
    if (this.tok().kind === "}") {
      this.next();
      return { type: "object", entries: [], location };
    }
    let potentialComprehension = true;
    if (this.tok().kind === ",") {
      potentialComprehension = false;
      this.next();
    }
    const s = this.save();
    const head = this.parseTerm();
    if (head === undefined) return undefined;
    const k = this.tok().kind;
    if ((k === "|" && potentialComprehension) || k === "}" || k === ",") {
      return this.parseSet(s, head, potentialComprehension, location);
    }
    if (k === ":") return this.parseObject(head, potentialComprehension, location);
    this.restore(s);
    const head2 = this.parseTermInfixCallInList();
    if (head2 === undefined) return undefined;
    const k2 = this.tok().kind;
    if (k2 === "}" || k2 === ",") return this.parseSet(s, head2, false, location);
    if (k2 === ":") return this.parseObject(head2, potentialComprehension, location);
    this.illegal("non-terminated set");
    return undefined;
  }

  private parseSet(
    s: SavedState,
    head: Term,
    potentialComprehension: boolean,
    location: Location,
  ): Term | undefined {
    switch (this.tok().kind) {
      case "}":
        this.next();
        return { type: "set", items: [head], location };
      case ",": {
        this.next();
        const items = this.parseTermList("}", [head]);
        if (items === undefined) return undefined;
        this.next();
        return { type: "set", items, location };
      }
      case "|": {
        if (potentialComprehension) {
          this.next();
          const body = this.parseBody("}");
          if (body !== undefined) {
            this.next();
            return { type: "setcomp", term: head, body, location };
          }
          if (this.tok().kind !== ",") return undefined;
        }
        this.restore(s);
        const items = this.parseTermList("}", []);
        if (items === undefined) return undefined;
        this.next();
        return { type: "set", items, location };
      }
      default:
        return undefined;
    }
  }

  private parseObject(key: Term, potentialComprehension: boolean, location: Location): Term | undefined {
    this.next();
    const s = this.save();
    const value = this.parseTerm();
    if (value === undefined) return undefined;
    let potentialRelation = true;
    if (potentialComprehension) {
      const k = this.tok().kind;
      if (k === "}" || k === ",") {
        potentialRelation = false;
        // Neither a comprehension nor a longer value is possible: keep this attempt's errors.
        return this.parseObjectFinish(key, value, true, location);
      }
      if (k === "|") {
        const r = this.parseObjectFinish(key, value, true, location);
        if (r !== undefined) return r;
      }
    }
    this.restore(s);
    if (potentialRelation) {
      const v = this.parseTermInfixCallInList();
      if (v === undefined) return undefined;
      const k = this.tok().kind;
      if (k === "}" || k === ",") return this.parseObjectFinish(key, v, false, location);
    }
    this.illegal("non-terminated object");
    return undefined;
  }

  private parseObjectFinish(
    key: Term,
    value: Term,
    potentialComprehension: boolean,
    location: Location,
  ): Term | undefined {
    switch (this.tok().kind) {
      case "}":
        this.next();
        return { type: "object", entries: [[key, value]], location };
      case "|": {
        if (!potentialComprehension) {
          this.illegal("non-terminated object");
          return undefined;
        }
        this.next();
        const body = this.parseBody("}");
        if (body === undefined) return undefined;
        this.next();
        return { type: "objectcomp", key, value, body, location };
      }
      case ",": {
        this.next();
        const entries = this.parseTermPairList([[key, value]]);
        if (entries === undefined) return undefined;
        this.next();
        return { type: "object", entries, location };
      }
      default:
        return undefined;
    }
  }

  /** Comma-separated terms up to `end` (left as the current token); a trailing comma is fine. */
  private parseTermList(end: TokenKind, initial: readonly Term[]): Term[] | undefined {
    const items = [...initial];
    if (this.tok().kind === end) return items;
    for (;;) {
      const term = this.parseTermInfixCallInList();
      if (term === undefined) return undefined;
      items.push(term);
      const k = this.tok().kind;
      if (k === end) return items;
      if (k !== ",") {
        this.illegal(`expected "," or "${end}"`);
        return undefined;
      }
      this.next();
      if (this.tok().kind === end) return items;
    }
  }

  /** `key: value` pairs up to `}` (left as the current token). */
  private parseTermPairList(
    initial: readonly (readonly [Term, Term])[],
  ): (readonly [Term, Term])[] | undefined {
    const entries = [...initial];
    if (this.tok().kind === "}") return entries;
    for (;;) {
      const key = this.parseTermInfixCallInList();
      if (key === undefined) return undefined;
      if (this.tok().kind !== ":") {
        this.illegal(`expected ":"`);
        return undefined;
      }
      this.next();
      const value = this.parseTermInfixCallInList();
      if (value === undefined) return undefined;
      entries.push([key, value]);
      const k = this.tok().kind;
      if (k === "}") return entries;
      if (k !== ",") {
        this.illegal(`expected "," or "}"`);
        return undefined;
      }
      this.next();
      if (this.tok().kind === "}") return entries;
    }
  }

  /** A variable from an identifier token; each `_` becomes a fresh `$N`. */
  private makeVar(t: Token): VarTerm {
    if (t.text === "_") return this.newWildcard(t.location);
    return { type: "var", name: t.text, location: t.location };
  }

  private newWildcard(location: Location): VarTerm {
    return { type: "var", name: `$${this.wildcard++}`, location };
  }

  /** Used by `expect` callers outside this class's grammar (kept for symmetric error text). */
  expectToken(kind: TokenKind): boolean {
    return this.expect(kind);
  }
}

const NO_ERRORS: readonly RegoErrorDetail[] = [];

/** The errors without repeats (a bad token can be reported by a term and by its statement). */
function dedupeErrors(errors: readonly RegoErrorDetail[]): RegoErrorDetail[] {
  const seen = new Set<string>();
  const out: RegoErrorDetail[] = [];
  for (const e of errors) {
    const key = `${e.location?.offset ?? -1}:${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
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
const OR_OPS: ReadonlySet<TokenKind> = new Set(["|"]);
const AND_OPS: ReadonlySet<TokenKind> = new Set(["&"]);
const ARITH_OPS: ReadonlySet<TokenKind> = new Set(["+", "-"]);
const FACTOR_OPS: ReadonlySet<TokenKind> = new Set(["*", "/", "%"]);

/** The ref naming a builtin operator, e.g. `plus`. */
function opRef(name: string, location: Location): RefTerm {
  return { type: "ref", head: { type: "var", name, location }, path: [], location };
}

/** A call to `internal.member_2` (`x in xs`) or `internal.member_3` (`k, v in xs`). */
function memberCall(arity: 2 | 3, args: Term[], opLocation: Location, location: Location): CallTerm {
  const operator: RefTerm = {
    type: "ref",
    head: { type: "var", name: "internal", location: opLocation },
    path: [{ type: "string", value: `member_${arity}`, location: opLocation }],
    location: opLocation,
  };
  return { type: "call", operator, args, location };
}

/** 2 or 3 when the call is `internal.member_2/3` with the right argument count. */
function memberArity(call: CallTerm): 2 | 3 | undefined {
  const op = call.operator;
  if (op.head.type !== "var" || op.head.name !== "internal" || op.path.length !== 1) return undefined;
  const p = op.path[0];
  if (p?.type !== "string") return undefined;
  if (p.value === "member_2" && call.args.length === 2) return 2;
  if (p.value === "member_3" && call.args.length === 3) return 3;
  return undefined;
}

function termExpr(term: Term, location: Location): Expr {
  return { kind: { type: "term", term }, negated: false, with: [], location };
}

function freezeHead(h: HeadDraft): ParsedHead {
  return {
    ref: h.ref,
    args: h.args,
    key: h.key,
    value: h.value,
    assign: h.assign,
    location: h.location,
    generatedValue: h.generatedValue,
    usedIf: h.usedIf,
    usedContains: h.usedContains,
  };
}

/** OPA's name of a template-string token (a part after a hole is, to OPA, the hole's `}`). */
function templateTokenName(t: Token): string {
  const info = t.template;
  if (info === undefined) return "template-string-part";
  if (!info.first) return "}";
  return `${info.raw ? "raw-" : ""}template-string-${info.last ? "end" : "part"}`;
}

/** The first var, ref or call in a default value (outside comprehensions), by OPA's kind name. */
function forbiddenInDefault(t: Term): string | undefined {
  switch (t.type) {
    case "call":
      return isTemplateString(t) ? forbiddenInTemplateString(t) : t.type;
    case "var":
    case "ref":
      return t.type;
    case "array":
    case "set":
      for (const i of t.items) {
        const bad = forbiddenInDefault(i);
        if (bad !== undefined) return bad;
      }
      return undefined;
    case "object":
      for (const [k, v] of t.entries) {
        const bad = forbiddenInDefault(k) ?? forbiddenInDefault(v);
        if (bad !== undefined) return bad;
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * The first var, ref or call in a template string's holes, walked as OPA walks the parsed
 * template: a call expression shows its operator (a ref) first, `with` targets are refs, and
 * literal holes hold nothing.
 */
function forbiddenInTemplateString(call: CallTerm): string | undefined {
  for (const hole of templateStringHoles(call)) {
    const k = hole.kind;
    // A nested template string is a term to OPA, not a call.
    if (k.type === "callexpr" && !isTemplateString(k.call)) return "ref";
    const term = k.type === "term" ? k.term : k.type === "callexpr" ? k.call : undefined;
    const bad = term === undefined ? undefined : forbiddenInDefault(term);
    if (bad !== undefined) return bad;
    if (hole.with.length > 0) return "ref";
  }
  return undefined;
}

/** Whether a negated expression holds dynamic terms that OPA expands before negating it. */
function isComposite(expr: Expr): boolean {
  const k = expr.kind;
  const dynamic = (t: Term): boolean => {
    switch (t.type) {
      case "ref":
      case "call":
      case "arraycomp":
      case "setcomp":
      case "objectcomp":
        return true;
      case "array":
      case "set":
        return t.items.some(dynamic);
      case "object":
        return t.entries.some(([a, b]) => dynamic(a) || dynamic(b));
      default:
        return false;
    }
  };
  switch (k.type) {
    case "callexpr":
      return k.call.args.some(dynamic);
    case "term":
      return k.term.type === "ref" && k.term.path.some(dynamic);
    default:
      return false;
  }
}
