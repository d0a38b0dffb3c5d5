// Store layer, SQLite: an online backup of the store's database file with SQLite's backup API
// (better-sqlite3's `backup`), safe while `keygate serve` is running and writing: the copy is a
// consistent snapshot, checked with `PRAGMA integrity_check` before it is reported done.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";

/** What a backup wrote. */
export interface SqliteBackupResult {
  /** The database file that was copied. */
  readonly source: string;
  readonly destination: string;
  /** Pages copied (of the source's page size). */
  readonly pages: number;
  readonly bytes: number;
}

/** The SQLite file of a data directory (the one `openStore({ dataDir })` uses). */
export function sqliteStorePath(dataDir: string): string {
  return join(dataDir, "keygate.sqlite");
}

/**
 * Copies the store's SQLite file to `destination` (which must not exist) with the online backup
 * API, then checks the copy's integrity; a failed or corrupt copy is removed and the error thrown.
 */
export async function backupSqliteStore(source: string, destination: string): Promise<SqliteBackupResult> {
  if (!existsSync(source)) throw new Error(`no SQLite store at ${source}`);
  if (existsSync(destination)) throw new Error(`${destination} already exists; choose a new file`);
  // Not read-only: a WAL database opened read-only needs its -shm file, absent when no server runs.
  const db = new SqliteDatabase(source, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const progress = await db.backup(destination);
    const copy = new SqliteDatabase(destination, { readonly: true, fileMustExist: true });
    try {
      const check = copy.pragma("integrity_check", { simple: true });
      if (check !== "ok") throw new Error(`the copy failed its integrity check: ${String(check)}`);
      const pageSize = Number(copy.pragma("page_size", { simple: true }));
      return { source, destination, pages: progress.totalPages, bytes: progress.totalPages * pageSize };
    } finally {
      copy.close();
    }
  } catch (error) {
    rmSync(destination, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
