// Domain layer, login policies: "which rule granted this role". Off the hot path: for a policy
// that granted roles, each `roles` rule (found in the parsed module, with its location) is
// evaluated on its own, the other `roles` rules renamed away in the text (offsets and line numbers
// kept), to see which rule yields which `roles[space][role]` entry.
import type { Module } from "@keygate/rego";
import { policyFileName } from "../policies/policy-compilation.js";
import { evaluateValue } from "../policies/policy-module.js";
import { type CompiledPolicy, compilePolicyFor } from "../policy-evaluations/compiled-policy-sets.js";
import { loginDocumentOf, type RoleEntry, roleEntriesOf } from "./login-decision.js";

/** A `roles` rule: where its head starts, and the head as written. */
export interface RolesRule {
  readonly row: number;
  readonly offset: number;
  readonly head: string;
}

const ROLES = "roles";
// Same length as `roles`, so that every other offset, line and column stays where it was.
const RENAMED = "r_oth";

/** A rule of a parsed module. */
type ModuleRule = Module["rules"][number];

function isRolesRule(rule: ModuleRule): boolean {
  const head = rule.head.ref.head;
  return !rule.isDefault && head.type === "var" && head.name === ROLES;
}

/** The `roles` rules of a parsed module, in source order, with their heads as written. */
export function rolesRulesOf(syntax: Module, source: string): RolesRule[] {
  const out: RolesRule[] = [];
  for (const rule of syntax.rules) {
    if (!isRolesRule(rule)) continue;
    const { offset, row } = rule.head.location;
    if (source.slice(offset, offset + ROLES.length) !== ROLES) continue;
    const line = source.slice(offset).split("\n", 1)[0] ?? "";
    out.push({ row, offset, head: line.replace(/\s*(?:\bif\b.*|\{.*)$/, "").trim() });
  }
  return out;
}

function keepOnly(source: string, rules: readonly RolesRule[], keep: RolesRule): string {
  let text = source;
  for (const rule of rules) {
    if (rule === keep) continue;
    text = text.slice(0, rule.offset) + RENAMED + text.slice(rule.offset + ROLES.length);
  }
  return text;
}

/** A role entry with the rule that yields it, as `file:row: head`. */
export interface ExplainedRole extends RoleEntry {
  readonly rule: string;
}

/** `input.request.timestamp_ns`, so that `time.now_ns()` agrees with it as on the request path. */
function inputTimeNs(input: unknown): bigint | undefined {
  const ts = (input as { request?: { timestamp_ns?: unknown } } | null)?.request?.timestamp_ns;
  return typeof ts === "bigint" ? ts : undefined;
}

/** For each entry the policy yields on the input, the first `roles` rule that yields it. */
export function explainRoles(policy: CompiledPolicy, input: unknown): ExplainedRole[] {
  if (!policy.ok) return [];
  const rules = rolesRulesOf(policy.syntax, policy.source);
  const out: ExplainedRole[] = [];
  const found = new Set<string>();
  for (const rule of rules) {
    const variant = compilePolicyFor("login", { ...policy, source: keepOnly(policy.source, rules, rule) });
    if (!variant.ok || variant.queries.kind !== "login") continue;
    const document = loginDocumentOf(evaluateValue(variant.queries.document, input, inputTimeNs(input)));
    for (const entry of roleEntriesOf(document.roles)) {
      const key = `${entry.space}\u0000${entry.role}`;
      if (found.has(key)) continue;
      found.add(key);
      out.push({ ...entry, rule: `${policyFileName(policy.policyName)}:${rule.row}: ${rule.head}` });
    }
  }
  return out;
}
