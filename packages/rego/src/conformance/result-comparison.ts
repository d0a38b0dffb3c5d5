// Conformance, comparison stage: decides whether a query's result set is the one a case wants,
// exactly as OPA's own case runner does (`testAssertResultSet` in OPA's topdown tests): both
// sides are sets of binding objects, `sort_bindings` sorts the array values of the results
// (not of the wanted side) before comparing, and generated `__localq` variables are ignored.

import type { Json } from "../value/json.js";

/** One solution of a query: variable name to value. */
export type Bindings = Readonly<Record<string, Json>>;

/** What comparing a wanted result set with the actual one found. */
export interface ResultSetComparison {
  readonly equal: boolean;
  /** Wanted bindings that are missing from the results, as canonical JSON text. */
  readonly missing: readonly string[];
  /** Result bindings that were not wanted, as canonical JSON text. */
  readonly unexpected: readonly string[];
}

/** Options of a comparison, from the case. */
export interface ComparisonOptions {
  /** `sort_bindings: true`: array values of the results are sorted before comparing. */
  readonly sortBindings: boolean;
}

/** Compares a wanted result set with the actual one, as sets of binding objects. */
export function compareResultSets(
  want: readonly Bindings[],
  got: readonly Bindings[],
  options: ComparisonOptions,
): ResultSetComparison {
  const wantKeys = new Set(want.map((b) => canonicalJson(b)));
  const gotKeys = new Set(got.map((b) => canonicalJson(normalizeResultBindings(b, options))));
  const missing = [...wantKeys].filter((k) => !gotKeys.has(k));
  const unexpected = [...gotKeys].filter((k) => !wantKeys.has(k));
  return { equal: missing.length === 0 && unexpected.length === 0, missing, unexpected };
}

/** Prepares one result's bindings for comparison: drops generated variables, sorts arrays if asked. */
export function normalizeResultBindings(b: Bindings, options: ComparisonOptions): Bindings {
  const out: Record<string, Json> = {};
  for (const [name, value] of Object.entries(b)) {
    if (name.startsWith("__localq")) continue;
    out[name] = options.sortBindings && Array.isArray(value) ? [...value].sort(compareJson) : value;
  }
  return out;
}

/**
 * Orders JSON values as OPA's `util.Compare` does: null < booleans < numbers < strings <
 * arrays < objects; arrays element by element, then by length; objects by their sorted keys
 * and the values under them, then by size; strings by code point (Go's byte order on UTF-8).
 */
export function compareJson(a: Json, b: Json): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (a === null || b === null) return 0;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = compareJson(a[i] as Json, b[i] as Json);
      if (c !== 0) return c;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  }
  const oa = a as { [key: string]: Json };
  const ob = b as { [key: string]: Json };
  const ka = Object.keys(oa).sort(compareCodePoints);
  const kb = Object.keys(ob).sort(compareCodePoints);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const keyA = ka[i] as string;
    const keyB = kb[i] as string;
    const ck = compareCodePoints(keyA, keyB);
    if (ck !== 0) return ck;
    const cv = compareJson(oa[keyA] as Json, ob[keyB] as Json);
    if (cv !== 0) return cv;
  }
  return ka.length === kb.length ? 0 : ka.length < kb.length ? -1 : 1;
}

/** A deterministic text form of a JSON value (object keys sorted), equal for equal values. */
export function canonicalJson(v: Json): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(v).sort(compareCodePoints);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k] as Json)}`).join(",")}}`;
}

function rank(v: Json): number {
  if (v === null) return 0;
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
      return 2;
    case "string":
      return 3;
    default:
      return Array.isArray(v) ? 4 : 5;
  }
}

/** Compares strings by Unicode code point, which is the byte order of their UTF-8 forms. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(i) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}
