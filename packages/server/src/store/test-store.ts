// Storage layer, for tests: fresh, isolated stores on every dialect: a new SQLite file in a temp
// directory, or a new PostgreSQL schema in a database of the test process's own (both removed
// afterwards; the database when the process ends).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

/** Inserts organization `org-<name>` (named `name`, displayed as its upper case), for tests of the store's own parts. */
export async function insertOrganization(store: Store, name: string): Promise<void> {
  await store.db
    .insertInto("organizations")
    .values({ id: `org-${name}`, name, display_name: name.toUpperCase(), created_at: 1 })
    .execute();
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

async function adminQuery(sql: string, connectionString = TEST_POSTGRES_URL): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// CREATE DATABASE costs most of a second (it copies and syncs a template), so each test process
// creates one database for its whole run and every test gets a fresh schema in it (milliseconds).
// A detached watcher drops that database as soon as the process is gone, however it ends.
const REAPER = `
import pg from "pg";
const [admin, name, pid] = process.argv.slice(1);
const alive = () => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
const timer = setInterval(async () => {
  if (alive()) return;
  clearInterval(timer);
  const client = new pg.Client({ connectionString: admin });
  try { await client.connect(); await client.query("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); }
  finally { await client.end().catch(() => {}); }
}, 200);
`;

let processDatabase: Promise<string> | undefined;

/** The database of this test process, created on first use and dropped when the process ends. */
function processDatabaseName(): Promise<string> {
  processDatabase ??= (async () => {
    const name = `kg_test_${process.pid}_${randomBytes(4).toString("hex")}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    const reaper = spawn(process.execPath, ["--input-type=module", "-e", REAPER, TEST_POSTGRES_URL, name, String(process.pid)], {
      cwd: fileURLToPath(new URL(".", import.meta.url)),
      detached: true,
      stdio: "ignore",
    });
    reaper.unref();
    return name;
  })();
  return processDatabase;
}

async function createPostgresTestDatabase(): Promise<TestDatabase> {
  const database = await processDatabaseName();
  const schema = `kg_${randomBytes(6).toString("hex")}`;
  const base = withDatabase(TEST_POSTGRES_URL, database);
  await adminQuery(`CREATE SCHEMA ${schema}`, base);
  const url = new URL(base);
  // Test data need not survive a crash: commits without waiting for the disk are much faster.
  url.searchParams.set("options", `-c synchronous_commit=off -c search_path=${schema}`);
  const databaseUrl = url.toString();
  const stores: Store[] = [];
  try {
    stores.push(await openStore({ databaseUrl }));
  } catch (error) {
    await adminQuery(`DROP SCHEMA ${schema} CASCADE`, base);
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
      await adminQuery(`DROP SCHEMA ${schema} CASCADE`, base);
    },
  };
}
