import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../store/store.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { listPolicySamples, prunePolicySamples, recordPolicySample, SAMPLES_KEPT } from "./policy-sample.js";

for (const dialect of DIALECTS) {
  describe(`policy samples (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;

    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
    });
    afterEach(async () => {
      await database.dispose();
    });

    it("keeps the most recent inputs per entity type, newest first, dropping the oldest", async () => {
      const sample = (n: number, entityType = "token") => ({
        organizationId: org.organization.id,
        entityType,
        event: "onSave",
        action: "create",
        spaceId: org.rootSpace.id,
        input: { token: { name: `t${n}` } },
        evaluationId: null,
        createdAt: 1_700_000_000_000 + n,
      });
      for (let n = 0; n < SAMPLES_KEPT + 5; n++) await recordPolicySample(database.store, sample(n));
      await recordPolicySample(database.store, sample(0, "api-key"));
      const kept = await listPolicySamples(database.store, org.organization.id, "token");
      expect(kept).toHaveLength(SAMPLES_KEPT);
      expect((kept[0]!.input as { token: { name: string } }).token.name).toBe(`t${SAMPLES_KEPT + 4}`);
      expect((kept.at(-1)!.input as { token: { name: string } }).token.name).toBe("t5");
      expect(await listPolicySamples(database.store, org.organization.id, "api-key")).toHaveLength(1);
      expect(await listPolicySamples(database.store, org.organization.id, "token", 3)).toHaveLength(3);
    });

    it("writes a transaction's samples after its commit, the newest SAMPLES_KEPT, and none of a rollback", async () => {
      const stored = async (store: Store) =>
        Number(
          (
            await store.db
              .selectFrom("policy_samples")
              .select((eb) => eb.fn.countAll().as("n"))
              .where("organization_id", "=", org.organization.id)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const sample = (n: number) => ({
        organizationId: org.organization.id,
        entityType: "token",
        event: "onSave",
        action: "create",
        spaceId: org.rootSpace.id,
        input: { token: { name: `p${n}` } },
        evaluationId: null,
        createdAt: 1_800_000_000_000 + n,
      });
      // In the change's transaction, as the write path keeps them: nothing is written there.
      await database.store.transaction(async (tx) => {
        for (let n = 0; n < SAMPLES_KEPT + 7; n++) await recordPolicySample(tx, sample(n));
        expect(await stored(tx)).toBe(0);
      });
      // A rolled-back change keeps no sample.
      await expect(
        database.store.transaction(async (tx) => {
          await recordPolicySample(tx, sample(1000));
          throw new Error("rolled back");
        }),
      ).rejects.toThrow("rolled back");
      // Listing writes what this instance queued first: the newest SAMPLES_KEPT, the oldest dropped.
      const kept = await listPolicySamples(database.store, org.organization.id, "token");
      expect(kept).toHaveLength(SAMPLES_KEPT);
      expect((kept[0]!.input as { token: { name: string } }).token.name).toBe(`p${SAMPLES_KEPT + 6}`);
      expect((kept.at(-1)!.input as { token: { name: string } }).token.name).toBe("p7");
      await prunePolicySamples(database.store);
      expect(await stored(database.store)).toBe(SAMPLES_KEPT);
    });
  });
}
