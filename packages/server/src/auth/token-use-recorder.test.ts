// Auth: last-used-at batches against a real store: the first use of a token is written at the
// next flush, later ones once the stored time is a granularity old.
import { afterEach, describe, expect, it } from "vitest";
import { bootstrapOrganization } from "../domain/organizations/organization-bootstrap.js";
import { getToken } from "../domain/tokens/token.js";
import { createTestDatabase, type TestDatabase } from "../store/test-store.js";
import { TokenUseRecorder } from "./token-use-recorder.js";

describe("token use recorder", () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it("writes a token's first use at once and later uses at most once per granularity", async () => {
    db = await createTestDatabase("sqlite");
    const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
    const recorder = new TokenUseRecorder(db.store, 60_000, undefined, 10_000);
    const stored = async () => (await getToken(db!.store, org.organization.id, org.token.id)).lastUsedAt;
    try {
      recorder.note(org.token.id, 1_000_000);
      await recorder.flush();
      expect(await stored()).toBe(1_000_000);
      recorder.note(org.token.id, 1_005_000);
      await recorder.flush();
      expect(await stored()).toBe(1_000_000);
      recorder.note(org.token.id, 1_009_999);
      await recorder.flush();
      expect(await stored()).toBe(1_000_000);
      recorder.note(org.token.id, 1_010_000);
      await recorder.flush();
      expect(await stored()).toBe(1_010_000);
    } finally {
      await recorder.close();
    }
  });

  it("with no granularity writes every flush's latest use", async () => {
    db = await createTestDatabase("sqlite");
    const org = await bootstrapOrganization(db.store, { organizationName: "acme", adminName: "alice" });
    const recorder = new TokenUseRecorder(db.store, 60_000, undefined, 0);
    try {
      for (const at of [2_000, 2_001, 2_002]) {
        recorder.note(org.token.id, at);
        await recorder.flush();
        expect((await getToken(db.store, org.organization.id, org.token.id)).lastUsedAt).toBe(at);
      }
    } finally {
      await recorder.close();
    }
  });
});
