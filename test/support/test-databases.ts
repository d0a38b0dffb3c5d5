// End-to-end tests, support: a fresh place for a Keygate store per test: a temporary SQLite data
// directory, or a new PostgreSQL database on the local server (dropped afterwards).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** The local PostgreSQL server (trust auth). */
export const POSTGRES_ADMIN_URL =
  process.env.KEYGATE_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Where a store lives: the environment and flags that point `keygate` at it. */
export interface StoreLocation {
  readonly dialect: "sqlite" | "postgres";
  /** Environment for `keygate` processes. */
  readonly env: Readonly<Record<string, string>>;
  /** `--data-dir` flags (SQLite). */
  readonly args: readonly string[];
  /** The SQLite data directory (SQLite only). */
  readonly dataDir: string | undefined;
  dispose(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh store location of the dialect. */
export async function freshStore(dialect: "sqlite" | "postgres"): Promise<StoreLocation> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "keygate-e2e-"));
    return {
      dialect,
      env: { KEYGATE_DATABASE_URL: "" },
      args: ["--data-dir", dir],
      dataDir: dir,
      async dispose() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `kg_e2e_${randomBytes(6).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  // Test data need not survive a crash: commits without waiting for the disk are much faster.
  url.searchParams.set("options", "-c synchronous_commit=off");
  return {
    dialect,
    env: { KEYGATE_DATABASE_URL: url.toString() },
    args: [],
    dataDir: undefined,
    async dispose() {
      for (let attempt = 0; ; attempt++) {
        try {
          await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          return;
        } catch (error) {
          if (attempt >= 50) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}
