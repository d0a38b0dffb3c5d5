// Storage layer, for tests: fresh, isolated stores on every dialect: a new SQLite file in a temp
// directory, or a new uniquely named PostgreSQL database (dropped afterwards).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openStore, type Store, type StoreDialect } from "./store.js";

/** Both dialects, for `for (const dialect of DIALECTS)` test loops. */
export const DIALECTS: readonly StoreDialect[] = ["sqlite", "postgres"];

/** The PostgreSQL server tests use (a database on it is the admin connection). */
export const TEST_POSTGRES_URL =
  process.env.KEYGATE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** An isolated database for one test (or suite). */
export interface TestDatabase {
  readonly dialect: StoreDialect;
  /** The URL to open more stores on the same database (e.g. a second instance). */
  readonly databaseUrl: string;
  /** A store opened on it. */
  readonly store: Store;
  /** Opens another store (another "instance") on the same database; closed by `dispose`. */
  openAnother(): Promise<Store>;
  /** Closes every store and removes the database. */
  dispose(): Promise<void>;
}

/** Creates a fresh database of the dialect and opens a migrated store on it. */
export async function createTestDatabase(dialect: StoreDialect): Promise<TestDatabase> {
  switch (dialect) {
    case "sqlite":
      return createSqliteTestDatabase();
    case "postgres":
      return createPostgresTestDatabase();
  }
}

async function createSqliteTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "keygate-test-"));
  const databaseUrl = `sqlite:${join(dir, "keygate.sqlite")}`;
  const stores: Store[] = [];
  try {
    stores.push(await openStore({ databaseUrl }));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dialect: "sqlite",
    databaseUrl,
    store: stores[0]!,
    async openAnother() {
      const store = await openStore({ databaseUrl });
      stores.push(store);
      return store;
    },
    async dispose() {
      for (const store of stores) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function dropDatabase(name: string): Promise<void> {
  // Closed pools may still be hanging up; wait for them rather than killing them mid-goodbye.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function createPostgresTestDatabase(): Promise<TestDatabase> {
  const name = `kg_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const databaseUrl = withDatabase(TEST_POSTGRES_URL, name);
  const stores: Store[] = [];
  try {
    stores.push(await openStore({ databaseUrl }));
  } catch (error) {
    await dropDatabase(name);
    throw error;
  }
  return {
    dialect: "postgres",
    databaseUrl,
    store: stores[0]!,
    async openAnother() {
      const store = await openStore({ databaseUrl });
      stores.push(store);
      return store;
    },
    async dispose() {
      for (const store of stores) await store.close();
      await dropDatabase(name);
    },
  };
}
