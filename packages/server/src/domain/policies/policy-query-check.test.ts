// Domain layer, policies: a policy's own query that its module never defines is found, warned
// about, and evaluated as `query-undefined` (never denying, as in HCP Terraform) instead of passed.
import { describe, expect, it } from "vitest";
import { compilePolicyFor } from "../policy-evaluations/compiled-policy-sets.js";
import { decideSave } from "../policy-evaluations/policy-decision.js";
import type { PolicySet } from "../policy-sets/policy-set.js";
import { checkPolicyText } from "./policy-compilation.js";
import { policyTextWarnings, queryIsDefined } from "./policy-query-check.js";

const SOURCE = `package opapolicy

deny contains msg if {
  input.token.ttl > 10
  msg := "too long"
}

warn contains "looked" if { true }
`;

function moduleOf(query: string | null) {
  const compiled = checkPolicyText("p", SOURCE, query);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return compiled.module;
}

const SET: PolicySet = {
  id: "polset-1",
  organizationId: "org-1",
  name: "s",
  description: null,
  global: true,
  entityTypes: ["token"],
  events: ["onSave"],
  policyIds: ["pol-1"],
  spaceIds: [],
  createdAt: 0,
  updatedAt: 0,
};

describe("queryIsDefined", () => {
  it("knows the rules of the module's package, with or without `data.`", () => {
    for (const [query, defined] of [
      [null, true],
      ["opapolicy.deny", true],
      ["data.opapolicy.deny", true],
      ["data.opapolicy", true],
      ["terraform.main", false],
      ["data.opapolicy.main", false],
      ["data.other.deny", false],
      ['data.opapolicy["deny"]', true],
    ] as const) {
      const module = moduleOf(query);
      expect(queryIsDefined(query, module.packagePath, module.syntax), String(query)).toBe(defined);
    }
  });
});

describe("policyTextWarnings", () => {
  it("warns about a missing text and an undefined query, and says nothing otherwise", () => {
    const base = { name: "p", enforcementLevel: "mandatory", query: "terraform.main" };
    expect(policyTextWarnings({ ...base, text: undefined })[0]).toMatch(/^policy p has no Rego text yet/);
    const [warning] = policyTextWarnings({ ...base, text: moduleOf("terraform.main") });
    expect(warning).toBe(
      "the query data.terraform.main of mandatory policy p is not defined by its module (package opapolicy defines deny, warn): " +
        "evaluations mark it query-undefined and, as in HCP Terraform, it never denies",
    );
    expect(policyTextWarnings({ ...base, query: "opapolicy.deny", text: moduleOf("opapolicy.deny") })).toEqual([]);
  });
});

describe("decideSave with an undefined query", () => {
  it("marks the mandatory policy query-undefined, does not deny, and still evaluates its warn rules", () => {
    const text = { policyId: "pol-1", policyName: "p", enforcementLevel: "mandatory" as const, source: SOURCE };
    const undefinedQuery = compilePolicyFor("save", { ...text, query: "terraform.main" });
    const decision = decideSave([{ set: SET, policies: [undefinedQuery] }], { token: { ttl: 99 } });
    expect(decision.results.map((r) => r.outcome)).toEqual(["query-undefined"]);
    expect(decision.results[0]?.messages[0]).toMatch(/query terraform\.main is not defined by policy p's module/);
    expect(decision.outcome).toBe("warned");
    expect(decision.warnings).toEqual(["looked"]);
    expect(decision.messages).toEqual([]);
    // The same text with a query it defines denies the same input.
    const defined = compilePolicyFor("save", { ...text, query: "opapolicy.deny" });
    const denied = decideSave([{ set: SET, policies: [defined] }], { token: { ttl: 99 } });
    expect(denied.outcome).toBe("denied");
    expect(denied.results.map((r) => r.outcome)).toEqual(["failed"]);
  });

  it("marks a policy of the set without text query-undefined, and it never denies", () => {
    const untexted = [{ policyId: "pol-2", policyName: "empty", enforcementLevel: "mandatory" as const }];
    const decision = decideSave([{ set: SET, policies: [], untexted }], { token: { ttl: 99 } });
    expect(decision.outcome).toBe("allowed");
    expect(decision.results).toEqual([
      expect.objectContaining({ policyId: "pol-2", outcome: "query-undefined", messages: [expect.stringMatching(/no Rego text yet/)] }),
    ]);
  });
});
