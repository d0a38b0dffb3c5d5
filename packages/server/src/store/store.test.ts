import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import type { ChangeEvent } from "./change-feed.js";
import { openStore } from "./store.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "./test-store.js";

function waitFor(
  events: ChangeEvent[],
  predicate: (e: ChangeEvent) => boolean,
  timeoutMs = 5000,
): Promise<ChangeEvent> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const found = events.find(predicate);
      if (found) return resolve(found);
      if (Date.now() - started > timeoutMs) return reject(new Error("event not received in time"));
      setTimeout(tick, 10);
    };
    tick();
  });
}

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

    it("rolls back a failing transaction and drops its queued change events", async () => {
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
          await tx.changes.publish({ kind: "resync" });
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await store.db.selectFrom("organizations").selectAll().execute()).toEqual([]);
      expect(seen).toEqual([]);
    });

    it("publishes a transaction's change events after commit", async () => {
      database = await createTestDatabase(dialect);
      const { store } = database;
      const seen: ChangeEvent[] = [];
      store.changes.subscribe((e) => seen.push(e));
      await store.transaction(async (tx) => {
        await tx.changes.publish({ kind: "role.changed", organizationId: "org-1", roleId: "role-1" });
        expect(seen).toEqual([]);
        // A nested transaction runs inside the outer one.
        await tx.transaction(async (inner) => {
          expect(inner.inTransaction).toBe(true);
        });
      });
      expect(seen).toEqual([{ kind: "role.changed", organizationId: "org-1", roleId: "role-1" }]);
    });

    it("an unsubscribed handler hears nothing more, and a throwing one doesn't stop others", async () => {
      database = await createTestDatabase(dialect);
      const { store } = database;
      const seen: ChangeEvent[] = [];
      const off = store.changes.subscribe((e) => seen.push(e));
      store.changes.subscribe(() => {
        throw new Error("broken subscriber");
      });
      await store.changes.publish({ kind: "resync" });
      off();
      await store.changes.publish({ kind: "resync" });
      expect(seen).toHaveLength(1);
    });
  });
}

describe("opening a store", () => {
  it("refuses an unsupported URL by its scheme, without echoing the rest (it may hold a password)", async () => {
    const refused = openStore({ databaseUrl: "mysql://admin:hunter2@db.example/keygate" });
    await expect(refused).rejects.toThrow(/scheme "mysql:"; use postgres:\/\//);
    await expect(refused).rejects.not.toThrow(/hunter2/);
  });
});

describe("change feed across two PostgreSQL instances", () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  it("delivers an event published by one store to the other, once", async () => {
    database = await createTestDatabase("postgres");
    const other = await database.openAnother();
    const here: ChangeEvent[] = [];
    const there: ChangeEvent[] = [];
    database.store.changes.subscribe((e) => here.push(e));
    other.changes.subscribe((e) => there.push(e));
    const event: ChangeEvent = {
      kind: "token.revoked",
      organizationId: "org-1",
      tokenId: "tok-1",
      publicId: "p1",
    };
    await database.store.changes.publish(event);
    expect(here).toEqual([event]);
    // publish resolves only once every other listening instance has confirmed the event.
    expect(there).toEqual([event]);
    // Give a stray loopback notification time to arrive: it must be ignored.
    await new Promise((r) => setTimeout(r, 100));
    expect(here).toHaveLength(1);
    expect(there).toHaveLength(1);
  });

  it("sends nothing for a rolled back transaction and the event after commit", async () => {
    database = await createTestDatabase("postgres");
    const other = await database.openAnother();
    const there: ChangeEvent[] = [];
    other.changes.subscribe((e) => there.push(e));
    await database.store
      .transaction(async (tx) => {
        await tx.changes.publish({ kind: "space.changed", organizationId: "o", spaceId: "rolled-back" });
        throw new Error("abort");
      })
      .catch(() => {});
    await database.store.transaction(async (tx) => {
      await tx.changes.publish({ kind: "space.changed", organizationId: "o", spaceId: "committed" });
    });
    expect(there).toEqual([{ kind: "space.changed", organizationId: "o", spaceId: "committed" }]);
  });

  it("re-listens after losing its connection and tells subscribers to resync", async () => {
    database = await createTestDatabase("postgres");
    const other = await database.openAnother();
    const there: ChangeEvent[] = [];
    other.changes.subscribe((e) => there.push(e));
    const dbName = new URL(database.databaseUrl).pathname.slice(1);
    // Kill every LISTEN connection on this database, as a server restart or failover would.
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = ${dbName} AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`.execute(
      database.store.db,
    );
    await waitFor(there, (e) => e.kind === "resync", 10_000);
    // The publishing side may itself be re-listening; publish until the other side hears it.
    const event: ChangeEvent = { kind: "principal.changed", organizationId: "o", principalId: "sa-1" };
    await database.store.changes.publish(event);
    expect(await waitFor(there, (e) => e.kind === "principal.changed")).toEqual(event);
  });
});
