// Syntax stage, the parser proper (source -> tokens -> statements; compile comes next): recursive
// descent over the lexer's tokens into statements (package, imports, rules, bodies). It follows
// OPA's grammar, precedence and backtracking: a statement is tried as a rule first and as a body
// second. Its grammar is split by concept: parser-state, term-parser, body-parser,
// logical-parser, rule-parser, and the statements and imports here.

import type { RegoErrorDetail } from "../errors.js";
import type { Import, Package, RefTerm, StringTerm, Term, VarTerm } from "./ast.js";
import {
  FUTURE_KEYWORDS,
  type FutureKeyword,
  IMPORTABLE_KEYWORDS,
  isFutureKeyword,
  isKeywordInVersion,
  isLogicalKeyword,
  LOGICAL_KEYWORDS,
  type LogicalKeyword,
} from "./keywords.js";
import type { Statement } from "./parsed-statement.js";
import type { SavedState } from "./parser-state.js";
import { RuleParser } from "./rule-parser.js";
import { refToString, termToString, valueName } from "./term-facts.js";

/** What the statement parser produces. */
export interface StatementParseResult {
  readonly statements: readonly Statement[];
  readonly errors: readonly RegoErrorDetail[];
  /** `import rego.v1` was seen (a v0 module must then also follow the v1 rules). */
  readonly regoV1Imported: boolean;
}

/** Parses modules (`package`, imports, rules) or queries (bodies only). */
export type StatementMode = "module" | "query";

// After this many failed statements, parsing stops collecting more errors.
const MAX_FAILED_STATEMENTS = 10;

const IMPORT_ROOTS = ["data", "future", "input", "rego"];

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

/** Parses tokens into statements; one instance per parse. */
export class StatementParser extends RuleParser {
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

  protected parseStatement(mode: StatementMode, start: SavedState): Statement | undefined {
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
  protected guard<T>(f: () => T | undefined): T | undefined {
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
  protected skipToNextStatement(from: number) {
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
  // Package and imports

  protected parsePackage(): Package | undefined {
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

  protected parseImport(): Import | undefined {
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
  protected applyImport(imp: Import) {
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

  protected setFutureKeywords(kws: ReadonlySet<FutureKeyword>) {
    this.future.clear();
    for (const k of kws) this.future.add(k);
    // Cached terms were read with the old keyword set.
    this.cache = new Map();
  }

  /** Parses a term whose first token may be a keyword (a package or import path). */
  protected parseTermAllowingKeyword(): Term | undefined {
    const before = this.identOverride;
    this.identOverride = this.pos;
    try {
      return this.parseTerm();
    } finally {
      this.identOverride = before;
    }
  }
}
