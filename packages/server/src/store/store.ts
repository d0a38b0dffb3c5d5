// Storage layer: the store handle every domain function takes first: a Kysely instance over
// SQLite (better-sqlite3, the default) or PostgreSQL (pg), its change feed, and transactions.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, sql } from "kysely";
import pg from "pg";
import {
  type AnnouncedChange,
  ChangeBatch,
  type ChangeFeed,
  LocalChangeFeed,
  type SentChanges,
} from "./change-feed.js";
import type { Database } from "./database-schema.js";
import { ListedMigrationProvider } from "./migration-provider.js";
import { PgChangeFeed } from "./pg-change-feed.js";
import { PipelinedPostgresDialect } from "./pg-pipelined-dialect.js";
import { SqliteCheckpointer } from "./sqlite-checkpointer.js";
import { SqliteStoreDialect } from "./sqlite-dialect.js";
import { RetryOutsideTransaction, TRANSACTION_ATTEMPTS } from "./transaction-retry.js";

/** The SQL dialect a store runs on. */
export type StoreDialect = "sqlite" | "postgres";

/** Where the store lives. */
export interface StoreOptions {
  /** `postgres://...`/`postgresql://...` for PostgreSQL; `sqlite:<path>` or `:memory:` for SQLite. */
  readonly databaseUrl?: string;
  /** Directory of the default SQLite file `keygate.sqlite` (created if missing); default `./data`. */
  readonly dataDir?: string;
  /**
   * SQLite only: `normal` (default; a commit survives a process crash, not always a power loss) or
   * `full` (every commit synced to disk before it returns).
   */
  readonly sqliteSynchronous?: "normal" | "full";
  /**
   * Called after a transaction that announced changes has committed, before this instance
   * delivers them or the caller goes on; for tests that stop a process between commit and reply.
   */
  readonly onCommitted?: (changes: readonly AnnouncedChange[]) => Promise<void>;
}

/** A figure of the store's own machinery, for /metrics. */
export interface StoreMetric {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly read: () => number;
}

/** A database handle: the whole store, or the same shape bound to one open transaction. */
export interface Store {
  /** The query builder; inside `transaction`, bound to that transaction. */
  readonly db: Kysely<Database>;
  /** Which SQL dialect is underneath. */
  readonly dialect: StoreDialect;
  /** The change feed: subscribe to hear of changes from every instance (announce with announceChange). */
  readonly changes: ChangeFeed;
  /** The changes announced in this transaction so far (sent as it commits); undefined outside a transaction. */
  readonly announcedChanges: ChangeBatch | undefined;
  /** True for the handle given to a `transaction` callback. */
  readonly inTransaction: boolean;
  /** Figures of the store's machinery for /metrics (SQLite: group commits, checkpoints); none on PostgreSQL or a transaction. */
  readonly metrics: readonly StoreMetric[];
  /**
   * Runs `fn` in one transaction (or in the current one when already inside a transaction). When
   * `fn` throws RetryOutsideTransaction, the transaction rolls back, its `prepare` runs, and `fn`
   * runs again in a new transaction (at most TRANSACTION_ATTEMPTS times in all).
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * Runs `task` with the root store once this transaction has committed, never if it rolls back;
   * outside a transaction, on a later turn of the event loop. For work that must not hold up the
   * change (housekeeping such as pruning old policy samples). `task` must not throw.
   */
  afterCommit(task: (root: Store) => void): void;
  /** Runs a trivial query; rejects when the database is unreachable (for readiness checks). */
  ping(): Promise<void>;
  /** Closes connections and the change feed (not allowed on a transaction handle). */
  close(): Promise<void>;
}

async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`SELECT 1`.execute(db);
}

class TransactionStore implements Store {
  readonly inTransaction = true;
  readonly metrics: readonly StoreMetric[] = [];
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
    readonly changes: ChangeFeed,
    readonly announcedChanges: ChangeBatch,
    private readonly committedTasks: ((root: Store) => void)[],
  ) {}

  afterCommit(task: (root: Store) => void): void {
    this.committedTasks.push(task);
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return fn(this);
  }

  ping(): Promise<void> {
    return pingDatabase(this.db);
  }

  async close(): Promise<void> {
    throw new Error("close() is not allowed on a transaction handle; close the store that opened it");
  }
}

function runTask(task: (root: Store) => void, root: Store): void {
  try {
    task(root);
  } catch {
    // Housekeeping after a commit must not break what follows it.
  }
}

class RootStore implements Store {
  readonly inTransaction = false;
  readonly announcedChanges = undefined;
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
    readonly changes: ChangeFeed,
    private readonly onCommitted?: (changes: readonly AnnouncedChange[]) => Promise<void>,
    /** Stops what runs beside the connection (SQLite's checkpointer) before it closes. */
    private readonly beforeClose?: () => Promise<void>,
    readonly metrics: readonly StoreMetric[] = [],
  ) {}

  afterCommit(task: (root: Store) => void): void {
    setImmediate(() => runTask(task, this));
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const batch = new ChangeBatch();
      const sending: { sent?: SentChanges } = {};
      const committedTasks: ((root: Store) => void)[] = [];
      let result: T;
      try {
        result = await this.db.transaction().execute(async (trx) => {
          const value = await fn(
            new TransactionStore(trx, this.dialect, this.changes, batch, committedTasks),
          );
          // Last statements before COMMIT: the notifications go out with the commit or not at all.
          if (batch.changes.length > 0) sending.sent = await this.changes.send(trx, batch.changes);
          return value;
        });
      } catch (error) {
        if (sending.sent) this.changes.commitFailed(sending.sent);
        // Rolled back (its announced changes with it); prepare outside, then run it again.
        if (!(error instanceof RetryOutsideTransaction)) throw error;
        if (attempt >= TRANSACTION_ATTEMPTS) throw error.exhausted();
        await error.prepare();
        continue;
      }
      if (committedTasks.length > 0)
        setImmediate(() => {
          for (const task of committedTasks) runTask(task, this);
        });
      if (sending.sent) {
        await this.onCommitted?.(sending.sent.changes.map((c) => c.change));
        await this.changes.committed(sending.sent);
      }
      return result;
    }
  }

  ping(): Promise<void> {
    return pingDatabase(this.db);
  }

  async close(): Promise<void> {
    await this.changes.close();
    await this.beforeClose?.();
    await this.db.destroy();
  }
}

/** The SQLite store's figures; `file` for a database file (an in-memory one has no WAL to checkpoint). */
function sqliteMetrics(
  dialect: SqliteStoreDialect,
  file: { readonly checkpointer: SqliteCheckpointer | undefined } | undefined,
): StoreMetric[] {
  const { stats } = dialect;
  const checkpointer = file?.checkpointer;
  const commits: StoreMetric[] = [
    {
      name: "keygate_sqlite_group_commits_total",
      help: "COMMITs of SQLite transactions committed together (group commits).",
      type: "counter",
      read: () => stats.batches,
    },
    {
      name: "keygate_sqlite_group_committed_transactions_total",
      help: "SQLite transactions committed as members of a group commit.",
      type: "counter",
      read: () => stats.batchedTransactions,
    },
    {
      name: "keygate_sqlite_group_commits_lost_total",
      help: "Group commits lost whole (their COMMIT failed): every member was answered with the error.",
      type: "counter",
      read: () => stats.lostBatches,
    },
  ];
  if (file === undefined) return commits;
  return [
    ...commits,
    {
      name: "keygate_sqlite_checkpoints_total",
      help: "WAL checkpoints run by the checkpointer thread.",
      type: "counter",
      read: () => checkpointer?.stats.checkpoints ?? 0,
    },
    {
      name: "keygate_sqlite_wal_frames",
      help: "Frames in the WAL at the checkpointer's last checkpoint.",
      type: "gauge",
      read: () => checkpointer?.stats.lastWalFrames ?? 0,
    },
    {
      name: "keygate_sqlite_checkpointer_down",
      help: "1 when the checkpointer thread is gone (or never started) and the connection checkpoints by itself.",
      type: "gauge",
      read: () => (checkpointer === undefined || checkpointer.stats.fellBack ? 1 : 0),
    },
  ];
}

/** True when the URL names a PostgreSQL database. */
export function isPostgresUrl(url: string): boolean {
  return url.startsWith("postgres://") || url.startsWith("postgresql://");
}

const INT8_OID = 20;

/** Opens (and migrates to the latest schema) the store named by the options. */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const url = options.databaseUrl;
  if (url !== undefined && isPostgresUrl(url)) return openPostgresStore(url, options.onCommitted);
  let path: string;
  if (url === undefined || url === "") {
    const dir = options.dataDir ?? "./data";
    mkdirSync(dir, { recursive: true });
    path = join(dir, "keygate.sqlite");
  } else if (url === ":memory:" || url === "sqlite::memory:") {
    path = ":memory:";
  } else if (url.startsWith("sqlite:")) {
    path = url.slice("sqlite:".length).replace(/^\/\//, "");
  } else {
    // Only the scheme is echoed: the rest of a URL may hold a password.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? "(no scheme)";
    throw new Error(
      `Unsupported database URL scheme "${scheme}"; use postgres://user@host:port/db, sqlite:<file path> or :memory:`,
    );
  }
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma("journal_mode = WAL");
  // Said outright rather than left to how better-sqlite3 was compiled (its WAL default is NORMAL).
  sqlite.pragma(`synchronous = ${options.sqliteSynchronous === "full" ? "FULL" : "NORMAL"}`);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // A file gets a second connection for plain reads (see sqlite-dialect.ts); it never writes.
  let reader: SqliteDatabase.Database | undefined;
  if (path !== ":memory:") {
    reader = new SqliteDatabase(path);
    reader.pragma("query_only = ON");
    reader.pragma("busy_timeout = 5000");
  }
  const dialect = new SqliteStoreDialect(reader === undefined ? { writer: sqlite } : { writer: sqlite, reader });
  const db = new Kysely<Database>({ dialect });
  // A file's checkpoints run on a thread of their own (an in-memory database has no WAL).
  const checkpointer = path === ":memory:" ? undefined : await SqliteCheckpointer.start(sqlite, path);
  const store = new RootStore(
    db,
    "sqlite",
    new LocalChangeFeed(db),
    options.onCommitted,
    () => (checkpointer ? checkpointer.close() : Promise.resolve()),
    sqliteMetrics(dialect, path === ":memory:" ? undefined : { checkpointer }),
  );
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

async function openPostgresStore(url: string, onCommitted: StoreOptions["onCommitted"]): Promise<Store> {
  // BIGINT columns hold epoch milliseconds and counts, all well inside Number's exact range.
  const types = {
    getTypeParser: ((oid: number, format?: "text" | "binary") =>
      oid === INT8_OID
        ? (value: string) => Number(value)
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  // Pipeline mode: a transaction's statements go out without waiting where they may (pg-pipelined-dialect.ts).
  const pool = new pg.Pool({ connectionString: url, types, max: 10, pipeline: true });
  // An idle connection dropped by the server (restart, failover) is discarded by the pool; without
  // a listener the 'error' event would crash the process.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PipelinedPostgresDialect(pool) });
  let feed: PgChangeFeed;
  try {
    feed = await PgChangeFeed.open(url, pool, db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const store = new RootStore(db, "postgres", feed, onCommitted);
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Applies every pending migration; throws with the failing migration's name and cause. */
export async function migrate(store: Store): Promise<void> {
  // On PostgreSQL, Kysely looks for its migration tables in every schema unless told which: a
  // second deployment (or test) in another schema of the same database would find the first's.
  const schema =
    store.dialect === "postgres"
      ? (await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(store.db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: store.db,
    provider: new ListedMigrationProvider(),
    ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "(unknown)";
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`Database migration ${failed} failed: ${cause}`, { cause: error });
  }
}
