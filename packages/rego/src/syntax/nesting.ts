// Syntax stage: a bound on how deep a parsed module nests. The parser's own recursion is bounded,
// but some text builds deep trees without recursing (`1 + 1 + ... + 1` is a chain of calls as
// long as the text, a package path or rule head as long as the text is a rule tree as deep);
// every later stage walks these trees recursively, so they are refused here, once, iteratively.

import type { RegoErrorDetail } from "../errors.js";
import type { Body, Expr, Module, Rule, Term } from "./ast.js";
import type { Location } from "./location.js";

/** The deepest a term, body or rule path may nest (OPA's parser stops sooner on most texts). */
export const MAX_NESTING = 1000;

/** A part of the tree still to visit, with its depth. */
type Pending = readonly [node: Term | Expr | Body | Rule, depth: number];

/** Errors for the first place a module nests deeper than MAX_NESTING (none when it does not). */
export function moduleNestingErrors(m: Module): RegoErrorDetail[] {
  if (m.package.path.path.length > MAX_NESTING) return [tooDeep(m.package.location, "package path")];
  return nestingErrors(m.rules.map((r): Pending => [r, 0]));
}

/** Errors for the first place a query nests deeper than MAX_NESTING (none when it does not). */
export function queryNestingErrors(body: Body): RegoErrorDetail[] {
  return nestingErrors([[body, 0]]);
}

function nestingErrors(start: Pending[]): RegoErrorDetail[] {
  const pending = start;
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [node, depth] = item;
    if (depth > MAX_NESTING) {
      const location = Array.isArray(node)
        ? (node[0] as Expr | undefined)?.location
        : (node as Term).location;
      return [tooDeep(location, "expression")];
    }
    const d = depth + 1;
    const push = (n: Term | Expr | Body | Rule | undefined): void => {
      if (n !== undefined) pending.push([n, d]);
    };
    if (Array.isArray(node)) {
      for (const e of node as Body) push(e);
      continue;
    }
    const n = node as Term | Expr | Rule;
    if ("kind" in n) {
      const k = n.kind;
      switch (k.type) {
        case "term":
          push(k.term);
          break;
        case "callexpr":
          push(k.call);
          break;
        case "some":
          break;
        case "somein":
          push(k.key);
          push(k.value);
          push(k.domain);
          break;
        case "every":
          push(k.domain);
          push(k.body);
          break;
        default: {
          const never: never = k;
          return never;
        }
      }
      for (const w of n.with) {
        push(w.target);
        push(w.value);
      }
      continue;
    }
    switch (n.type) {
      case "rule":
        if (n.head.ref.path.length > MAX_NESTING) return [tooDeep(n.head.location, "rule head")];
        push(n.head.ref);
        for (const a of n.head.args ?? []) push(a);
        push(n.head.key);
        push(n.head.value);
        push(n.body);
        // An else chain is as deep as it is long for the stages after this one.
        if (n.elseRule) pending.push([n.elseRule, d]);
        break;
      case "ref":
        push(n.head);
        for (const p of n.path) push(p);
        break;
      case "array":
      case "set":
        for (const i of n.items) push(i);
        break;
      case "object":
        for (const [key, value] of n.entries) {
          push(key);
          push(value);
        }
        break;
      case "arraycomp":
      case "setcomp":
        push(n.term);
        push(n.body);
        break;
      case "objectcomp":
        push(n.key);
        push(n.value);
        push(n.body);
        break;
      case "call":
        push(n.operator);
        for (const a of n.args) push(a);
        break;
      case "null":
      case "boolean":
      case "number":
      case "string":
      case "var":
        break;
      default: {
        const never: never = n;
        return never;
      }
    }
  }
  return [];
}

function tooDeep(location: Location | undefined, what: string): RegoErrorDetail {
  const message = `${what} nested too deeply (more than ${MAX_NESTING} levels)`;
  return location ? { code: "rego_parse_error", message, location } : { code: "rego_parse_error", message };
}
