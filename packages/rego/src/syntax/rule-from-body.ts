// Syntax stage, used by the module builder: a body written at the top level of a module
// (`p = 1`, `p[x]`, `a.b.c`, `f(1) = 2`) is a rule without a body; this turns it into that
// rule, with OPA's messages when it cannot be one (as OPA's ParseRuleFromBody does).

import type { Body, CallTerm, Expr, RefTerm, Term } from "./ast.js";
import type { Location } from "./location.js";
import type { ParsedHead, ParsedRule } from "./parsed-statement.js";
import { isTemplateString } from "./template-string.js";
import { refToString, valueName } from "./term-facts.js";

/** The outcome of reading a top-level body as a rule: the rule, or OPA's reason it is not one. */
export type RuleFromBody =
  | { readonly ok: true; readonly rule: ParsedRule }
  | { readonly ok: false; readonly message: string };

// The infix operators are builtins: a top-level `x + 1` must not define a function `plus`.
const OPERATOR_BUILTINS: ReadonlySet<string> = new Set([
  "eq",
  "assign",
  "equal",
  "neq",
  "lt",
  "lte",
  "gt",
  "gte",
  "plus",
  "minus",
  "mul",
  "div",
  "rem",
  "and",
  "or",
  "internal.member_2",
  "internal.member_3",
]);

/** Reads a top-level body as a rule with a generated body (OPA: ParseRuleFromBody). */
export function ruleFromBody(body: Body): RuleFromBody {
  const [expr] = body;
  if (expr === undefined || body.length !== 1)
    return fail("multiple expressions cannot be used for rule head");
  return ruleFromExpr(expr);
}

function ruleFromExpr(expr: Expr): RuleFromBody {
  if (expr.with.length > 0) return fail("expressions using with keyword cannot be used for rule head");
  if (expr.negated) return fail("negated expressions cannot be used for rule head");
  const kind = expr.kind;
  switch (kind.type) {
    case "some":
    case "somein":
      return fail("'some' declarations cannot be used for rule head");
    case "every":
      return fail("expression cannot be used for rule head");
    case "term": {
      const term = kind.term;
      if (term.type !== "ref") return fail(`${valueName(term)} cannot be used for rule name`);
      if (term.path.length > 1) return completeRuleWithDots(term);
      return partialSetRule(term);
    }
    case "callexpr":
      return ruleFromCall(expr, kind.call);
  }
}

function ruleFromCall(expr: Expr, call: CallTerm): RuleFromBody {
  // A template string is a call only once lowered; to OPA it is a term of its own.
  if (isTemplateString(call)) return fail("templatestring cannot be used for rule name");
  const name = refToString(call.operator);
  if ((name === "eq" || name === "assign") && call.args.length === 2) {
    const [lhs, rhs] = call.args as [Term, Term];
    return completeRuleFromEq(lhs, rhs, name === "assign", expr.location);
  }
  if (OPERATOR_BUILTINS.has(name)) return fail("rule name conflicts with built-in function");
  if (call.args.length === 0) return fail("rule argument list must take at least one argument");
  if (call.operator.head.type !== "var") return fail(`invalid rule head: ${refToString(call.operator)}`);
  const loc = call.location;
  const value: Term = { type: "boolean", value: true, location: loc };
  return ok(head(call.operator, call.args, undefined, value, false, loc, false), loc);
}

/** `lhs = rhs` / `lhs := rhs`: a function, a ref-head (partial object) or a complete rule. */
function completeRuleFromEq(lhs: Term, rhs: Term, assign: boolean, location: Location): RuleFromBody {
  if (lhs.type === "call" && !isTemplateString(lhs)) {
    if (lhs.operator.head.type !== "var") {
      return fail(`${valueName(lhs.operator.head)}s cannot be used in function signature`);
    }
    // A rule is a function only when it has arguments: `f() := 1` is the rule `f` (as in OPA).
    const args = lhs.args.length > 0 ? lhs.args : undefined;
    return ok(head(lhs.operator, args, undefined, rhs, assign, location, false), location);
  }
  if (lhs.type === "var") {
    const ref: RefTerm = { type: "ref", head: lhs, path: [], location: lhs.location };
    return ok(head(ref, undefined, undefined, rhs, assign, location, false), location);
  }
  if (lhs.type === "ref") {
    if (lhs.head.type !== "var") return fail(`invalid rule head: ${refToString(lhs)}`);
    return ok(head(lhs, undefined, undefined, rhs, assign, location, false), location);
  }
  return fail(`${valueName(lhs)} cannot be used for rule name`);
}

/** `a.b.c` alone: a complete rule with value `true`. */
function completeRuleWithDots(term: RefTerm): RuleFromBody {
  if (term.head.type !== "var") return fail(`invalid rule head: ${refToString(term)}`);
  const value: Term = { type: "boolean", value: true, location: term.location };
  return ok(head(term, undefined, undefined, value, false, term.location, true), term.location);
}

/** `p[x]` or `p.q` alone: a partial set with one element. */
function partialSetRule(term: RefTerm): RuleFromBody {
  const key = term.path[0];
  if (key === undefined) return fail(`${valueName(term)}s cannot be used for rule head`);
  if (term.head.type !== "var") return fail(`invalid rule head: ${refToString(term)}`);
  const ref: RefTerm = { type: "ref", head: term.head, path: [], location: term.head.location };
  return ok(head(ref, undefined, key, undefined, false, term.location, false), term.location);
}

function head(
  ref: RefTerm,
  args: readonly Term[] | undefined,
  key: Term | undefined,
  value: Term | undefined,
  assign: boolean,
  location: Location,
  generatedValue: boolean,
): ParsedHead {
  return { ref, args, key, value, assign, location, generatedValue, usedIf: false, usedContains: false };
}

function ok(h: ParsedHead, location: Location): RuleFromBody {
  const body: Body = [
    {
      kind: { type: "term", term: { type: "boolean", value: true, location } },
      negated: false,
      with: [],
      location,
    },
  ];
  return {
    ok: true,
    rule: { head: h, body, elseRule: undefined, isDefault: false, location, generatedBody: true },
  };
}

function fail(message: string): RuleFromBody {
  return { ok: false, message };
}
