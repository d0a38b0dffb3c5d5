import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { PreparedQuery } from "./prepared-query.js";
import { createTestDatabase, DIALECTS, insertOrganization, type TestDatabase } from "./test-store.js";

for (const dialect of DIALECTS) {
  describe(`prepared queries (${dialect})`, () => {
    let database: TestDatabase | undefined;
    afterEach(async () => {
      await database?.dispose();
      database = undefined;
    });

    it("builds once and runs with each call's values, in the order the query uses them", async () => {
      database = await createTestDatabase(dialect);
      const store = database.store;
      await store.db
        .insertInto("organizations")
        .values([
          { id: "org-a", name: "a", display_name: "A", created_at: 1 },
          { id: "org-b", name: "b", display_name: "B", created_at: 2 },
        ])
        .execute();
      let builds = 0;
      // The values are taken as (name, id) but used as id, then name.
      const query = new PreparedQuery(["name", "id"] as const, (s, [name, id]) => {
        builds++;
        return s.db
          .selectFrom("organizations")
          .select(["id", "name"])
          .where("id", "=", id)
          .where("name", "=", name);
      });
      const orgs = await store.db.selectFrom("organizations").select(["id", "name"]).execute();
      expect(orgs).toHaveLength(2);
      for (const org of orgs) {
        expect(await query.execute(store, [org.name, org.id])).toEqual([{ id: org.id, name: org.name }]);
        expect(await query.execute(store, [`${org.name}-not`, org.id])).toEqual([]);
      }
      // Inside a transaction too, on its connection.
      const first = orgs[0] as { id: string; name: string };
      expect(await store.transaction((tx) => query.execute(tx, [first.name, first.id]))).toHaveLength(1);
      expect(builds).toBe(1);
    });

    it("refuses a query that does not use each sentinel exactly once", async () => {
      database = await createTestDatabase(dialect);
      const unused = new PreparedQuery(["id"] as const, (s) =>
        s.db.selectFrom("organizations").select("id").where("id", "=", "fixed"),
      );
      await expect(unused.execute(database.store, ["x"])).rejects.toThrow(/sentinel/);
    });

    if (dialect === "postgres") {
      it("is a prepared statement when its columns are named, and keeps working when a column is added", async () => {
        database = await createTestDatabase(dialect);
        const store = database.store;
        await insertOrganization(store, "p");
        const named = new PreparedQuery(["id"] as const, (s, [id]) =>
          s.db.selectFrom("organizations").select(["id", "display_name"]).where("id", "=", id),
        );
        const starred = new PreparedQuery(["id"] as const, (s, [id]) =>
          s.db.selectFrom("organizations").selectAll().where("name", "=", id),
        );
        const statements = await store.transaction(async (tx) => {
          expect(await named.execute(tx, ["org-p"])).toEqual([{ id: "org-p", display_name: "P" }]);
          expect(await starred.execute(tx, ["p"])).toHaveLength(1);
          return (
            await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(tx.db)
          ).rows;
        });
        const texts = statements.map((r) => r.statement);
        expect(texts.some((t) => t.includes('select "id", "display_name" from "organizations"'))).toBe(true);
        expect(texts.some((t) => t.includes("select * from"))).toBe(false);
        // A newer instance's migration adds a column: the prepared statement's result is unchanged.
        await sql`alter table organizations add column added_later text`.execute(store.db);
        for (let i = 0; i < 12; i++) {
          expect(await named.execute(store, ["org-p"])).toEqual([{ id: "org-p", display_name: "P" }]);
        }
      });
    }
  });
}
