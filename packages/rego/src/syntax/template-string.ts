// Syntax stage, used by the statement parser: lowers a template string (`$"hi {input.name}!"`)
// into the call OPA's compiler makes of it (`rewriteTemplateString`), so that later stages see
// ordinary Rego: `internal.template_string(["hi ", {x | input.name = x}, "!"])`. Literal text
// stays a string; a hole holding a scalar literal stays that literal (a number becomes its
// source text, which is what OPA prints for it); every other hole becomes
// a set comprehension capturing the values of its expression, so that an undefined hole is an
// empty set (rendered `<undefined>`) instead of making the whole string undefined.

import type { CallTerm, Expr, RefTerm, Term, VarTerm } from "./ast.js";
import type { Location } from "./location.js";

/** OPA's parse error for a template string where its capabilities lack them (Rego v0). */
export const TEMPLATE_STRINGS_UNSUPPORTED = "template strings are not supported by current capabilities";

/** The non-literal holes of each lowered template string, in source order (for OPA's checks). */
const loweredHoles = new WeakMap<CallTerm, readonly Expr[]>();

/** Whether a term is a template string lowered by the parser (OPA names it `templatestring`). */
export function isTemplateString(t: Term): boolean {
  return t.type === "call" && loweredHoles.has(t);
}

/** The non-literal holes of a lowered template string (empty for any other call). */
export function templateStringHoles(call: CallTerm): readonly Expr[] {
  return loweredHoles.get(call) ?? [];
}

/** A hole's expression, checked: the term whose values it interpolates, and its source. */
export interface TemplateHole {
  /** The expression as written (kept for OPA's checks on default values). */
  readonly expr: Expr;
  /** The term evaluated: the expression's term, or its call. */
  readonly value: Term;
}

/** One piece of a template string as parsed: literal text, or a checked hole. */
export type TemplatePiece =
  | { readonly type: "text"; readonly value: string; readonly location: Location }
  | { readonly type: "hole"; readonly hole: TemplateHole; readonly capture: VarTerm };

/** A hole's expression checked as OPA's parser does: the hole, or OPA's message refusing it. */
export type TemplateHoleCheck =
  | { readonly ok: true; readonly hole: TemplateHole }
  | { readonly ok: false; readonly message: string };

/** Checks a hole's expression: OPA refuses negation, `=`, `:=`, `every` and `some` there. */
export function checkTemplateHole(e: Expr): TemplateHoleCheck {
  if (e.negated) return refuse("unexpected negation ('not') in template-string expression");
  const k = e.kind;
  switch (k.type) {
    case "term":
      return { ok: true, hole: { expr: e, value: k.term } };
    case "callexpr": {
      const op = bareOperator(k.call);
      if (op === "eq" && k.call.args.length === 2) {
        return refuse("unexpected unification ('=') in template-string expression");
      }
      if (op === "assign" && k.call.args.length === 2) {
        return refuse("unexpected assignment (':=') in template-string expression");
      }
      return { ok: true, hole: { expr: e, value: k.call } };
    }
    case "every":
      return refuse("unexpected 'every' in template-string expression");
    case "some":
    case "somein":
      return refuse("unexpected 'some' in template-string expression");
    default: {
      const never: never = k;
      return never;
    }
  }
}

/**
 * OPA's compile-time refusal of a hole that calls a relation (a builtin that may give several
 * results for one input, which is only `walk`); undefined otherwise.
 */
export function templateHoleRelation(hole: TemplateHole): string | undefined {
  if (hole.expr.kind.type !== "callexpr" || bareOperator(hole.expr.kind.call) !== "walk") return undefined;
  return "illegal call to relation built-in 'walk' that may cause multiple outputs";
}

/** Builds the call a template string stands for, from its pieces in source order. */
export function lowerTemplateString(pieces: readonly TemplatePiece[], location: Location): CallTerm {
  const items: Term[] = [];
  const holes: Expr[] = [];
  for (const p of pieces) {
    if (p.type === "text") {
      // Like OPA, empty text between holes is left out.
      if (p.value !== "") items.push({ type: "string", value: p.value, location: p.location });
      continue;
    }
    const literal = literalHole(p.hole);
    if (literal !== undefined) {
      items.push(literal);
      continue;
    }
    holes.push(p.hole.expr);
    items.push(captureHole(p.hole, p.capture));
  }
  if (items.length === 0) items.push({ type: "string", value: "", location });
  const operator: RefTerm = {
    type: "ref",
    head: { type: "var", name: "internal", location },
    path: [{ type: "string", value: "template_string", location }],
    location,
  };
  const call: CallTerm = {
    type: "call",
    operator,
    args: [{ type: "array", items, location }],
    location,
  };
  loweredHoles.set(call, holes);
  return call;
}

/**
 * A hole that is a bare scalar literal, as the part OPA keeps for it (its `with` modifiers are
 * dropped, as in OPA). A number keeps its source text, which is what OPA prints for it.
 */
function literalHole(hole: TemplateHole): Term | undefined {
  if (hole.expr.kind.type !== "term") return undefined;
  const t = hole.value;
  switch (t.type) {
    case "null":
    case "boolean":
    case "string":
      return t;
    case "number":
      return { type: "string", value: t.text, location: t.location };
    default:
      return undefined;
  }
}

/**
 * `{c | <hole> = c}`, keeping the hole's `with` modifiers on the capturing expression. (OPA
 * writes `c = <hole>`; unification is symmetric, and with the hole first an unsafe hole is
 * reported by its own variables before the generated `c`.)
 */
function captureHole(hole: TemplateHole, capture: VarTerm): Term {
  const location = hole.expr.location;
  const eq: CallTerm = {
    type: "call",
    operator: { type: "ref", head: { type: "var", name: "eq", location }, path: [], location },
    args: [hole.value, capture],
    location,
  };
  const body: Expr = { kind: { type: "callexpr", call: eq }, negated: false, with: hole.expr.with, location };
  return { type: "setcomp", term: capture, body: [body], location };
}

function refuse(message: string): TemplateHoleCheck {
  return { ok: false, message };
}

/** The name of a call's operator when it is a bare name (`eq`, `walk`), else undefined. */
function bareOperator(call: CallTerm): string | undefined {
  const op = call.operator;
  return op.head.type === "var" && op.path.length === 0 ? op.head.name : undefined;
}
