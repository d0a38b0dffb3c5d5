// Compile stage: the type checks OPA makes before evaluation, for builtin calls whose arguments
// are literals (`count(1)`, `startswith(1, "a")`) or rules and functions whose every value is
// such a literal (`p + 0` after `default p := "x"`): such a call can never succeed, so it is
// refused as `rego_type_error` with the types it has and wants.

import type { BuiltinDecl, TypeSpec } from "../builtins/builtin.js";
import type { RefTerm, Term } from "../syntax/ast.js";
import type { CompiledRule, RuleNode } from "./rule-tree.js";

/** The kind of a value, as the checker tells it from a literal (OPA's types without their parts). */
type ValueKind = "null" | "boolean" | "number" | "string" | "array" | "set" | "object";

/** The order in which OPA writes the members of a union (`any<null, boolean, string>`). */
const KIND_ORDER: readonly ValueKind[] = ["null", "boolean", "number", "string", "array", "object", "set"];

/** A literal's kind, or undefined when the term is not a literal. */
function literalType(t: Term): ValueKind | undefined {
  switch (t.type) {
    case "null":
      return "null";
    case "boolean":
      return "boolean";
    case "number":
      return "number";
    case "string":
      return "string";
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
      return undefined;
  }
}

/** What the checker knows of terms' types. */
export interface TermTypes {
  /** The kinds of value a term may have, or undefined when they are not known before evaluation. */
  termKinds(t: Term): readonly ValueKind[] | undefined;
}

/**
 * Literals' types only. OPA leaves a rule untyped in an expression whose `with` replaces a
 * document the rule depends on (`p + 1 with data.a.x as 2`, p reading data.a.x); not following
 * dependencies, the checker types no rule under any `with` on `data`.
 */
export const literalTypes: TermTypes = {
  termKinds: (t) => {
    const literal = literalType(t);
    return literal === undefined ? undefined : [literal];
  },
};

/**
 * The kinds of value the rules and functions of a tree can take, as OPA's type checker infers
 * them: a complete rule's type is the union of the types of all its values (every definition,
 * its `else` branches and its `default`), a function's result likewise. Known here when each of
 * those values is a literal or a ref to a rule so known; otherwise unknown, and nothing is
 * refused on it. Learnt node by node in dependency order, as OPA checks rules.
 */
export class RuleTypes implements TermTypes {
  private readonly kinds = new Map<RuleNode, readonly ValueKind[]>();

  constructor(private readonly root: RuleNode) {}

  /**
   * Works out the type of the rule or function at a node, once the nodes its values refer to are
   * learnt. The compiler skips a node whose definitions have errors: OPA types it as any.
   */
  learn(node: RuleNode): void {
    if (node.kind !== "complete" && node.kind !== "function") return;
    const found = new Set<ValueKind>();
    const definitions = node.defaultRule ? [...node.rules, node.defaultRule] : node.rules;
    for (const definition of definitions) {
      for (let r: CompiledRule | undefined = definition; r; r = r.elseRule) {
        const kinds = this.termKinds(r.value);
        if (!kinds) return;
        for (const k of kinds) found.add(k);
      }
    }
    if (found.size > 0) this.kinds.set(node, KIND_ORDER.filter((k) => found.has(k)));
  }

  /** The kinds of value a term may have: a literal's, or a rule's (a function's result) it refers to. */
  termKinds(t: Term): readonly ValueKind[] | undefined {
    const literal = literalTypes.termKinds(t);
    if (literal !== undefined) return literal;
    if (t.type === "ref") return this.ruleKinds(t, "complete");
    if (t.type === "call") return this.ruleKinds(t.operator, "function");
    return undefined;
  }

  private ruleKinds(ref: RefTerm, kind: "complete" | "function"): readonly ValueKind[] | undefined {
    if (ref.head.type !== "var" || ref.head.name !== "data") return undefined;
    let node: RuleNode | undefined = this.root;
    for (const p of ref.path) {
      if (p.type !== "string") return undefined;
      node = node.children.get(p.value);
      if (!node) return undefined;
    }
    return node.kind === kind ? this.kinds.get(node) : undefined;
  }
}

function accepts(spec: TypeSpec, type: ValueKind): boolean {
  if (spec.type === "any") return !spec.of || spec.of.length === 0 || spec.of.some((s) => accepts(s, type));
  return spec.type === type;
}

/** OPA's way of writing a type in messages (`any<array[any], set[any]>`, `string`). */
export function typeText(spec: TypeSpec): string {
  switch (spec.type) {
    case "any":
      return spec.of && spec.of.length > 0 ? `any<${spec.of.map(typeText).join(", ")}>` : "any";
    case "array":
      return spec.dynamic ? `array[${typeText(spec.dynamic)}]` : "array";
    case "set":
      return spec.of ? `set[${typeText(spec.of)}]` : "set";
    case "object":
      return spec.dynamic ? `object[${typeText(spec.dynamic.key)}: ${typeText(spec.dynamic.value)}]` : "object";
    case "function":
      return "function";
    case "null":
    case "boolean":
    case "number":
    case "string":
      return spec.type;
    default: {
      const never: never = spec;
      return String(never);
    }
  }
}

/**
 * The message for a call whose arguments, by their known kinds, do not fit the builtin, or
 * undefined. An argument that may be of several kinds (a rule with values of each) fits when
 * one of them does, as in OPA.
 */
export function checkArgTypes(
  name: string,
  decl: BuiltinDecl,
  args: readonly Term[],
  types: TermTypes,
): string | undefined {
  const have: string[] = [];
  let bad = false;
  decl.args.forEach((spec, i) => {
    const arg = args[i];
    const kinds = arg ? types.termKinds(arg) : undefined;
    have.push(kinds ? kindsText(kinds) : "any");
    if (kinds !== undefined && !kinds.some((k) => accepts(spec, k))) bad = true;
  });
  if (!bad) return undefined;
  return `${name}: invalid argument(s)\n\thave: (${have.join(", ")})\n\twant: (${decl.args.map(typeText).join(", ")})`;
}

function kindsText(kinds: readonly ValueKind[]): string {
  return kinds.length === 1 ? (kinds[0] as ValueKind) : `any<${kinds.join(", ")}>`;
}
