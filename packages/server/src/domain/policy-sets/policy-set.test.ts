import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { type BootstrappedOrganization, bootstrapOrganization } from "../organizations/organization-bootstrap.js";
import { createPolicy, getPolicy } from "../policies/policy.js";
import { createSpace } from "../spaces/space.js";
import {
  addPoliciesToSet,
  attachPolicySetToSpaces,
  createPolicySet,
  deletePolicySet,
  detachPolicySetFromSpaces,
  getPolicySet,
  listPolicySets,
  removePoliciesFromSet,
  updatePolicySet,
} from "./policy-set.js";

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

for (const dialect of DIALECTS) {
  describe(`policy sets (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" } };
    });
    afterEach(async () => {
      await database.dispose();
    });

    it("creates a save set for every entity type on save by default, or a login set", async () => {
      const save = await createPolicySet(database.store, ctx, { name: "save", global: true });
      expect(save).toMatchObject({
        global: true,
        entityTypes: ["token", "api-key", "service-account", "delegate-token"],
        events: ["onSave"],
        policyIds: [],
        spaceIds: [],
      });
      const login = await createPolicySet(database.store, ctx, { name: "login", global: true, entityTypes: ["login"] });
      expect(login).toMatchObject({ entityTypes: ["login"], events: ["onLogin"] });
      expect(await getPolicySet(database.store, org.organization.id, login.id)).toEqual(login);
      const named = await createPolicySet(database.store, ctx, {
        name: "login-by-event",
        global: true,
        entityTypes: ["login"],
        events: ["login"],
      });
      expect(named.events).toEqual(["onLogin"]);
    });

    it("refuses mixed login and save targets, unknown types, and spaces on a global set", async () => {
      expect(
        (await rejection(createPolicySet(database.store, ctx, { name: "x", entityTypes: ["login", "token"] }))).field,
      ).toBe("/data/attributes/entity-types");
      expect((await rejection(createPolicySet(database.store, ctx, { name: "x", entityTypes: ["tokens"] }))).message).toContain(
        '"token"',
      );
      expect(
        (await rejection(createPolicySet(database.store, ctx, { name: "x", entityTypes: ["token"], events: ["onLogin"] })))
          .field,
      ).toBe("/data/attributes/events");
      expect(
        (await rejection(createPolicySet(database.store, ctx, { name: "x", global: true, spaceIds: [org.rootSpace.id] })))
          .message,
      ).toContain("global");
    });

    it("adds and removes policies, attaches and detaches spaces, and counts them on the policy", async () => {
      const child = await createSpace(database.store, ctx, { parentId: org.rootSpace.id, name: "production" });
      const set = await createPolicySet(database.store, ctx, { name: "prod", spaceIds: [child.id] });
      const p1 = await createPolicy(database.store, ctx, { name: "p1" });
      const p2 = await createPolicy(database.store, ctx, { name: "p2" });
      const added = await addPoliciesToSet(database.store, ctx, set.id, [p1.id, p2.id, p1.id]);
      expect([...added.policyIds].sort()).toEqual([p1.id, p2.id].sort());
      expect((await getPolicy(database.store, org.organization.id, p1.id)).policySetIds).toEqual([set.id]);
      const removed = await removePoliciesFromSet(database.store, ctx, set.id, [p1.id]);
      expect(removed.policyIds).toEqual([p2.id]);
      expect((await getPolicy(database.store, org.organization.id, p1.id)).policySetIds).toEqual([]);
      const attached = await attachPolicySetToSpaces(database.store, ctx, set.id, [org.rootSpace.id]);
      expect([...attached.spaceIds].sort()).toEqual([child.id, org.rootSpace.id].sort());
      const detached = await detachPolicySetFromSpaces(database.store, ctx, set.id, [child.id]);
      expect(detached.spaceIds).toEqual([org.rootSpace.id]);
      expect((await rejection(addPoliciesToSet(database.store, ctx, set.id, ["pol-missing"]))).message).toContain("pol-missing");
      const actions = (await listAuditEvents(database.store, org.organization.id, { resourceType: "policy-set" })).items.map(
        (e) => e.action,
      );
      expect(actions).toEqual(
        expect.arrayContaining(["policy-set.create", "policy-set.add-policies", "policy-set.remove-policies"]),
      );
    });

    it("updates: making a set global detaches its spaces; names stay unique", async () => {
      const set = await createPolicySet(database.store, ctx, { name: "a", spaceIds: [org.rootSpace.id] });
      await createPolicySet(database.store, ctx, { name: "b" });
      const updated = await updatePolicySet(database.store, ctx, set.id, { global: true, description: "everywhere" });
      expect(updated).toMatchObject({ global: true, spaceIds: [], description: "everywhere" });
      expect((await rejection(updatePolicySet(database.store, ctx, set.id, { name: "b" }))).message).toContain("taken");
      const login = await updatePolicySet(database.store, ctx, set.id, { entityTypes: ["login"] });
      expect(login.events).toEqual(["onLogin"]);
    });

    it("lists by name with search, deletes, and hides other organizations' sets", async () => {
      for (const name of ["tokens", "keys", "token-naming"]) await createPolicySet(database.store, ctx, { name });
      const found = await listPolicySets(database.store, org.organization.id, { search: "token" });
      expect(found.items.map((s) => s.name)).toEqual(["token-naming", "tokens"]);
      const other = await bootstrapOrganization(database.store, { organizationName: "other", adminName: "bob" });
      const first = found.items[0]!;
      expect((await rejection(getPolicySet(database.store, other.organization.id, first.id))).code).toBe("not_found");
      await deletePolicySet(database.store, ctx, first.id);
      expect((await listPolicySets(database.store, org.organization.id)).total).toBe(2);
    });
  });
}
