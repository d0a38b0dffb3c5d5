// Builtins, used by `rego.parse_module`: a rule head as OPA's parser leaves it, in OPA's JSON
// (Head.MarshalJSON in v1/ast/policy.go: `ref` always; `name`, `key`, `value`, `args`,
// `assign` only when set). Our parser normalises every head to ref/key/value; OPA's `name`
// and `key` depend on how the rule was written, which is rebuilt here from the parse flags,
// following OPA's parseHead and parseRules (v1/ast/parser.go) for rules with a body, `contains`
// or `default`, and ParseRuleFromExpr (v1/ast/parser_ext.go) for constants (`p := 1`), which
// OPA's parser reads as a body first.

import type { Term } from "../syntax/ast.js";
import type { ParsedHead, ParsedRule } from "../syntax/parsed-statement.js";
import { isGround } from "../syntax/term-facts.js";
import type { Value } from "../value/value.js";
import { type AstJsonContext, record, termJson } from "./ast-json-terms.js";

/** The fields of OPA's Head that its JSON holds. */
export interface HeadFields {
  /** OPA's Head.Name (`""` when OPA leaves it unset). */
  readonly name: string;
  readonly ref: readonly Term[];
  readonly key: Term | undefined;
  readonly value: Term | undefined;
  readonly args: readonly Term[];
  readonly assign: boolean;
}

/** How a rule reached OPA's parser: as a rule statement, or as a body turned into a rule. */
export type RuleSyntax = "rule" | "constant";

/** The head of a parsed rule (not an `else` branch) as OPA's parser leaves it. */
export function headFields(rule: ParsedRule, syntax: RuleSyntax): HeadFields {
  switch (syntax) {
    case "rule":
      return ruleHead(rule);
    case "constant":
      return constantHead(rule.head);
    default: {
      const never: never = syntax;
      return never;
    }
  }
}

/**
 * An `else` branch's head: OPA copies the head of the rule it belongs to (after parseRules
 * changed it) and sets only its own value, `assign` flag and (renamed wildcard) arguments.
 */
export function elseHeadFields(main: HeadFields, branch: ParsedHead): HeadFields {
  return { ...main, value: branch.value, assign: branch.assign, args: branch.args ?? [] };
}

/** A head's JSON: empty fields are left out, as OPA's `omitempty` tags do. */
export function headJson(h: HeadFields, cx: AstJsonContext): Value {
  const out: Record<string, Value> = { ref: h.ref.map((t) => termJson(t, cx)) };
  if (h.name !== "") out.name = h.name;
  if (h.key !== undefined) out.key = termJson(h.key, cx);
  if (h.value !== undefined) out.value = termJson(h.value, cx);
  if (h.args.length > 0) out.args = h.args.map((t) => termJson(t, cx));
  if (h.assign) out.assign = true;
  return record(out);
}

/** parseHead, then the changes parseRules makes to heads of rules written with `if`. */
function ruleHead(rule: ParsedRule): HeadFields {
  const h = rule.head;
  const base = parsedHead(h);
  // `default` rules and `contains` rules keep parseHead's result.
  if (rule.isDefault || h.usedContains || !h.usedIf || h.ref.path.length !== 1) return base;
  // `p[x] if ...` is a single-value rule `p[x]`: a key when the last part is not ground (or
  // is a ref), and the name of the ref's head when a value was written (or it is a function).
  const last = h.ref.path[0] as Term;
  const args = h.args ?? [];
  const key = (!isGround(last) || last.type === "ref") && args.length === 0 ? last : base.key;
  const named = !h.generatedValue || args.length > 0;
  return { ...base, key, name: named ? headVarName(h) : base.name };
}

/**
 * parseHead: a bare name (or a function on a bare name) is OPA's VarHead and keeps its name;
 * any longer ref is a RefHead, which has none.
 */
function parsedHead(h: ParsedHead): HeadFields {
  return {
    name: h.ref.path.length === 0 ? headVarName(h) : "",
    ref: [h.ref.head, ...h.ref.path],
    key: h.key,
    value: h.value,
    args: h.args ?? [],
    assign: h.assign,
  };
}

/**
 * ParseRuleFromExpr: `p[x]` / `p.q` alone is a partial set of `p` with that key; `p.q = v`
 * (a ref of two parts) names `p` and keys `q` while keeping the whole ref; a bare name or a
 * function on one keeps its name; anything longer (`a.b.c`, `a.b.c := 1`) has no name.
 */
function constantHead(h: ParsedHead): HeadFields {
  const base = parsedHead(h);
  if (h.key !== undefined) return { ...base, name: headVarName(h) };
  if (h.args !== undefined || h.ref.path.length !== 1 || h.generatedValue) return base;
  return { ...base, name: headVarName(h), key: h.ref.path[0] };
}

function headVarName(h: ParsedHead): string {
  return h.ref.head.type === "var" ? h.ref.head.name : "";
}
