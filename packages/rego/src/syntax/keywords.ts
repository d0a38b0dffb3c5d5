// Syntax stage, used by the parser: which words are Rego keywords, per language version.

import type { RegoVersion } from "./ast.js";

/** Keywords of every Rego version. */
export const BASE_KEYWORDS: ReadonlySet<string> = new Set([
  "as",
  "default",
  "else",
  "false",
  "import",
  "not",
  "null",
  "package",
  "some",
  "true",
  "with",
]);

/** The keywords that Rego v0 only knows after `import future.keywords...` or `import rego.v1`. */
export type FutureKeyword = "contains" | "every" | "if" | "in";

/** All future keywords, sorted (the order OPA lists them in errors). */
export const FUTURE_KEYWORDS: readonly FutureKeyword[] = ["contains", "every", "if", "in"];

/**
 * The logical keywords of OPA 1.20 (`future_keywords` in its capabilities), active only after
 * `import future.keywords.and` / `.or` / `.not` (or `import future.keywords`), in v0 and v1.
 * `not` is always a keyword; importing it gives `not { body }` and OPA's newer negation.
 */
export type LogicalKeyword = "and" | "not" | "or";

/** The logical keywords, sorted. */
export const LOGICAL_KEYWORDS: readonly LogicalKeyword[] = ["and", "not", "or"];

/** Whether a word is one of the logical keywords. */
export function isLogicalKeyword(word: string): word is LogicalKeyword {
  return word === "and" || word === "not" || word === "or";
}

/** Every keyword `import future.keywords.<kw>` accepts, sorted (the order OPA lists them in). */
export const IMPORTABLE_KEYWORDS: readonly string[] = [...FUTURE_KEYWORDS, ...LOGICAL_KEYWORDS].sort();

/** Whether a word is one of the future keywords. */
export function isFutureKeyword(word: string): word is FutureKeyword {
  return word === "contains" || word === "every" || word === "if" || word === "in";
}

/** Whether a word is a keyword in the given version (v0: without any imports). */
export function isKeywordInVersion(word: string, version: RegoVersion): boolean {
  return BASE_KEYWORDS.has(word) || (version === 1 && isFutureKeyword(word));
}
