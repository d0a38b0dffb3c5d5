// Differential testing, comparison stage: what one side answered (a result set, errors, or a
// failure of the side itself) and whether two answers agree. Result sets compare as multisets
// of rows (expression values and bindings, generated `__localq` variables dropped); errors by
// their set of codes, since messages are worded differently by design.

import { canonicalJson } from "../conformance/result-comparison.js";
import type { Json } from "../value/json.js";

/** One solution: the value of each expression of the query, and the query's variables. */
export interface AnswerRow {
  readonly expressions: readonly Json[];
  readonly bindings: Readonly<Record<string, Json>>;
}

/** An error as both sides report it. */
export interface AnswerError {
  readonly code: string;
  readonly message: string;
  readonly location?: { readonly file: string; readonly row: number; readonly col: number };
}

/** What one side answered. */
export type Answer =
  | { readonly kind: "results"; readonly rows: readonly AnswerRow[] }
  | { readonly kind: "errors"; readonly errors: readonly AnswerError[] }
  /** The side could not answer at all (opa crashed or timed out, the engine threw a non-Rego error). */
  | { readonly kind: "broken"; readonly reason: string };

/** How two answers relate. */
export type Agreement = { readonly kind: "same" } | { readonly kind: "differ"; readonly what: string };

/** Compares OPA's answer with ours. */
export function compareAnswers(opa: Answer, ours: Answer): Agreement {
  if (opa.kind === "broken") return { kind: "differ", what: `opa could not answer: ${opa.reason}` };
  if (ours.kind === "broken") return { kind: "differ", what: `the engine broke: ${ours.reason}` };
  if (opa.kind === "errors" && ours.kind === "errors") {
    const a = errorCodes(opa);
    const b = errorCodes(ours);
    return a === b ? { kind: "same" } : { kind: "differ", what: `error codes differ: opa ${a}, ours ${b}` };
  }
  if (opa.kind === "errors") return { kind: "differ", what: `opa raised ${errorCodes(opa)}, ours answered` };
  if (ours.kind === "errors")
    return { kind: "differ", what: `ours raised ${errorCodes(ours)}, opa answered` };
  const a = rowKeys(opa.rows);
  const b = rowKeys(ours.rows);
  if (a.length === b.length && a.every((k, i) => k === b[i])) return { kind: "same" };
  if (a.length === 0 || b.length === 0) {
    return {
      kind: "differ",
      what: `definedness differs: opa ${a.length} result(s), ours ${b.length} result(s)`,
    };
  }
  return { kind: "differ", what: "result sets differ" };
}

/** The sorted, distinct error codes of an answer, as text: `rego_type_error,rego_unsafe_var_error`. */
export function errorCodes(a: Extract<Answer, { kind: "errors" }>): string {
  return [...new Set(a.errors.map((e) => e.code))].sort().join(",");
}

/** A short text form of an answer for repros: the rows as JSON, or the errors one per line. */
export function showAnswer(a: Answer): string {
  switch (a.kind) {
    case "results":
      return a.rows.length === 0
        ? "undefined (no results)"
        : a.rows.map((r) => canonicalJson(finite(rowJson(r)))).join("\n");
    case "errors":
      return a.errors
        .map((e) => {
          const at = e.location
            ? `${e.location.file.replace(/^.*\//, "")}:${e.location.row}:${e.location.col}: `
            : "";
          return `${at}${e.code}: ${e.message}`;
        })
        .join("\n");
    case "broken":
      return `(broken) ${a.reason}`;
  }
}

function rowKeys(rows: readonly AnswerRow[]): string[] {
  return rows.map((r) => canonicalJson(finite(rowJson(r)))).sort();
}

// OPA's numbers beyond the double range parse to Infinity here, which JSON text would print as
// null: kept apart, so that such a number and null do not compare equal.
function finite(v: Json): Json {
  if (typeof v === "number") return Number.isFinite(v) ? v : `(number ${v})`;
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(finite);
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) out[k] = finite(x);
  return out;
}

function rowJson(r: AnswerRow): Json {
  const bindings: Record<string, Json> = {};
  for (const [k, v] of Object.entries(r.bindings)) if (!k.startsWith("__localq")) bindings[k] = v;
  return Object.keys(bindings).length > 0
    ? { expressions: [...r.expressions], bindings }
    : { expressions: [...r.expressions] };
}
