import SqliteDatabase from "better-sqlite3";
import { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import { SqliteStoreDialect } from "./sqlite-dialect.js";
import { withStatementCache } from "./sqlite-statement-cache.js";

interface Db {
  items: { id: number; name: string };
}

describe("SQLite statements prepared once per SQL text", () => {
  it("prepares each text once and keeps answering with fresh parameters", async () => {
    const sqlite = new SqliteDatabase(":memory:");
    let prepared = 0;
    const prepare = sqlite.prepare.bind(sqlite);
    sqlite.prepare = ((sql: string) => {
      prepared++;
      return prepare(sql);
    }) as typeof sqlite.prepare;
    // The store's dialect keeps its statements with withStatementCache.
    const db = new Kysely<Db>({ dialect: new SqliteStoreDialect({ writer: sqlite }) });
    await db.schema.createTable("items").addColumn("id", "integer", (c) => c.primaryKey()).addColumn("name", "text").execute();
    for (let i = 0; i < 5; i++) await db.insertInto("items").values({ id: i, name: `n${i}` }).execute();
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      const row = await db.selectFrom("items").select("name").where("id", "=", i).executeTakeFirstOrThrow();
      names.push(row.name);
    }
    expect(names).toEqual(["n0", "n1", "n2", "n3", "n4"]);
    // create table, one insert text, one select text.
    expect(prepared).toBe(3);
    // A schema change after a statement was kept: SQLite prepares it again underneath.
    await db.schema.alterTable("items").addColumn("extra", "text").execute();
    const row = await db.selectFrom("items").select("name").where("id", "=", 2).executeTakeFirstOrThrow();
    expect(row.name).toBe("n2");
    // Transactions and a stream on the same texts.
    await db.transaction().execute(async (tx) => {
      await tx.insertInto("items").values({ id: 9, name: "n9" }).execute();
    });
    const streamed: string[] = [];
    let during: Promise<{ name: string }[]> | undefined;
    for await (const r of db.selectFrom("items").select("name").orderBy("id").stream()) {
      streamed.push(r.name);
      // A query started between rows of the stream waits for it (one query at a time per
      // connection), so the stream's statement is never asked for twice at once.
      if (r.name === "n1") during = db.selectFrom("items").select("name").orderBy("id").execute();
    }
    expect(streamed).toEqual(["n0", "n1", "n2", "n3", "n4", "n9"]);
    expect((await during)?.map((r) => r.name)).toEqual(streamed);
    await db.destroy();
  });

  it("drops the oldest statement beyond its limit", () => {
    const sqlite = new SqliteDatabase(":memory:");
    let prepared = 0;
    const cache = withStatementCache(
      {
        close: () => sqlite.close(),
        prepare: (sql: string) => {
          prepared++;
          return sqlite.prepare(sql);
        },
      },
      2,
    );
    cache.prepare("select 1");
    cache.prepare("select 2");
    cache.prepare("select 1");
    expect(prepared).toBe(2);
    cache.prepare("select 3");
    cache.prepare("select 1");
    expect(prepared).toBe(4);
    cache.close();
  });
});
