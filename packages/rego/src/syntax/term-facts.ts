// Syntax stage, used by the parser and its checks: small facts about terms (kind names as
// OPA spells them in messages, groundness, a compact printed form).

import type { RefTerm, Term } from "./ast.js";
import { isTemplateString } from "./template-string.js";

/** OPA's name for a term's kind, as used in error messages ("var", "ref", "number", ...). */
export function valueName(t: Term): string {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
    case "var":
    case "ref":
    case "array":
    case "object":
    case "set":
      return t.type;
    case "call":
      return isTemplateString(t) ? "templatestring" : "call";
    case "arraycomp":
      return "arraycomprehension";
    case "setcomp":
      return "setcomprehension";
    case "objectcomp":
      return "objectcomprehension";
  }
}

/** Whether a term holds no variables (as OPA's IsGround: a ref's head is not looked at). */
export function isGround(t: Term): boolean {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
      return true;
    case "var":
    case "arraycomp":
    case "setcomp":
    case "objectcomp":
      return false;
    case "ref":
      return t.path.every(isGround);
    case "array":
    case "set":
      return t.items.every(isGround);
    case "object":
      return t.entries.every(([k, v]) => isGround(k) && isGround(v));
    case "call":
      return isGround(t.operator) && t.args.every(isGround);
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A compact Rego rendering of a term, for error messages (`data.a.b`, `p[x]`, `f(1)`). */
export function termToString(t: Term): string {
  switch (t.type) {
    case "null":
      return "null";
    case "boolean":
      return String(t.value);
    case "number":
      return t.text;
    case "string":
      return JSON.stringify(t.value);
    case "var":
      return t.name;
    case "ref":
      return refToString(t);
    case "array":
      return `[${t.items.map(termToString).join(", ")}]`;
    case "set":
      return t.items.length === 0 ? "set()" : `{${t.items.map(termToString).join(", ")}}`;
    case "object":
      return `{${t.entries.map(([k, v]) => `${termToString(k)}: ${termToString(v)}`).join(", ")}}`;
    case "arraycomp":
      return `[${termToString(t.term)} | ...]`;
    case "setcomp":
      return `{${termToString(t.term)} | ...}`;
    case "objectcomp":
      return `{${termToString(t.key)}: ${termToString(t.value)} | ...}`;
    case "call":
      return `${refToString(t.operator)}(${t.args.map(termToString).join(", ")})`;
  }
}

/** A ref rendered as Rego: `.name` for identifier-like strings, `[term]` otherwise. */
export function refToString(r: RefTerm): string {
  let out = termToString(r.head);
  for (const p of r.path) {
    out += p.type === "string" && IDENT.test(p.value) ? `.${p.value}` : `[${termToString(p)}]`;
  }
  return out;
}
