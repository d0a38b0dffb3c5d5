// Compile stage: the checks OPA's compiler makes on Rego v1 modules only (and on v0 modules
// with `import rego.v1`): no rule named after a root document, and no call of a builtin that
// OPA's capabilities mark deprecated.

import type { RegoErrorDetail } from "../errors.js";
import type { Body, CallTerm, Expr, Module, Rule, Term } from "../syntax/ast.js";

/** The builtins OPA 1.20's capabilities mark deprecated (`"deprecated": true`). */
export const DEPRECATED_BUILTINS: ReadonlySet<string> = new Set([
  "all",
  "any",
  "cast_array",
  "cast_boolean",
  "cast_null",
  "cast_object",
  "cast_set",
  "cast_string",
  "net.cidr_overlap",
  "re_match",
  "set_diff",
]);

/** Whether a module must follow Rego v1's rules: a v1 module, or v0 with `import rego.v1`. */
export function followsRegoV1(m: Module): boolean {
  if (m.regoVersion === 1) return true;
  return m.imports.some(
    (imp) =>
      imp.path.head.type === "var" &&
      imp.path.head.name === "rego" &&
      imp.path.path.length === 1 &&
      imp.path.path[0]?.type === "string" &&
      imp.path.path[0].value === "v1",
  );
}

/** A rule named `input` or `data` (OPA: "rules must not shadow input"). */
export function checkRootShadowingRule(rule: Rule): RegoErrorDetail | undefined {
  const head = rule.head.ref.head;
  if (head.type !== "var" || rule.head.ref.path.length > 0) return undefined;
  if (head.name !== "input" && head.name !== "data") return undefined;
  return {
    code: "rego_compile_error",
    message: `rules must not shadow ${head.name} (use a different rule name)`,
    location: rule.location,
  };
}

/**
 * Calls of deprecated builtins in a resolved rule (a package function of the same name has been
 * resolved to a `data.` ref by then, so it is not reported).
 */
export function checkDeprecatedCalls(rule: Rule, errors: RegoErrorDetail[]): void {
  const visit = (t: Term): void => visitTerm(t, errors);
  for (const e of rule.body) visitExpr(e, errors);
  for (const t of [rule.head.value, rule.head.key, ...(rule.head.args ?? []), ...rule.head.ref.path]) {
    if (t) visit(t);
  }
  if (rule.elseRule) checkDeprecatedCalls(rule.elseRule, errors);
}

function visitBody(b: Body, errors: RegoErrorDetail[]): void {
  for (const e of b) visitExpr(e, errors);
}

function visitExpr(e: Expr, errors: RegoErrorDetail[]): void {
  const k = e.kind;
  switch (k.type) {
    case "term":
      visitTerm(k.term, errors);
      break;
    case "callexpr":
      report(k.call, errors);
      for (const a of k.call.args) visitTerm(a, errors);
      break;
    case "some":
      break;
    case "somein":
      for (const t of [k.key, k.value, k.domain]) if (t) visitTerm(t, errors);
      break;
    case "every":
      visitTerm(k.domain, errors);
      visitBody(k.body, errors);
      break;
    default: {
      const never: never = k;
      throw new Error(`unexpected expression ${String(never)}`);
    }
  }
  for (const w of e.with) visitTerm(w.value, errors);
}

function visitTerm(t: Term, errors: RegoErrorDetail[]): void {
  switch (t.type) {
    case "call":
      report(t, errors);
      for (const a of t.args) visitTerm(a, errors);
      return;
    case "ref":
      visitTerm(t.head, errors);
      for (const p of t.path) visitTerm(p, errors);
      return;
    case "array":
    case "set":
      for (const i of t.items) visitTerm(i, errors);
      return;
    case "object":
      for (const [a, b] of t.entries) {
        visitTerm(a, errors);
        visitTerm(b, errors);
      }
      return;
    case "arraycomp":
    case "setcomp":
      visitTerm(t.term, errors);
      visitBody(t.body, errors);
      return;
    case "objectcomp":
      visitTerm(t.key, errors);
      visitTerm(t.value, errors);
      visitBody(t.body, errors);
      return;
    case "null":
    case "boolean":
    case "number":
    case "string":
    case "var":
      return;
    default: {
      const never: never = t;
      throw new Error(`unexpected term ${String(never)}`);
    }
  }
}

function report(call: CallTerm, errors: RegoErrorDetail[]): void {
  const op = call.operator;
  if (op.head.type !== "var") return;
  const parts = [op.head.name];
  for (const p of op.path) if (p.type === "string") parts.push(p.value);
  const name = parts.join(".");
  if (parts.length !== op.path.length + 1 || !DEPRECATED_BUILTINS.has(name)) return;
  errors.push({
    code: "rego_type_error",
    message: `deprecated built-in function calls in expression: ${name}`,
    location: call.location,
  });
}
