// Storage layer: pipelined writes on both dialects. They commit with their transaction; a failed
// one fails it (mapped, at the next awaited statement or at COMMIT) and nothing of it is kept; on
// PostgreSQL a transaction's pipelined write does not wait for its answer.
import { sql } from "kysely";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { pipelinedWrite } from "./pipelined-write.js";
import { createTestDatabase, DIALECTS, type TestDatabase } from "./test-store.js";

class Mapped extends Error {
  constructor(readonly cause: unknown) {
    super("mapped");
  }
}
const mapped = (error: unknown) => new Mapped(error);

const organization = (id: string) => ({ id, name: id, display_name: id, created_at: 1 });
const space = (id: string, organizationId: string) => ({
  id,
  organization_id: organizationId,
  parent_id: null,
  name: id,
  description: "",
  created_at: 1,
  updated_at: 1,
});

for (const dialect of DIALECTS) {
  describe(`pipelined writes on ${dialect}`, () => {
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.dispose();
      database = undefined;
    });

    const organizations = async () =>
      (await database!.store.db.selectFrom("organizations").select("id").orderBy("id").execute()).map(
        (r) => r.id,
      );

    it("commit with their transaction, in order with the statements around them, and hand on their rows", async () => {
      database = await createTestDatabase(dialect);
      const seen: string[] = [];
      const counted = await database.store.transaction(async (tx) => {
        await pipelinedWrite(tx, tx.db.insertInto("organizations").values(organization("org-a")));
        await pipelinedWrite(
          tx,
          tx.db.insertInto("spaces").values(space("spc-a", "org-a")).returning("id"),
          undefined,
          (rows) => seen.push(...rows.map((r) => r.id)),
        );
        // A statement behind them sees them.
        const { n } = await tx.db
          .selectFrom("spaces")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow();
        return Number(n);
      });
      expect(counted).toBe(1);
      expect(seen).toEqual(["spc-a"]);
      expect(await organizations()).toEqual(["org-a"]);
    });

    it("a failed one fails its transaction with its mapped error, at COMMIT at the latest; nothing is kept", async () => {
      database = await createTestDatabase(dialect);
      const failed = database.store.transaction(async (tx) => {
        await pipelinedWrite(tx, tx.db.insertInto("organizations").values(organization("org-a")));
        // The space's organization does not exist: a foreign-key violation.
        await pipelinedWrite(tx, tx.db.insertInto("spaces").values(space("spc-x", "org-missing")), mapped);
        await pipelinedWrite(tx, tx.db.insertInto("organizations").values(organization("org-b")));
      });
      const error = await failed.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Mapped);
      expect(String((error as Mapped).cause)).toMatch(/foreign key/i);
      expect(await organizations()).toEqual([]);
    });

    it("a statement awaited after a failed one fails with the failed one's mapped error", async () => {
      database = await createTestDatabase(dialect);
      const failed = database.store.transaction(async (tx) => {
        await pipelinedWrite(tx, tx.db.insertInto("spaces").values(space("spc-x", "org-missing")), mapped);
        await tx.db.selectFrom("organizations").selectAll().execute();
        return "not reached";
      });
      await expect(failed).rejects.toBeInstanceOf(Mapped);
    });

    it("outside a transaction, run at once: the mapped error is thrown at the call", async () => {
      database = await createTestDatabase(dialect);
      const store = database.store;
      await expect(
        pipelinedWrite(store, store.db.insertInto("spaces").values(space("spc-x", "org-missing")), mapped),
      ).rejects.toBeInstanceOf(Mapped);
      const seen: string[] = [];
      await pipelinedWrite(
        store,
        store.db.insertInto("organizations").values(organization("org-a")).returning("id"),
        undefined,
        (rows) => seen.push(...rows.map((r) => r.id)),
      );
      expect(seen).toEqual(["org-a"]);
    });
  });
}

describe("pipelined writes on postgres", () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.dispose();
    database = undefined;
  });

  it("are sent without waiting for their answer (a write blocked by another session's lock does not hold up the caller)", async () => {
    database = await createTestDatabase("postgres");
    const store = database.store;
    await store.db.insertInto("organizations").values(organization("org-a")).execute();
    // Another session holds the row's lock until told to let go.
    const other = new pg.Client({ connectionString: database.databaseUrl });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("UPDATE organizations SET display_name = 'held' WHERE id = 'org-a'");
      let sentAhead = false;
      const done = store.transaction(async (tx) => {
        await pipelinedWrite(
          tx,
          tx.db.updateTable("organizations").set({ display_name: "ours" }).where("id", "=", "org-a"),
        );
        // Reached while the update still waits for the lock: the caller did not wait for its answer.
        sentAhead = true;
        await other.query("COMMIT");
        return (await sql<{ name: string }>`SELECT display_name AS name FROM organizations`.execute(tx.db))
          .rows;
      });
      expect(await done).toEqual([{ name: "ours" }]);
      expect(sentAhead).toBe(true);
    } finally {
      await other.end();
    }
  });
});
