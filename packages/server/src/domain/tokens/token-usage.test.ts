import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, DIALECTS, type TestDatabase } from "../../store/test-store.js";
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
} from "../organizations/organization-bootstrap.js";
import { getToken } from "./token.js";
import { recordTokenUse } from "./token-usage.js";

for (const dialect of DIALECTS) {
  describe(`token use (${dialect})`, () => {
    let database: TestDatabase;
    let org: BootstrappedOrganization;
    beforeEach(async () => {
      database = await createTestDatabase(dialect);
      org = await bootstrapOrganization(database.store, { organizationName: "acme", adminName: "alice" });
    });
    afterEach(() => database.dispose());

    it("records the latest use of each token in a batch and never moves it backwards", async () => {
      const id = org.token.id;
      await recordTokenUse(database.store, [
        { tokenId: id, usedAt: 2000 },
        { tokenId: id, usedAt: 3000 },
        { tokenId: id, usedAt: 1000 },
        { tokenId: "tok-unknown", usedAt: 5 },
      ]);
      expect((await getToken(database.store, org.organization.id, id)).lastUsedAt).toBe(3000);
      await recordTokenUse(database.store, [{ tokenId: id, usedAt: 2500 }]);
      expect((await getToken(database.store, org.organization.id, id)).lastUsedAt).toBe(3000);
      await recordTokenUse(database.store, []);
      await recordTokenUse(database.store, [{ tokenId: id, usedAt: 4000 }]);
      expect((await getToken(database.store, org.organization.id, id)).lastUsedAt).toBe(4000);
    });

    it("records batches larger than one statement takes, each token its own time", async () => {
      const id = org.token.id;
      const uses = Array.from({ length: 1200 }, (_, i) => ({ tokenId: `tok-unknown-${i}`, usedAt: i }));
      uses.splice(700, 0, { tokenId: id, usedAt: 9000 });
      await recordTokenUse(database.store, uses);
      expect((await getToken(database.store, org.organization.id, id)).lastUsedAt).toBe(9000);
      // In the second statement of a batch, an older time does not move it back; a newer one does.
      await recordTokenUse(database.store, [...uses.slice(0, 600), { tokenId: id, usedAt: 8000 }]);
      expect((await getToken(database.store, org.organization.id, id)).lastUsedAt).toBe(9000);
      await recordTokenUse(database.store, [...uses.slice(0, 600), { tokenId: id, usedAt: 9500 }]);
      expect((await getToken(database.store, org.organization.id, id)).lastUsedAt).toBe(9500);
    });
  });
}
