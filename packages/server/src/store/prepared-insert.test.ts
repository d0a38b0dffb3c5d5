import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { pipelinedWrite } from "./pipelined-write.js";
import { insertRow } from "./prepared-insert.js";
import type { Store } from "./store.js";
import { createTestDatabase, DIALECTS, insertOrganization, type TestDatabase } from "./test-store.js";

/** Inserts `row` into organizations through insertRow, after checking its SQL and parameters are Kysely's. */
async function insertsAsKyselyDoes(
  store: Store,
  row: { id: string; name: string; display_name: string; created_at: number },
): Promise<void> {
  const mine = insertRow(store, "organizations", row).compile();
  const kysely = store.db.insertInto("organizations").values(row).compile();
  expect(mine.sql).toBe(kysely.sql);
  expect(mine.parameters).toEqual(kysely.parameters);
  await store.db.executeQuery(mine);
}

for (const dialect of DIALECTS) {
  describe(`prepared inserts (${dialect})`, () => {
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.dispose();
      database = undefined;
    });

    it("compiles to Kysely's own SQL and parameters, and inserts each call's values", async () => {
      database = await createTestDatabase(dialect);
      const store = database.store;
      const rows = [
        { id: "org-a", name: "a", display_name: "A", created_at: 1 },
        { id: "org-b", name: "b", display_name: "B's", created_at: 2 },
      ];
      for (const row of rows) {
        await insertsAsKyselyDoes(store, row);
      }
      const stored = await store.db
        .selectFrom("organizations")
        .select(["id", "name", "display_name", "created_at"])
        .orderBy("id")
        .execute();
      expect(stored.map((r) => ({ ...r, created_at: Number(r.created_at) }))).toEqual(rows);
    });

    it("keys the SQL by the columns given: keys in another order, or undefined ones left out", async () => {
      database = await createTestDatabase(dialect);
      const store = database.store;
      const reordered = { created_at: 3, display_name: "C", name: "c", id: "org-c" };
      const withUndefined = {
        id: "org-d",
        name: "d",
        display_name: "D",
        created_at: 4,
        description: undefined,
      };
      for (const row of [reordered, withUndefined]) {
        await insertsAsKyselyDoes(store, row);
      }
      const names = await store.db.selectFrom("organizations").select("name").orderBy("name").execute();
      expect(names.map((r) => r.name)).toEqual(["c", "d"]);
    });

    it("stays Kysely's equal past the column lists it keeps", async () => {
      database = await createTestDatabase(dialect);
      const store = database.store;
      const columns = ["id", "name", "display_name", "created_at"] as const;
      // Twelve orders of the same four columns: twelve column lists.
      for (let i = 0; i < 12; i++) {
        const order = [...columns.slice(i % 4), ...columns.slice(0, i % 4)];
        if (i >= 4) order.reverse();
        if (i >= 8) order.push(order.shift()!);
        const values: Record<string, string | number> = {
          id: `org-${i}`,
          name: `n${i}`,
          display_name: "X",
          created_at: i,
        };
        const row = Object.fromEntries(order.map((c) => [c, values[c]])) as {
          id: string;
          name: string;
          display_name: string;
          created_at: number;
        };
        await insertsAsKyselyDoes(store, row);
      }
      const count = await store.db
        .selectFrom("organizations")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(12);
    });

    it("leaves a row with an expression among its values to Kysely", async () => {
      database = await createTestDatabase(dialect);
      const store = database.store;
      const row = { id: "org-g", name: "g", display_name: "G", created_at: sql<number>`2 + 5` };
      const mine = insertRow(store, "organizations", row).compile();
      expect(mine.sql).toContain("2 + 5");
      await store.db.executeQuery(mine);
      const stored = await store.db
        .selectFrom("organizations")
        .select("created_at")
        .executeTakeFirstOrThrow();
      expect(Number(stored.created_at)).toBe(7);
    });

    it("gives each call a query object of its own (the PostgreSQL driver keys pipelined answers by it)", async () => {
      database = await createTestDatabase(dialect);
      const row = { id: "org-e", name: "e", display_name: "E", created_at: 5 };
      const a = insertRow(database.store, "organizations", row).compile();
      const b = insertRow(database.store, "organizations", { ...row, id: "org-f" }).compile();
      expect(a).not.toBe(b);
      expect(a.parameters).toContain("org-e");
      expect(b.parameters).toContain("org-f");
    });

    if (dialect === "postgres") {
      it("prepares an INSERT once per connection, and again where its first use failed in an aborted transaction", async () => {
        database = await createTestDatabase(dialect);
        const store = database.store;
        // A table no other test here inserts into: its statement is new, first sent in the failing transaction.
        await insertOrganization(store, "s");
        const row = (id: string) => ({
          id,
          organization_id: "org-s",
          parent_id: null,
          name: id,
          description: "",
          created_at: 1,
          updated_at: 1,
        });
        await expect(
          store.transaction(async (tx) => {
            await tx.db.insertInto("spaces").values(row("spc-dup")).execute();
            // Fails (duplicate id) without being waited for; what follows is sent into an aborted transaction.
            await pipelinedWrite(tx, tx.db.insertInto("spaces").values(row("spc-dup")));
            await pipelinedWrite(tx, insertRow(tx, "spaces", row("spc-x")));
          }),
        ).rejects.toThrow(/duplicate key/);
        // The pool hands the same connection out next: the statement is parsed again there.
        for (let i = 0; i < 12; i++) {
          await store.transaction((tx) => pipelinedWrite(tx, insertRow(tx, "spaces", row(`spc-${i}`))));
        }
        const prepared = await store.transaction(async (tx) => {
          await pipelinedWrite(tx, insertRow(tx, "spaces", row("spc-last")));
          return (
            await sql<{
              name: string;
              statement: string;
            }>`select name, statement from pg_prepared_statements`.execute(tx.db)
          ).rows;
        });
        expect(
          prepared.some((p) => p.name.startsWith("keygate_") && p.statement.includes('insert into "spaces"')),
        ).toBe(true);
        const ids = await store.db.selectFrom("spaces").select("id").execute();
        expect(ids.map((r) => r.id).sort()).toEqual(
          ["spc-last", ...Array.from({ length: 12 }, (_, i) => `spc-${i}`)].sort(),
        );
      });
    }
  });
}
