// Storage layer: Kysely's SQLite dialect, but with transactions begun IMMEDIATE (taking the write
// lock up front), so that two processes on one SQLite file wait for each other (busy timeout)
// instead of failing with SQLITE_BUSY when a read transaction tries to upgrade to a write; and with
// its one connection handed to waiters first come, first served.
//
// Kysely's own SQLite driver guards the connection with a lock that, when released, wakes every
// waiter at once; the first to run takes it, the others go back to waiting, and a query arriving
// in between takes it before all of them. Under 64 concurrent token creations that cost CPU on
// every release (each of the waiters woken and put back) and let some requests wait for seconds
// behind newer ones: the p99 of 0.6-1.7 s and maxima near the length of a whole bench round.
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
