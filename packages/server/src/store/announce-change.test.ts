import { afterEach, describe, expect, it } from "vitest";
import { announceChange } from "./announce-change.js";
import type { ChangeEvent } from "./change-feed.js";
import { raiseChangeSequences, readChangeSequences } from "./change-sequence.js";
import { openStore } from "./store.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "./test-store.js";

const revoked: ChangeEvent = { kind: "token.revoked", organizationId: "org-1", tokenId: "tok-1", publicId: "p1" };

for (const dialect of DIALECTS) {
  describe(`announceChange on ${dialect}`, () => {
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.dispose();
      database = undefined;
    });

    it("delivers a transaction's changes after its commit and raises the organization's counter once", async () => {
      database = await createTestDatabase(dialect);
      const { store } = database;
      const seen: ChangeEvent[] = [];
      store.changes.subscribe((e) => seen.push(e));
      await store.transaction(async (tx) => {
        await announceChange(tx, { kind: "role.changed", organizationId: "org-1", roleId: "role-1" });
        await announceChange(tx, revoked);
        // A nested transaction runs inside the outer one, announcing with it.
        await tx.transaction(async (inner) => {
          expect(inner.inTransaction).toBe(true);
          await announceChange(inner, { kind: "policy.changed", organizationId: "org-2" });
        });
        expect(seen).toEqual([]);
      });
      expect(seen).toEqual([
        { kind: "role.changed", organizationId: "org-1", roleId: "role-1" },
        revoked,
        { kind: "policy.changed", organizationId: "org-2" },
      ]);
      const counters = await readChangeSequences(store.db, ["org-1", "org-2", "org-3"]);
      expect(Object.fromEntries(counters)).toEqual({ "org-1": 1, "org-2": 1, "org-3": 0 });
    });

    it("sends nothing and raises no counter when the transaction rolls back", async () => {
      database = await createTestDatabase(dialect);
      const { store } = database;
      const seen: ChangeEvent[] = [];
      store.changes.subscribe((e) => seen.push(e));
      await expect(
        store.transaction(async (tx) => {
          await tx.db
            .insertInto("organizations")
            .values({ id: "org-a", name: "a", display_name: "A", created_at: 1 })
            .execute();
          await announceChange(tx, revoked);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await store.db.selectFrom("organizations").selectAll().execute()).toEqual([]);
      expect(seen).toEqual([]);
      expect((await readChangeSequences(store.db, ["org-1"])).get("org-1")).toBe(0);
    });

    it("outside a transaction, announces in a transaction of its own", async () => {
      database = await createTestDatabase(dialect);
      const { store } = database;
      const seen: ChangeEvent[] = [];
      store.changes.subscribe((e) => seen.push(e));
      await announceChange(store, revoked);
      await announceChange(store, revoked);
      expect(seen).toEqual([revoked, revoked]);
      expect((await readChangeSequences(store.db, ["org-1"])).get("org-1")).toBe(2);
    });

    it("an unsubscribed handler hears nothing more, and a throwing one doesn't stop others", async () => {
      database = await createTestDatabase(dialect);
      const { store } = database;
      const seen: ChangeEvent[] = [];
      const off = store.changes.subscribe((e) => seen.push(e));
      store.changes.subscribe(() => {
        throw new Error("broken subscriber");
      });
      await announceChange(store, revoked);
      off();
      await announceChange(store, revoked);
      expect(seen).toHaveLength(1);
    });

    it("runs the onCommitted hook after the commit and before this instance hears of the change", async () => {
      database = await createTestDatabase(dialect);
      const seen: ChangeEvent[] = [];
      const order: string[] = [];
      const store = await openStore({
        databaseUrl: database.databaseUrl,
        onCommitted: async (changes) => {
          // Committed: another connection already sees the counter.
          const counter = (await readChangeSequences(database!.store.db, ["org-1"])).get("org-1");
          order.push(`committed ${changes.map((c) => c.kind).join()} seq ${counter} heard ${seen.length}`);
        },
      });
      try {
        store.changes.subscribe((e) => seen.push(e));
        await announceChange(store, revoked);
        expect(order).toEqual(["committed token.revoked seq 1 heard 0"]);
        expect(seen).toEqual([revoked]);
      } finally {
        await store.close();
      }
    });

    it("drops an organization's caches when its counter moved unheard (a write this instance never heard of)", async () => {
      database = await createTestDatabase(dialect);
      const other = await database.openAnother();
      const seen: ChangeEvent[] = [];
      database.store.changes.subscribe((e) => seen.push(e));
      // The first confirmation sets a baseline (whatever was cached before it is dropped).
      await database.store.changes.ensureFresh("org-1", 0);
      expect(seen).toEqual([{ kind: "resync", organizationId: "org-1" }]);
      await database.store.changes.ensureFresh("org-1", 0);
      expect(seen).toHaveLength(1);
      // Heard of: the counter moves with it, nothing more to drop.
      await announceChange(database.store, revoked);
      await database.store.changes.ensureFresh("org-1", 0);
      expect(seen).toEqual([{ kind: "resync", organizationId: "org-1" }, revoked]);
      // Another SQLite process (or a PostgreSQL notification this instance missed): not heard of.
      await other.transaction((tx) => raiseChangeSequences(tx.db, ["org-1"]));
      await database.store.changes.ensureFresh("org-1", 0);
      expect(seen.at(-1)).toEqual({ kind: "resync", organizationId: "org-1" });
      // Within the bound, entries are served without asking.
      expect(database.store.changes.ensureFresh("org-1", 60_000)).toBeUndefined();
    });
  });
}
