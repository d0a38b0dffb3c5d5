// Domain layer, access: the escalation rule as pure functions over effective access and a space tree.
import { describe, expect, it } from "vitest";
import type { Permission } from "../roles/permission-catalogue.js";
import type { Space, SpaceTree } from "../spaces/space.js";
import { type AccessGrant, buildEffectiveAccess } from "./effective-access.js";
import { permissionsLackedOver, permissionsLackedToGrant } from "./escalation-rule.js";

// root > a > a1, root > b
const PARENTS: Record<string, string | null> = { root: null, a: "root", a1: "a", b: "root" };
const TREE: SpaceTree = {
  organizationId: "org",
  spaces: new Map(
    Object.entries(PARENTS).map(([id, parentId]) => [id, { id, parentId } as unknown as Space]),
  ),
  ancestorIds(spaceId) {
    const out: string[] = [];
    for (let p = PARENTS[spaceId] ?? null; p !== null; p = PARENTS[p] ?? null) out.push(p);
    return out;
  },
  subtreeIds(spaceId) {
    return Object.keys(PARENTS).filter((id) => id === spaceId || this.ancestorIds(id).includes(spaceId));
  },
};

function access(grants: [string, Permission[]][]) {
  const list: AccessGrant[] = grants.map(([spaceId, permissions], i) => ({
    spaceId,
    roleId: `r${i}`,
    roleName: `r${i}`,
    permissions,
    reason: { kind: "direct-binding", bindingId: `b${i}` },
  }));
  return buildEffectiveAccess("org", "p", "service-account", list);
}

describe("escalation rule", () => {
  it("grants only what the caller holds where it applies (inherited from ancestors), or anything with escalate", () => {
    const caller = access([["a", ["tokens.read", "role-bindings.write"]]]);
    expect(permissionsLackedToGrant(caller, TREE, "a1", ["tokens.read"])).toEqual([]);
    expect(permissionsLackedToGrant(caller, TREE, "b", ["tokens.read"])).toEqual(["tokens.read"]);
    expect(permissionsLackedToGrant(caller, TREE, "root", ["tokens.read"])).toEqual(["tokens.read"]);
    expect(
      permissionsLackedToGrant(caller, TREE, "a", ["audit.read", "tokens.read", "api-keys.write"]),
    ).toEqual(["api-keys.write", "audit.read"]);
    const escalator = access([["a", ["role-bindings.escalate"]]]);
    expect(permissionsLackedToGrant(escalator, TREE, "a1", ["audit.read"])).toEqual([]);
    expect(permissionsLackedToGrant(escalator, TREE, "b", ["audit.read"])).toEqual(["audit.read"]);
  });

  it("lets the caller reach a principal's credentials only when it holds everything that principal holds, everywhere", () => {
    const caller = access([["a", ["tokens.read", "spaces.read"]]]);
    expect(permissionsLackedOver(caller, TREE, access([["a1", ["tokens.read"]]]))).toEqual([]);
    expect(permissionsLackedOver(caller, TREE, access([]))).toEqual([]);
    // A grant in a sibling or at the root counts although the credential would live in A.
    expect(
      permissionsLackedOver(
        caller,
        TREE,
        access([
          ["a", ["spaces.read"]],
          ["b", ["spaces.read"]],
        ]),
      ),
    ).toEqual([{ spaceId: "b", permissions: ["spaces.read"] }]);
    expect(permissionsLackedOver(caller, TREE, access([["root", ["tokens.read", "audit.read"]]]))).toEqual([
      { spaceId: "root", permissions: ["audit.read", "tokens.read"] },
    ]);
    // A caller bound at the root covers grants anywhere below.
    const owner = access([["root", ["tokens.read", "spaces.read"]]]);
    expect(
      permissionsLackedOver(
        owner,
        TREE,
        access([
          ["a1", ["tokens.read"]],
          ["b", ["spaces.read"]],
        ]),
      ),
    ).toEqual([]);
  });
});
