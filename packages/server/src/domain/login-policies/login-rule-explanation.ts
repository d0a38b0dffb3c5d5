// Domain layer, login policies: "which rule granted this role". Off the hot path: for a policy
// that granted roles, each top-level `roles` rule is evaluated on its own (the others renamed
// away, line numbers kept) to see which rule yields which `roles[space][role]` entry.
import { compilePolicyFor, type CompiledPolicy } from "../policy-evaluations/compiled-policy-sets.js";
import { evaluateValue } from "../policies/policy-module.js";
import { policyFileName } from "../policies/policy-compilation.js";
import { roleEntriesOf, type RoleEntry } from "./login-decision.js";

/** A top-level `roles` rule: where it starts and its head as written. */
export interface RolesRule {
  readonly row: number;
  readonly head: string;
}

const ROLES_HEAD = /^roles\b(?=\s*(?:\[|\.|contains\b|:?=|if\b|\{))/;

/** The top-level (unindented) `roles` rules of a module, in order. */
export function rolesRulesOf(source: string): RolesRule[] {
  const out: RolesRule[] = [];
  source.split("\n").forEach((line, index) => {
    if (ROLES_HEAD.test(line)) out.push({ row: index + 1, head: line.replace(/\s*(?:\bif\b.*|\{.*)$/, "").trim() });
  });
  return out;
}

function keepOnly(source: string, keep: number): string {
  let n = 0;
  return source
    .split("\n")
    .map((line, index) => {
      if (!ROLES_HEAD.test(line) || index + 1 === keep) return line;
      n += 1;
      return line.replace(/^roles/, `__keygate_other_roles_${n}`);
    })
    .join("\n");
}

/** A role entry with the rule that yields it, as `file:row: head`. */
export interface ExplainedRole extends RoleEntry {
  readonly rule: string;
}

/** For each entry the policy yields on the input, the first `roles` rule that yields it. */
export function explainRoles(policy: CompiledPolicy, input: unknown): ExplainedRole[] {
  const rules = rolesRulesOf(policy.source);
  const out: ExplainedRole[] = [];
  const found = new Set<string>();
  for (const rule of rules) {
    const variant = compilePolicyFor("login", { ...policy, source: keepOnly(policy.source, rule.row) });
    if (!variant.ok || variant.queries.kind !== "login") continue;
    for (const entry of roleEntriesOf(evaluateValue(variant.queries.roles, input))) {
      const key = `${entry.space}\u0000${entry.role}`;
      if (found.has(key)) continue;
      found.add(key);
      out.push({ ...entry, rule: `${policyFileName(policy.policyName)}:${rule.row}: ${rule.head}` });
    }
  }
  return out;
}
