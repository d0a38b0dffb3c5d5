// Storage layer: Kysely's SQLite dialect, but with transactions begun IMMEDIATE (taking the write
// lock up front), so that two processes on one SQLite file wait for each other (busy timeout)
// instead of failing with SQLITE_BUSY when a read transaction tries to upgrade to a write; and with
// its one connection handed to waiters first come, first served.
//
// Kysely's own SQLite driver guards the connection with a lock that, when released, wakes every
// waiter at once; the first to run takes it, the others go back to waiting, and a query arriving
// in between takes it before all of them: CPU on every release under 64 concurrent writes, and no
// bound on how long one request waits behind newer ones. Ours hands it to the oldest waiter, and
// lets the event loop turn every few ms while a queue passes it on (see fifo-lock.ts: without that,
// a queue of synchronous better-sqlite3 transactions kept the loop in its microtasks, accepting no
// connection and reading no request until it drained, which made requests wait up to seconds).
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";
import { FifoLock } from "./fifo-lock.js";

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #lock = new FifoLock();

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.#lock.acquire();
    // Kysely's lock is always free here (only the holder of ours gets this far), so it is taken at once.
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.#lock.release();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

/** SqliteDialect whose transactions start with BEGIN IMMEDIATE and whose connection is handed over in arrival order. */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
