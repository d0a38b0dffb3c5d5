// Builtins, used by `rego.parse_module`: parsed terms, expressions and bodies as the values OPA
// gets when it marshals its AST to JSON with the default options (no locations) and parses the
// JSON back (OPA's v1/ast term and policy MarshalJSON methods): a term is
// `{"type": ..., "value": ...}`, an expression `{"index", "terms", "negated"?, "with"?}`.

import { numberValue } from "../value/number-literal.js";
import type { Body, Expr, ExprKind, Term } from "../syntax/ast.js";
import { isTemplateString, templateStringHoles } from "../syntax/template-string.js";
import { RegoObject, type Value } from "../value/value.js";
import { someSymbols, sortedEntries, sortedUnique } from "./ast-json-order.js";

/** What converting a module's terms needs beyond the terms themselves. */
export interface AstJsonContext {
  /** The module's source as UTF-8 (locations hold byte offsets into it). */
  readonly source: Uint8Array;
  /** A var's name as OPA's parser would have given it (wildcards are renumbered). */
  varName(name: string): string;
}

/** A term as OPA's JSON gives it: `{"type": ..., "value": ...}`. */
export function termJson(t: Term, cx: AstJsonContext): Value {
  switch (t.type) {
    case "null":
      // OPA's Null is an empty Go struct: encoding/json writes it as `{}`.
      return node("null", new RegoObject());
    case "boolean":
      return node("boolean", t.value);
    case "number":
      return node("number", numberValue(t.text));
    case "string":
      return node("string", t.value);
    case "var":
      return node("var", cx.varName(t.name));
    case "ref":
      return node("ref", [termJson(t.head, cx), ...t.path.map((p) => termJson(p, cx))]);
    case "array":
      return node(
        "array",
        t.items.map((i) => termJson(i, cx)),
      );
    case "set":
      // OPA marshals a set's elements in its sort order, an object's keys likewise.
      return node(
        "set",
        sortedUnique(t.items).map((i) => termJson(i, cx)),
      );
    case "object":
      return node(
        "object",
        sortedEntries(t.entries).map(([k, v]) => [termJson(k, cx), termJson(v, cx)]),
      );
    case "arraycomp":
      return node("arraycomprehension", record({ term: termJson(t.term, cx), body: bodyJson(t.body, cx) }));
    case "setcomp":
      return node("setcomprehension", record({ term: termJson(t.term, cx), body: bodyJson(t.body, cx) }));
    case "objectcomp":
      return node(
        "objectcomprehension",
        record({ key: termJson(t.key, cx), value: termJson(t.value, cx), body: bodyJson(t.body, cx) }),
      );
    case "call":
      if (isTemplateString(t)) return templateStringJson(t, cx);
      return node("call", [termJson(t.operator, cx), ...t.args.map((a) => termJson(a, cx))]);
    default: {
      const never: never = t;
      return never;
    }
  }
}

/** A body: its expressions, each with its index. */
export function bodyJson(body: Body, cx: AstJsonContext): Value {
  return body.map((e, i) => exprJson(e, i, cx));
}

/** An expression at `index` of its body; `negated` and `with` only when present (omitempty). */
export function exprJson(e: Expr, index: number, cx: AstJsonContext): Value {
  const out: Record<string, Value> = { index, terms: exprTermsJson(e.kind, cx) };
  if (e.negated) out.negated = true;
  if (e.with.length > 0) {
    out.with = e.with.map((w) => record({ target: termJson(w.target, cx), value: termJson(w.value, cx) }));
  }
  return record(out);
}

/**
 * What OPA's Expr.Terms holds: a term; a call as the list `[operator, args...]`; a SomeDecl
 * (`some x in xs` is the call `internal.member_2(x, xs)` among its symbols); an Every (whose
 * key is null in the one-variable form).
 */
function exprTermsJson(k: ExprKind, cx: AstJsonContext): Value {
  switch (k.type) {
    case "term":
      return termJson(k.term, cx);
    case "callexpr":
      // A template string alone is a term to OPA, not a call.
      if (isTemplateString(k.call)) return termJson(k.call, cx);
      return [termJson(k.call.operator, cx), ...k.call.args.map((a) => termJson(a, cx))];
    case "some":
    case "somein":
      return record({ symbols: someSymbols(k).map((s) => termJson(s, cx)) });
    case "every":
      return record({
        key: k.key === undefined ? null : termJson(k.key, cx),
        value: termJson(k.value, cx),
        domain: termJson(k.domain, cx),
        body: bodyJson(k.body, cx),
      });
    default: {
      const never: never = k;
      return never;
    }
  }
}

/**
 * A template string as OPA's TemplateString: `{"parts": [...], "multi_line": ...}`, text parts
 * as string terms and holes as expressions. Our parser lowers template strings at parse time
 * (OPA's compiler does), so this is rebuilt from the lowered call: a hole holding a bare
 * scalar literal (`{1}`) was folded into the text and comes back as a string term, where OPA
 * has an expression.
 */
function templateStringJson(call: Extract<Term, { type: "call" }>, cx: AstJsonContext): Value {
  const holes = templateStringHoles(call);
  const [items] = call.args;
  const parts: Value[] = [];
  let hole = 0;
  if (items?.type === "array") {
    for (const item of items.items) {
      const expr = item.type === "setcomp" ? holes[hole] : undefined;
      if (expr !== undefined) {
        hole++;
        parts.push(exprJson(expr, 0, cx));
      } else if (!(item.type === "string" && item.value === "" && items.items.length === 1)) {
        parts.push(termJson(item, cx));
      }
    }
  }
  // `$"..."` is one line; the raw form `$\`...\`` may span lines.
  const multiLine = cx.source[call.location.offset + 1] === 0x60;
  return node("templatestring", record({ parts, multi_line: multiLine }));
}

/** `{"type": type, "value": value}`. */
function node(type: string, value: Value): Value {
  return record({ type, value });
}

/** An object with string keys. */
export function record(fields: Readonly<Record<string, Value>>): RegoObject {
  return RegoObject.fromRecord(fields);
}
