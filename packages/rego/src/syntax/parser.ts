// Syntax stage, public entry points: source text in, AST out (modules, queries, single terms).
// Every error found is thrown at once as a RegoError with OPA's code (`rego_parse_error`; the
// v1 duplicate-import check is OPA's `rego_compile_error`) and wording; later stages
// (compiler, evaluator) consume the AST defined in ast.ts. Modules' METADATA blocks are read
// and attached as OPA does with annotation processing on (as `opa eval`, `opa check` and the
// bundle loader parse): a block that is not valid is a parse error.

import { RegoError, type RegoErrorDetail } from "../errors.js";
import type { Body, Expr, Module, RegoVersion, Term } from "./ast.js";
import { type LexResult, lex } from "./lexer.js";
import type { Location } from "./location.js";
import { parseMetadataBlocks } from "./metadata-block.js";
import { buildModule } from "./module-builder.js";
import { moduleNestingErrors, queryNestingErrors } from "./nesting.js";
import { StatementParser } from "./statement-parser.js";
import { TEMPLATE_STRINGS_UNSUPPORTED } from "./template-string.js";

/** Options of parseModule. */
export interface ParseModuleOptions {
  /** The Rego version to parse with; when absent it is detected (v1 first, then v0). */
  readonly regoVersion?: RegoVersion;
}

/** Options of parseQuery. */
export interface ParseQueryOptions {
  /** File name used in error locations (default `query`). */
  readonly file?: string;
  /** Keywords of this version apply (default 1: `in`, `every`, `some x in`, `if`, `contains`). */
  readonly regoVersion?: RegoVersion;
}

/** A module, or every error found while parsing it with one Rego version. */
export type ModuleParseAttempt =
  | { readonly ok: true; readonly module: Module }
  | {
      readonly ok: false;
      readonly errors: readonly RegoErrorDetail[];
      /**
       * The errors are syntax errors, YAML errors of METADATA blocks among them (as opposed to
       * the checks run on well-formed statements).
       */
      readonly syntax: boolean;
      /** Only the attachment of METADATA blocks failed: the statements are well-formed. */
      readonly annotationsOnly?: boolean;
    };

/**
 * Parses a policy module. With `options.regoVersion` the module is parsed with that version
 * only. Otherwise the version is detected: the module is parsed as v1, and if that fails as
 * v0. When both fail, the errors reported are chosen to be the most helpful:
 * - if the text is well-formed v1 (only the v1 checks failed, e.g. "`if` keyword is required"),
 *   the v1 errors;
 * - otherwise those of the attempt that got further into the source (whose first error sits
 *   later), v1 on a tie: that is the version the author most likely wrote.
 * A module whose only v1 errors are compile errors (duplicate imports) is not retried as v0, and
 * one that uses template strings (which v0 lacks) is reported with its v1 errors.
 * A v0 module with `import rego.v1` must follow the v1 rules; its regoVersion stays 0.
 * Throws RegoError holding every error found.
 */
export function parseModule(file: string, source: string, options?: ParseModuleOptions): Module {
  const lexed = lex(file, source);
  const fixed = options?.regoVersion;
  if (fixed !== undefined) return unwrap(attempt(file, lexed, fixed));
  const v1 = attempt(file, lexed, 1);
  if (v1.ok) return v1.module;
  if (v1.errors.every((e) => e.code !== "rego_parse_error")) throw new RegoError(v1.errors);
  const v0 = attempt(file, lexed, 0);
  if (v0.ok) return v0.module;
  // A well-formed v0 module whose only problems are its METADATA blocks is reported as such.
  if (v0.annotationsOnly && !v1.annotationsOnly) throw new RegoError(v0.errors);
  if (!v1.syntax || v0.errors.some((e) => e.message === TEMPLATE_STRINGS_UNSUPPORTED)) {
    throw new RegoError(v1.errors);
  }
  throw new RegoError(firstErrorOffset(v0.errors) > firstErrorOffset(v1.errors) ? v0.errors : v1.errors);
}

/** Parses a module with one given Rego version, returning its errors as values. */
export function parseModuleAs(file: string, source: string, version: RegoVersion): ModuleParseAttempt {
  return attempt(file, lex(file, source), version);
}

/** One parse of already lexed source (tokens do not depend on the version, so both tries share them). */
function attempt(file: string, { tokens, comments }: LexResult, version: RegoVersion): ModuleParseAttempt {
  const parsed = new StatementParser(tokens, version).parse("module");
  // OPA's parser stops at its first syntax error and reads the METADATA blocks among the
  // comments it has seen by then.
  const stop = firstErrorOffset(parsed.errors);
  const seen = stop < 0 ? comments : comments.filter((c) => c.location.offset < stop);
  const metadata = parseMetadataBlocks(seen);
  if (parsed.errors.length > 0 || metadata.errors.length > 0) {
    return { ok: false, errors: [...parsed.errors, ...metadata.errors], syntax: true };
  }
  const built = buildModule({
    file,
    version,
    statements: parsed.statements,
    comments,
    metadata: metadata.blocks,
    regoV1Imported: parsed.regoV1Imported,
  });
  if (built.ok) {
    const deep = moduleNestingErrors(built.module);
    return deep.length > 0 ? { ok: false, errors: deep, syntax: true } : built;
  }
  return built.annotationsOnly
    ? { ok: false, errors: built.errors, syntax: false, annotationsOnly: true }
    : { ok: false, errors: built.errors, syntax: false };
}

/**
 * Parses a query (a body: expressions separated by `;` or new lines). Keywords default to
 * Rego v1 (`in`, `every`, `some x in`). Throws RegoError on any error, also on an empty query.
 */
export function parseQuery(source: string, options?: ParseQueryOptions): Body {
  const file = options?.file ?? "query";
  const { tokens } = lex(file, source);
  const parsed = new StatementParser(tokens, options?.regoVersion ?? 1).parse("query");
  if (parsed.errors.length > 0) throw new RegoError(parsed.errors);
  const body: Expr[] = [];
  for (const stmt of parsed.statements) {
    switch (stmt.type) {
      case "body":
        body.push(...stmt.body);
        break;
      case "package":
      case "import":
      case "rules":
        throw RegoError.of("rego_parse_error", `expected body but got ${stmt.type}`, statementStart(file));
    }
  }
  if (body.length === 0) throw RegoError.of("rego_parse_error", "empty query", statementStart(file));
  const deep = queryNestingErrors(body);
  if (deep.length > 0) throw new RegoError(deep);
  return body;
}

/**
 * Parses a single Rego term (a value such as `{"a": [1, 2]}`, a ref, a call, a comprehension),
 * as used by the conformance data's `input_term`. Throws RegoError when the text is not one term.
 */
export function parseTerm(source: string, file = "term"): Term {
  const body = parseQuery(source, { file });
  const [expr] = body;
  if (expr === undefined || body.length !== 1 || expr.negated || expr.with.length > 0) {
    throw RegoError.of(
      "rego_parse_error",
      "expected exactly one term",
      body[0]?.location ?? statementStart(file),
    );
  }
  switch (expr.kind.type) {
    case "term":
      return expr.kind.term;
    case "callexpr": {
      const call = expr.kind.call;
      // `x = y` and `x := y` are expressions, not terms; `eq(x, y)` written as a call is a term.
      const infix = call.operator.location.offset !== call.location.offset;
      const name = call.operator.head.type === "var" ? call.operator.head.name : "";
      if (infix && call.operator.path.length === 0 && (name === "eq" || name === "assign")) break;
      return call;
    }
    case "some":
    case "somein":
    case "every":
      break;
  }
  throw RegoError.of("rego_parse_error", "expected exactly one term", expr.location);
}

function unwrap(attempt: ModuleParseAttempt): Module {
  if (attempt.ok) return attempt.module;
  throw new RegoError(attempt.errors);
}

function firstErrorOffset(errors: readonly RegoErrorDetail[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const e of errors) if (e.location !== undefined && e.location.offset < min) min = e.location.offset;
  return min === Number.POSITIVE_INFINITY ? -1 : min;
}

function statementStart(file: string): Location {
  return { file, row: 1, col: 1, offset: 0 };
}
