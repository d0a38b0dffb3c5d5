import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import type { MutationContext } from "../audit/actor.js";
import { listAuditEvents } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { type BootstrappedOrganization, bootstrapOrganization } from "../organizations/organization-bootstrap.js";
import { seed002Sample, seed002Samples } from "../governance/seed-policies.js";
import { createPolicySet } from "../policy-sets/policy-set.js";
import { createPolicy, deletePolicy, getPolicy, listPolicies, updatePolicy } from "./policy.js";

// Seed 002's own sample payloads, read from the shared seed document at test time.
const SEED_002 = seed002Samples() !== undefined;
const fixture = (title: string) =>
  seed002Sample(title) as {
    data: { attributes: Record<string, unknown>; relationships?: { "policy-sets": { data: { id: string }[] } } };
  };

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** The seed 002 payload's attributes as createPolicy input, with its policy set swapped for a real one. */
function fromPayload(name: string, policySetId: string) {
  const a = fixture(name).data.attributes;
  return {
    name: a.name,
    description: a.description,
    kind: a.kind,
    query: a.query,
    enforcementLevel: a["enforcement-level"],
    enforce: a.enforce,
    policySetIds: [policySetId],
  };
}

for (const dialect of DIALECTS) {
  describe(`policies (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    let ctx: MutationContext;
    let setId: string;

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "my-organization", adminName: "alice" });
      ctx = { organizationId: org.organization.id, actor: { principalId: org.admin.id, via: "api" }, now: 1_700_000_000_000 };
      setId = (await createPolicySet(database.store, ctx, { name: "tokens", global: true })).id;
    });
    afterEach(async () => {
      await database.dispose();
    });

    it.skipIf(!SEED_002)("creates the OPA policy of seed 002's sample payload, reading the deprecated enforce array", async () => {
      const policy = await createPolicy(database.store, ctx, fromPayload("Sample Payload (OPA)", setId));
      expect(policy).toMatchObject({
        name: "my-example-policy",
        description: "An example policy.",
        kind: "opa",
        query: "terraform.main",
        enforcementLevel: "advisory",
        uploaded: false,
        policySetIds: [setId],
        updatedAt: null,
      });
      expect(policy.id).toMatch(/^pol-/);
      expect(await getPolicy(database.store, org.organization.id, policy.id)).toEqual(policy);
      const audit = await listAuditEvents(database.store, org.organization.id, { resourceType: "policy" });
      expect(audit.items.map((e) => e.action)).toEqual(["policy.create"]);
    });

    it.skipIf(!SEED_002)("refuses seed 002's Sentinel payload: only OPA policies are supported", async () => {
      const error = await rejection(createPolicy(database.store, ctx, fromPayload("Sample Payload (Sentinel)", setId)));
      expect(error.code).toBe("invalid");
      expect(error.message).toContain("only OPA policies are supported");
      expect(error.field).toBe("/data/attributes/kind");
      expect((await listPolicies(database.store, org.organization.id)).total).toBe(0);
    });

    it.skipIf(!SEED_002)("refuses seed 002's PATCH payload for an OPA policy: soft-mandatory is a Sentinel level", async () => {
      const policy = await createPolicy(database.store, ctx, fromPayload("Sample Payload (OPA)", setId));
      const a = fixture("Sample Payload").data.attributes;
      const error = await rejection(updatePolicy(database.store, ctx, policy.id, { enforcementLevel: a["enforcement-level"] }));
      expect(error.code).toBe("invalid");
      expect(error.message).toContain("Sentinel");
      const updated = await updatePolicy(database.store, { ...ctx, now: 1_700_000_001_000 }, policy.id, {
        enforcementLevel: "mandatory",
        description: null,
      });
      expect(updated).toMatchObject({ enforcementLevel: "mandatory", description: null, updatedAt: 1_700_000_001_000 });
    });

    it("checks names, levels and the enforce path", async () => {
      expect((await rejection(createPolicy(database.store, ctx, { name: "bad name!" }))).field).toBe("/data/attributes/name");
      expect(
        (await rejection(createPolicy(database.store, ctx, { name: "p", enforce: [{ path: "q.rego", mode: "mandatory" }] })))
          .message,
      ).toContain('"p.rego"');
      await createPolicy(database.store, ctx, { name: "p" });
      expect((await rejection(createPolicy(database.store, ctx, { name: "p" }))).message).toContain("already been taken");
      expect((await rejection(createPolicy(database.store, ctx, { name: "q", policySetIds: ["polset-nope"] }))).message).toContain(
        "polset-nope",
      );
    });

    it("lists with pagination, search[name] and filter[kind]", async () => {
      for (const name of ["alpha", "beta", "alphabet", "gamma"]) await createPolicy(database.store, ctx, { name, kind: "opa" });
      const page1 = await listPolicies(database.store, org.organization.id, { page: { pageNumber: 1, pageSize: 3 } });
      expect(page1.total).toBe(4);
      expect(page1.items.map((p) => p.name)).toEqual(["alpha", "alphabet", "beta"]);
      const page2 = await listPolicies(database.store, org.organization.id, { page: { pageNumber: 2, pageSize: 3 } });
      expect(page2.items.map((p) => p.name)).toEqual(["gamma"]);
      const search = await listPolicies(database.store, org.organization.id, { search: "ALPHA" });
      expect(search.items.map((p) => p.name)).toEqual(["alpha", "alphabet"]);
      expect((await listPolicies(database.store, org.organization.id, { kind: "sentinel" })).total).toBe(0);
      expect((await listPolicies(database.store, org.organization.id, { kind: "opa" })).total).toBe(4);
    });

    it("deletes, and another organization's policy is not found", async () => {
      const policy = await createPolicy(database.store, ctx, { name: "p", policySetIds: [setId] });
      const other = await bootstrapOrganization(database.store, { organizationName: "other", adminName: "bob" });
      expect((await rejection(getPolicy(database.store, other.organization.id, policy.id))).code).toBe("not_found");
      const otherCtx = { organizationId: other.organization.id, actor: { principalId: other.admin.id, via: "api" as const } };
      expect((await rejection(deletePolicy(database.store, otherCtx, policy.id))).code).toBe("not_found");
      await deletePolicy(database.store, ctx, policy.id);
      expect((await rejection(getPolicy(database.store, org.organization.id, policy.id))).code).toBe("not_found");
    });

    it("tells every instance that policies changed, on commit", async () => {
      const seen: string[] = [];
      database.store.changes.subscribe((e) => seen.push(e.kind));
      await createPolicy(database.store, ctx, { name: "p" });
      expect(seen).toContain("policy.changed");
    });
  });
}
