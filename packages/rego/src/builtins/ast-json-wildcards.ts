// Builtins, used by `rego.parse_module`: OPA's numbering of wildcards. Both parsers rename each
// `_` to `$0`, `$1`, ... in parse order, but ours also draws the capture variable of every
// template-string hole from that counter (OPA's compiler, not its parser, rewrites template
// strings), so wildcards are renumbered here as OPA's parser numbers them.

import type { Body, Expr, Term } from "../syntax/ast.js";
import type { ParsedRule, Statement } from "../syntax/parsed-statement.js";
import { isTemplateString } from "../syntax/template-string.js";

const WILDCARD = /^\$(\d+)$/;

/** Maps our wildcard names to OPA's; any other name is returned as is. */
export function wildcardRenamer(statements: readonly Statement[]): (name: string) => string {
  // OPA's surviving wildcards are numbered densely in parse order (a backtracking parse gives
  // its numbers back); ours are too once the template-string captures are left out, also those
  // of holes folded into text, which left no trace.
  const captures = new Set<number>();
  const seen = new Set<number>();
  const visit = (t: Term): void => {
    if (t.type === "var") {
      const n = wildcardNumber(t.name);
      if (n !== undefined) seen.add(n);
      return;
    }
    if (isTemplateString(t) && t.type === "call") {
      const [items] = t.args;
      if (items?.type === "array") {
        for (const i of items.items) {
          const n = i.type === "setcomp" && i.term.type === "var" ? wildcardNumber(i.term.name) : undefined;
          if (n !== undefined) captures.add(n);
        }
      }
    }
    eachChild(t, visit);
  };
  for (const s of statements) eachStatementTerm(s, visit);
  const ours = [...seen].filter((n) => !captures.has(n)).sort((a, b) => a - b);
  if (ours.every((n, i) => n === i)) return (name) => name;
  const opa = new Map(ours.map((n, i) => [n, i] as const));
  return (name) => {
    const n = wildcardNumber(name);
    const renamed = n === undefined ? undefined : opa.get(n);
    return renamed === undefined ? name : `$${renamed}`;
  };
}

function wildcardNumber(name: string): number | undefined {
  const m = WILDCARD.exec(name);
  return m ? Number(m[1]) : undefined;
}

function eachStatementTerm(s: Statement, f: (t: Term) => void): void {
  switch (s.type) {
    case "package":
      f(s.pkg.path);
      return;
    case "import":
      f(s.imp.path);
      return;
    case "rules":
      for (const r of s.rules) eachRuleTerm(r, f);
      return;
    case "body":
      eachBodyTerm(s.body, f);
      return;
    default: {
      const never: never = s;
      throw new Error(`unknown statement ${JSON.stringify(never)}`);
    }
  }
}

function eachRuleTerm(r: ParsedRule, f: (t: Term) => void): void {
  const h = r.head;
  f(h.ref);
  for (const a of h.args ?? []) f(a);
  if (h.key !== undefined) f(h.key);
  if (h.value !== undefined) f(h.value);
  eachBodyTerm(r.body, f);
  if (r.elseRule !== undefined) eachRuleTerm(r.elseRule, f);
}

function eachBodyTerm(body: Body, f: (t: Term) => void): void {
  for (const e of body) eachExprTerm(e, f);
}

function eachExprTerm(e: Expr, f: (t: Term) => void): void {
  const k = e.kind;
  switch (k.type) {
    case "term":
      f(k.term);
      break;
    case "callexpr":
      f(k.call);
      break;
    case "some":
      for (const v of k.vars) f(v);
      break;
    case "somein":
      if (k.key !== undefined) f(k.key);
      f(k.value);
      f(k.domain);
      break;
    case "every":
      if (k.key !== undefined) f(k.key);
      f(k.value);
      f(k.domain);
      eachBodyTerm(k.body, f);
      break;
    default: {
      const never: never = k;
      throw new Error(`unknown expression ${JSON.stringify(never)}`);
    }
  }
  for (const w of e.with) {
    f(w.target);
    f(w.value);
  }
}

function eachChild(t: Term, f: (t: Term) => void): void {
  switch (t.type) {
    case "null":
    case "boolean":
    case "number":
    case "string":
    case "var":
      return;
    case "ref":
      f(t.head);
      for (const p of t.path) f(p);
      return;
    case "array":
    case "set":
      for (const i of t.items) f(i);
      return;
    case "object":
      for (const [k, v] of t.entries) {
        f(k);
        f(v);
      }
      return;
    case "arraycomp":
    case "setcomp":
      f(t.term);
      eachBodyTerm(t.body, f);
      return;
    case "objectcomp":
      f(t.key);
      f(t.value);
      eachBodyTerm(t.body, f);
      return;
    case "call":
      f(t.operator);
      for (const a of t.args) f(a);
      return;
    default: {
      const never: never = t;
      throw new Error(`unknown term ${JSON.stringify(never)}`);
    }
  }
}
