// Compile stage: OPA's type checker refuses a unification of literals whose shapes can never
// match (`[1, 2] = [1, 2, 3]`, `{"a": 1} = {"b": 1}`, `some [a] in [[1, 2]]`) as
// `rego_type_error: match error`, where the engine would only find the expression undefined.
// It runs after safety: a variable only such a unification could bind (`[x, y] = [1, 2, 3]`)
// is reported unsafe first, and then this check is not reached (stage-errors.ts).

import type { RegoErrorDetail } from "../errors.js";
import type { Term } from "../syntax/ast.js";
import type { Location } from "../syntax/location.js";

/** The match error of `a = b` (or `a := b`), when their literal shapes cannot match. */
export function checkUnification(a: Term, b: Term, location: Location): RegoErrorDetail | undefined {
  if (!mismatch(a, b)) return undefined;
  return matchError(a, b, location);
}

/** The match error of `some pattern in domain`, when no element of a literal domain fits the pattern. */
export function checkMembership(
  pattern: Term,
  domain: Term,
  location: Location,
): RegoErrorDetail | undefined {
  let elements: readonly Term[];
  if (domain.type === "array" || domain.type === "set") elements = domain.items;
  else if (domain.type === "object") elements = domain.entries.map(([, v]) => v);
  else return undefined;
  if (elements.length === 0 || !elements.every((e) => mismatch(pattern, e))) return undefined;
  return matchError(pattern, elements[0] as Term, location);
}

function matchError(a: Term, b: Term, location: Location): RegoErrorDetail {
  return {
    code: "rego_type_error",
    message: `match error\n\tleft  : ${typeOf(a)}\n\tright : ${typeOf(b)}`,
    location,
  };
}

/** Whether two terms can never unify, judged from literals only (anything else may match). */
function mismatch(a: Term, b: Term): boolean {
  const ta = scalarType(a);
  const tb = scalarType(b);
  if (ta !== undefined && tb !== undefined) return ta !== tb;
  if (a.type === "array" && b.type === "array") {
    if (a.items.length !== b.items.length) return true;
    return a.items.some((x, i) => mismatch(x, b.items[i] as Term));
  }
  if (a.type === "object" && b.type === "object") {
    const ka = groundKeys(a.entries);
    const kb = groundKeys(b.entries);
    if (ka === undefined || kb === undefined) return false;
    if (ka.size !== kb.size) return true;
    for (const [k, v] of ka) {
      const w = kb.get(k);
      if (w === undefined || mismatch(v, w)) return true;
    }
    return false;
  }
  const ka = shapeType(a);
  const kb = shapeType(b);
  return ka !== undefined && kb !== undefined && ka !== kb;
}

/** The entries of an object literal by key text, when every key is a scalar literal. */
function groundKeys(entries: readonly (readonly [Term, Term])[]): Map<string, Term> | undefined {
  const out = new Map<string, Term>();
  for (const [k, v] of entries) {
    const t = scalarType(k);
    if (t === undefined) return undefined;
    out.set(`${t}:${scalarText(k)}`, v);
  }
  return out;
}

function scalarType(t: Term): string | undefined {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return t.type;
    default:
      return undefined;
  }
}

function scalarText(t: Term): string {
  switch (t.type) {
    case "boolean":
      return String(t.value);
    case "number":
      return t.text;
    case "string":
      return t.value;
    default:
      return "";
  }
}

/** The kind of a literal (scalar or collection), undefined when not known before evaluation. */
function shapeType(t: Term): string | undefined {
  switch (t.type) {
    case "array":
    case "arraycomp":
      return "array";
    case "set":
    case "setcomp":
      return "set";
    case "object":
    case "objectcomp":
      return "object";
    default:
      return scalarType(t);
  }
}

/** A literal's type as OPA writes types (`array<number, number>`), `any` where unknown. */
function typeOf(t: Term): string {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return t.type;
    case "array":
      return t.items.length === 0 ? "array[any]" : `array<${t.items.map(typeOf).join(", ")}>`;
    case "object":
      return `object<${t.entries.map(([k, v]) => `${keyText(k)}: ${typeOf(v)}`).join(", ")}>`;
    case "set":
      return "set[any]";
    default:
      return "any";
  }
}

function keyText(k: Term): string {
  return k.type === "string" ? k.value : scalarText(k) || "any";
}
