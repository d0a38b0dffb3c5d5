// Domain layer, policies: checks a policy's Rego text (and its query) before it is stored, and
// turns the problems into one `invalid` error listing each with its line and column.
import { DomainError } from "../domain-error.js";
import { compileModule, type ModuleCompilation, type PolicyProblem, packageRef } from "./policy-module.js";

/** The file name a policy's module is compiled under (and errors point into): `<name>.rego`. */
export function policyFileName(name: string): string {
  return `${name}.rego`;
}

/** The query a policy's deny is read from: its own, or `data.<package>.deny`. */
export function denyQueryOf(query: string | null, packagePath: string): string {
  if (query === null) return packageRef(packagePath, "deny");
  const head = query.split(/[.[\s]/, 1)[0];
  // HCP Terraform's samples write queries without `data.` ("terraform.main"); Rego needs the root.
  return head === "data" || head === "input" ? query : `data.${query}`;
}

/** Compiles a policy's text with its deny query prepared. */
export function checkPolicyText(name: string, source: string, query: string | null): ModuleCompilation {
  return compileModule(policyFileName(name), source, (pkg) => [denyQueryOf(query, pkg)]);
}

/** Formats a problem as `file:row:col: code: message`. */
export function formatPolicyProblem(problem: PolicyProblem): string {
  const where = problem.location ? `${problem.location.file}:${problem.location.row}:${problem.location.col}: ` : "";
  return `${where}${problem.code}: ${problem.message}`;
}

/** The `invalid` error for Rego that does not parse or compile; details carry every problem. */
export function policyProblemsError(problems: readonly PolicyProblem[], field?: string): DomainError {
  const lines = problems.map(formatPolicyProblem);
  return new DomainError(
    "invalid",
    `the policy does not compile (${problems.length} error${problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
    { ...(field !== undefined ? { field } : {}), details: { errors: problems } },
  );
}
