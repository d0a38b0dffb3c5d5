import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteStoreDialect } from "./sqlite-dialect.js";

interface Db {
  parents: { id: number };
  items: { id: number; parent_id: number | null };
}

const opened: { dir: string; db: Kysely<Db> }[] = [];
afterEach(async () => {
  for (const { dir, db } of opened.splice(0)) {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A file database with a writer and a reader, and a third connection to look at it from outside. */
async function fileDatabase(): Promise<{ db: Kysely<Db>; dialect: SqliteStoreDialect; outside: () => number[] }> {
  const dir = mkdtempSync(join(tmpdir(), "keygate-dialect-"));
  const path = join(dir, "db.sqlite");
  const writer = new SqliteDatabase(path);
  writer.pragma("journal_mode = WAL");
  writer.pragma("foreign_keys = ON");
  writer.exec(`CREATE TABLE parents (id INTEGER PRIMARY KEY);
    CREATE TABLE items (id INTEGER PRIMARY KEY,
      parent_id INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)`);
  const reader = new SqliteDatabase(path);
  reader.pragma("query_only = ON");
  const dialect = new SqliteStoreDialect({ writer, reader });
  const db = new Kysely<Db>({ dialect });
  opened.push({ dir, db });
  const outside = () => {
    const other = new SqliteDatabase(path, { readonly: true });
    try {
      return (other.prepare("SELECT id FROM items ORDER BY id").all() as { id: number }[]).map((r) => r.id);
    } finally {
      other.close();
    }
  };
  return { db, dialect, outside };
}

const insert = (db: Kysely<Db>, id: number, parentId: number | null = null) =>
  db.insertInto("items").values({ id, parent_id: parentId }).execute();

describe("SQLite dialect: a writer, a reader and group commits", () => {
  it("commits queued transactions together, and each caller hears of it only once it is on disk", async () => {
    const { db, dialect, outside } = await fileDatabase();
    const seenAtResolve: number[][] = [];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        db
          .transaction()
          .execute((tx) => insert(tx, i))
          .then(() => seenAtResolve.push(outside())),
      ),
    );
    // Every caller, when told, could already read its row from another connection.
    for (const [i, seen] of seenAtResolve.entries()) expect(seen.length).toBeGreaterThan(i);
    expect(outside()).toHaveLength(40);
    expect(dialect.stats.batchedTransactions).toBe(40);
    // 40 transactions queued at once need far fewer COMMITs than 40.
    expect(dialect.stats.batches).toBeLessThan(40);
  });

  it("commits a batch whose member waits on something past the turn when that member ends", async () => {
    const { db, outside } = await fileDatabase();
    const first = db.transaction().execute((tx) => insert(tx, 1));
    // Joins the open batch in the same turn, then waits past the check phase holding the writer.
    const second = db.transaction().execute(async (tx) => {
      await insert(tx, 2);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await insert(tx, 3);
    });
    await first;
    expect(outside()).toEqual([1, 2, 3]);
    await second;
  });

  it("rolls back a failing member alone; the others of its batch commit", async () => {
    const { db, outside } = await fileDatabase();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        db.transaction().execute(async (tx) => {
          await insert(tx, i);
          if (i % 3 === 0) throw new Error(`member ${i} fails`);
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? "rejected" : "fulfilled")),
    );
    expect(outside()).toEqual([1, 2, 4, 5, 7, 8]);
  });

  it("reads outside transactions see what is committed, never a transaction in progress, and do not wait for it", async () => {
    const { db } = await fileDatabase();
    await insert(db, 1);
    let finish!: () => void;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let inserted!: () => void;
    const insertedSignal = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const open = db.transaction().execute(async (tx) => {
      await insert(tx, 2);
      inserted();
      await held;
    });
    await insertedSignal;
    // The writer is held by the open transaction: a plain read answers at once, without row 2.
    const during = await db.selectFrom("items").select("id").orderBy("id").execute();
    expect(during.map((r) => r.id)).toEqual([1]);
    finish();
    await open;
    const after = await db.selectFrom("items").select("id").orderBy("id").execute();
    expect(after.map((r) => r.id)).toEqual([1, 2]);
  });

  it("commits the open batch before a writing statement outside a transaction", async () => {
    const { db, outside } = await fileDatabase();
    const order: string[] = [];
    await Promise.all([
      db
        .transaction()
        .execute((tx) => insert(tx, 1))
        .then(() => order.push("transaction")),
      insert(db, 2).then(() => order.push("statement")),
    ]);
    expect(order).toEqual(["transaction", "statement"]);
    expect(outside()).toEqual([1, 2]);
  });

  it("fails every member of a batch whose COMMIT fails, and keeps working after it", async () => {
    const { db, dialect, outside } = await fileDatabase();
    // A deferred foreign key is checked at COMMIT: member 0 breaks it, so the batch's COMMIT fails.
    const results = await Promise.allSettled([
      db.transaction().execute((tx) => insert(tx, 10, 999)),
      db.transaction().execute((tx) => insert(tx, 11)),
      db.transaction().execute((tx) => insert(tx, 12)),
    ]);
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(dialect.stats.lostBatches).toBe(1);
    expect(outside()).toEqual([]);
    await db.transaction().execute((tx) => insert(tx, 13));
    await sql`INSERT INTO parents (id) VALUES (1)`.execute(db);
    expect(outside()).toEqual([13]);
  });
});
