// Domain layer, login policies: which login policies name a space by a bare name in a rule head
// (`roles["production"][...]`). Such a name grants only while exactly one space has it, so a space
// created or renamed to share it is refused (409, naming the policies) rather than silently
// turning their grants off; the policies can name the space by its path instead.
import type { Store } from "../../store/store.js";
import { DomainError } from "../domain-error.js";
import { policyFileName } from "../policies/policy-compilation.js";
import { compileModule } from "../policies/policy-module.js";
import { listAllPolicySets } from "../policy-sets/policy-set.js";

/** The names of the login policies (of sets for `login`) whose `roles` rules name the space `name` literally. */
export async function loginPoliciesNamingSpace(store: Store, organizationId: string, name: string): Promise<string[]> {
  const sets = await listAllPolicySets(store, organizationId);
  const ids = [...new Set(sets.filter((s) => s.entityTypes.includes("login")).flatMap((s) => s.policyIds))];
  if (ids.length === 0) return [];
  const rows = await store.db
    .selectFrom("policies")
    .select(["name", "source"])
    .where("organization_id", "=", organizationId)
    .where("id", "in", ids)
    .orderBy("name")
    .execute();
  const naming: string[] = [];
  for (const row of rows) {
    if (row.source === null || !row.source.includes(name)) continue;
    const compiled = compileModule(policyFileName(row.name), row.source, () => []);
    if (!compiled.ok) continue;
    const names = compiled.module.syntax.rules.some((rule) => {
      const ref = rule.head.ref;
      const key = ref.path[0] ?? rule.head.key;
      return ref.head.type === "var" && ref.head.name === "roles" && key?.type === "string" && key.value === name;
    });
    if (names) naming.push(row.name);
  }
  return naming;
}

/** Refuses (409) a space name that another space of the organization has, if a login policy names it bare. */
export async function refuseAmbiguousSpaceName(store: Store, organizationId: string, name: string): Promise<void> {
  const holders = await store.db
    .selectFrom("spaces")
    .select("id")
    .where("organization_id", "=", organizationId)
    .where("name", "=", name)
    .execute();
  if (holders.length < 2) return;
  const policies = await loginPoliciesNamingSpace(store, organizationId, name);
  if (policies.length === 0) return;
  throw new DomainError(
    "conflict",
    `another space is already named "${name}", and login ${policies.length === 1 ? "policy" : "policies"} ` +
      `${policies.join(", ")} name${policies.length === 1 ? "s" : ""} a space "${name}": with two such spaces ` +
      "the name matches neither and those grants would stop; choose another name, or change the policy to name " +
      `the space by its path (e.g. parent/${name}) or id first`,
    { field: "name" },
  );
}
