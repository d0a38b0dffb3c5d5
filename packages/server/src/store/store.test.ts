import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "./store.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "./test-store.js";

for (const dialect of DIALECTS) {
  describe(`store on ${dialect}`, () => {
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.dispose();
      database = undefined;
    });

    it("migrates to the latest schema and reports its dialect", async () => {
      database = await createTestDatabase(dialect);
      expect(database.store.dialect).toBe(dialect);
      await database.store.ping();
      const rows = await database.store.db.selectFrom("organizations").selectAll().execute();
      expect(rows).toEqual([]);
    });

    it("reopening an already migrated database is a no-op", async () => {
      database = await createTestDatabase(dialect);
      const another = await database.openAnother();
      expect(await another.db.selectFrom("spaces").selectAll().execute()).toEqual([]);
    });

    it("enforces foreign keys", async () => {
      database = await createTestDatabase(dialect);
      await expect(
        database.store.db
          .insertInto("spaces")
          .values({
            id: "spc-x",
            organization_id: "org-missing",
            parent_id: null,
            name: "x",
            description: "",
            created_at: 1,
            updated_at: 1,
          })
          .execute(),
      ).rejects.toThrow(/foreign key/i);
    });

    it("returns BIGINT columns as numbers", async () => {
      database = await createTestDatabase(dialect);
      const ms = 1_779_647_400_000;
      await database.store.db
        .insertInto("organizations")
        .values({ id: "org-x", name: "x", display_name: "X", created_at: ms })
        .execute();
      const row = await database.store.db.selectFrom("organizations").selectAll().executeTakeFirstOrThrow();
      expect(row.created_at).toBe(ms);
    });
  });
}

describe("opening a store", () => {
  it("refuses an unsupported URL by its scheme, without echoing the rest (it may hold a password)", async () => {
    const refused = openStore({ databaseUrl: "mysql://admin:hunter2@db.example/keygate" });
    await expect(refused).rejects.toThrow(/scheme "mysql:"; use postgres:\/\//);
    await expect(refused).rejects.not.toThrow(/hunter2/);
  });

  it("syncs SQLite's log as configured: NORMAL by default, FULL on request", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keygate-sync-"));
    try {
      for (const [setting, expected] of [
        [undefined, 1],
        ["full", 2],
      ] as const) {
        const store = await openStore({ dataDir: dir, ...(setting ? { sqliteSynchronous: setting } : {}) });
        const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
        await store.close();
        expect([setting, rows[0]?.synchronous]).toEqual([setting, expected]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
