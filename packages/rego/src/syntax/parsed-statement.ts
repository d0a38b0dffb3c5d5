// Syntax stage, between the statement parser and the module builder: statements as parsed,
// with the facts the Rego v1 checks need (which keywords a rule used, what was filled in).

import type { Annotations, Body, Import, Package, RefTerm, Rule, Term } from "./ast.js";
import type { Location } from "./location.js";

/** A rule head while parsing, with the flags the v1 checks read. */
export interface ParsedHead {
  readonly ref: RefTerm;
  readonly args: readonly Term[] | undefined;
  readonly key: Term | undefined;
  readonly value: Term | undefined;
  readonly assign: boolean;
  readonly location: Location;
  /** The value `true` was filled in by the parser. */
  readonly generatedValue: boolean;
  /** The rule was written with `if`. */
  readonly usedIf: boolean;
  /** The rule was written with `contains`. */
  readonly usedContains: boolean;
}

/** A rule while parsing. */
export interface ParsedRule {
  readonly head: ParsedHead;
  readonly body: Body;
  readonly elseRule: ParsedRule | undefined;
  readonly isDefault: boolean;
  readonly location: Location;
  /** The body `true` was filled in by the parser (constants, `contains` without body). */
  readonly generatedBody: boolean;
}

/** One top-level statement of a module or query. */
export type Statement =
  | { readonly type: "package"; readonly pkg: Package }
  | { readonly type: "import"; readonly imp: Import }
  | { readonly type: "rules"; readonly rules: readonly ParsedRule[] }
  | { readonly type: "body"; readonly body: Body; readonly location: Location };

/** Turns a parsed rule (and its `else` chain) into the AST rule, with the annotations that apply to it. */
export function toRule(r: ParsedRule, annotations: readonly Annotations[] = []): Rule {
  const h = r.head;
  return {
    type: "rule",
    head: {
      ref: h.ref,
      args: h.args,
      key: h.key,
      value: h.value,
      assign: h.assign,
      location: h.location,
    },
    body: r.body,
    elseRule: r.elseRule ? toRule(r.elseRule) : undefined,
    isDefault: r.isDefault,
    annotations,
    location: r.location,
  };
}
