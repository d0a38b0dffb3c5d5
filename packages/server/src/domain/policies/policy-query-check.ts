// Domain layer, policies: does a policy's module define the rule its query reads? HCP Terraform's
// own sample sets `query: "terraform.main"`, and a module in another package (or without `main`)
// makes that query undefined on every input, so a mandatory policy would pass silently. Keygate
// keeps HCP's evaluation semantics (an undefined result does not deny) but says so: a warning when
// the policy is created, uploaded or changed, and the outcome `query-undefined` in evaluations.
import type { Module } from "@keygate/rego";
import type { Store } from "../../store/store.js";
import { checkPolicyText, denyQueryOf } from "./policy-compilation.js";
import { getPolicyRow } from "./policy.js";

const SIMPLE_REF = /^data(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** The name of the rule a rule head defines (`deny` for `deny contains msg if ...`). */
function ruleName(rule: Module["rules"][number]): string | undefined {
  const head = rule.head.ref.head;
  return head.type === "var" ? head.name : undefined;
}

/**
 * False when the policy's own query certainly reads nothing its module defines: another package,
 * or a rule the package lacks. True when it does, when the policy has no query of its own (the
 * default `data.<package>.deny` may rightly be absent from a policy of `warn` rules only), or when
 * the query is not a plain `data.a.b` reference (then it cannot be judged without evaluating it).
 */
export function queryIsDefined(query: string | null, packagePath: string, syntax: Module): boolean {
  if (query === null) return true;
  const ref = denyQueryOf(query, packagePath).trim();
  if (!SIMPLE_REF.test(ref)) return true;
  const segments = ref.split(".").slice(1);
  const pkg = packagePath.split(".");
  if (pkg.some((s, i) => segments[i] !== s)) return false;
  const rule = segments[pkg.length];
  if (rule === undefined) return syntax.rules.length > 0;
  return syntax.rules.some((r) => ruleName(r) === rule);
}

/** What a policy's author should hear about its text and query (empty when nothing is amiss). */
export function policyTextWarnings(policy: {
  readonly name: string;
  readonly enforcementLevel: string;
  readonly query: string | null;
  readonly text: { readonly packagePath: string; readonly syntax: Module } | undefined;
}): string[] {
  if (policy.text === undefined) {
    return [
      `policy ${policy.name} has no Rego text yet: evaluations mark it query-undefined and it cannot deny until its text is uploaded (links.upload)`,
    ];
  }
  if (queryIsDefined(policy.query, policy.text.packagePath, policy.text.syntax)) return [];
  const query = denyQueryOf(policy.query, policy.text.packagePath);
  const defined = [...new Set(policy.text.syntax.rules.map(ruleName).filter((n) => n !== undefined))];
  return [
    `the query ${query} of ${policy.enforcementLevel} policy ${policy.name} is not defined by its module ` +
      `(package ${policy.text.packagePath} defines ${defined.length > 0 ? defined.join(", ") : "no rules"}): ` +
      "evaluations mark it query-undefined and, as in HCP Terraform, it never denies",
  ];
}

/** The warnings of a stored policy: its text missing, or its query undefined by its text. */
export async function storedPolicyWarnings(store: Store, organizationId: string, policyId: string): Promise<string[]> {
  const row = await getPolicyRow(store, organizationId, policyId);
  const base = { name: row.name, enforcementLevel: row.enforcement_level, query: row.query };
  if (row.source === null) return policyTextWarnings({ ...base, text: undefined });
  const compiled = checkPolicyText(row.name, row.source, row.query);
  // Stored text compiled when it was uploaded; a query that no longer compiles is refused on PATCH.
  if (!compiled.ok) return [];
  return policyTextWarnings({ ...base, text: compiled.module });
}
