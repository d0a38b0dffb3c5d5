import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteCheckpointer } from "./sqlite-checkpointer.js";
import { openStore } from "./store.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function walDatabase(): { path: string; db: SqliteDatabase.Database } {
  const dir = mkdtempSync(join(tmpdir(), "keygate-checkpoint-"));
  dirs.push(dir);
  const path = join(dir, "db.sqlite");
  const db = new SqliteDatabase(path);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT)");
  return { path, db };
}

function writeRows(db: SqliteDatabase.Database, count: number): void {
  const insert = db.prepare("INSERT INTO rows (body) VALUES (?)");
  for (let i = 0; i < count; i++) insert.run("x".repeat(500));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("SqliteCheckpointer", () => {
  it("takes the connection's checkpoints onto its thread and copies the WAL into the file", async () => {
    const { path, db } = walDatabase();
    const checkpointer = await SqliteCheckpointer.start(db, path, 20);
    expect(checkpointer).toBeDefined();
    if (!checkpointer) return;
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    const before = statSync(path).size;
    // 3,000 commits: far past the 1,000 pages at which the connection would have checkpointed itself.
    writeRows(db, 3000);
    await until(() => checkpointer.stats.checkpoints > 0 && statSync(path).size > before, "a checkpoint");
    expect(checkpointer.stats.lastWalFrames).toBeGreaterThan(0);
    expect(checkpointer.stats.failures).toBe(0);
    await checkpointer.close();
    expect(checkpointer.stats.fellBack).toBe(false);
    db.close();
  });

  it("gives the connection its automatic checkpoints back when the thread dies", async () => {
    const { path, db } = walDatabase();
    const checkpointer = await SqliteCheckpointer.start(db, path, 20);
    if (!checkpointer) throw new Error("the checkpointer did not start");
    await checkpointer.worker.terminate();
    await until(() => checkpointer.stats.fellBack, "the fallback");
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    db.close();
  });

  it("runs beside a file store, which closes it before its own connection (the WAL is gone after close)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keygate-checkpoint-store-"));
    dirs.push(dir);
    const store = await openStore({ dataDir: dir });
    await store.transaction(async (tx) => {
      await tx.db.selectFrom("organizations").select("id").execute();
    });
    // Its figures for /metrics: transactions started together commit together; the thread is up.
    await Promise.all(
      Array.from({ length: 10 }, () =>
        store.transaction(async (tx) => {
          await tx.db.selectFrom("organizations").select("id").execute();
        }),
      ),
    );
    const figure = (name: string) => store.metrics.find((m) => m.name === name)?.read();
    expect(figure("keygate_sqlite_group_committed_transactions_total")).toBe(11);
    expect(figure("keygate_sqlite_group_commits_total")).toBeLessThan(11);
    expect(figure("keygate_sqlite_checkpointer_down")).toBe(0);
    await store.close();
    expect(existsSync(join(dir, "keygate.sqlite-wal"))).toBe(false);
    const reopened = new SqliteDatabase(join(dir, "keygate.sqlite"));
    expect(reopened.pragma("integrity_check", { simple: true })).toBe("ok");
    reopened.close();
  });
});
