// Storage layer: Kysely's SQLite dialect as the store runs it. Two connections to one file:
// - the writer, which every transaction and every writing statement runs on, one at a time, handed
//   to its waiters first come, first served (fifo-lock.ts). Transactions begin IMMEDIATE (taking
//   the write lock up front), so two processes on one file wait for each other (busy timeout)
//   instead of failing with SQLITE_BUSY when a read transaction tries to upgrade to a write;
// - the reader (query_only), which plain SELECTs outside a transaction run on without waiting for
//   the writer: in WAL mode it sees every transaction committed before the statement starts, and
//   nothing uncommitted.
// With both, transactions share COMMITs (sqlite-commit-batch.ts). better-sqlite3 never waits for
// I/O, so a request's transaction usually runs from BEGIN to its end within one turn of the event
// loop, before the next request is even read: they never queue for the writer. So a transaction's
// end leaves its SQLite transaction open until the event loop's check phase (setImmediate), after
// the requests read in the same turn have run theirs in it, each in a savepoint of its own; then one
// COMMIT writes them all, and only then does each caller hear of its commit. A failing member rolls
// back to its savepoint alone. A batch commits at once when it has BATCH_MAX_MEMBERS members or is
// BATCH_MAX_AGE_MS old, and before any writing statement outside a transaction. An in-memory
// database has one connection only: there, plain reads queue for it too and each transaction
// commits by itself.
//
// Kysely's own SQLite driver guards its connection with a lock that, when released, wakes every
// waiter at once; the first to run takes it, the others go back to waiting, and a query arriving in
// between takes it before all of them. Ours hands it to the oldest waiter, and lets the event loop
// turn every few ms while a queue passes it on (see fifo-lock.ts).
import type BetterSqlite3 from "better-sqlite3";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
  SqliteDialect,
  type SqliteDatabase,
} from "kysely";
import { CommitBatch } from "./sqlite-commit-batch.js";
import { FifoLock } from "./fifo-lock.js";
import { withStatementCache } from "./sqlite-statement-cache.js";

/** Most transactions one COMMIT carries. */
export const BATCH_MAX_MEMBERS = 64;
/** A batch this old (ms) commits at once, whoever waits. */
export const BATCH_MAX_AGE_MS = 2;

/** The connections of a store's SQLite file. */
export interface SqliteConnections {
  /** The connection every transaction and write runs on. */
  readonly writer: BetterSqlite3.Database;
  /** A second connection to the same file for plain reads; absent for an in-memory database. */
  readonly reader?: BetterSqlite3.Database;
}

/** What the driver has done, for metrics and tests. */
export interface SqliteDriverStats {
  /** COMMITs of batches (transactions that ended on their own are not counted). */
  batches: number;
  /** Transactions committed as members of a batch. */
  batchedTransactions: number;
  /** Batches lost whole (their COMMIT failed, or SQLite rolled their transaction back). */
  lostBatches: number;
}

const MEMBER_SAVEPOINT = "keygate_member";

function run(db: SqliteDatabase, compiled: CompiledQuery): QueryResult<unknown> {
  const statement = db.prepare(compiled.sql);
  if (statement.reader) return { rows: statement.all(compiled.parameters) as unknown[] };
  const { changes, lastInsertRowid } = statement.run(compiled.parameters);
  return {
    numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
    insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
    rows: [],
  };
}

/** One use of the store's connections (a query, or a transaction): where its statements run. */
class Session implements DatabaseConnection {
  /** True while this session holds the writer. */
  holdsWriter = false;
  /** The batch this session's transaction belongs to, until it commits or rolls back. */
  batch: CommitBatch | undefined;

  constructor(private readonly driver: SqliteStoreDriver) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.holdsWriter) {
      const reader = this.driver.reader;
      if (reader !== undefined && SelectQueryNode.is(compiled.query)) return run(reader, compiled) as QueryResult<R>;
      await this.driver.takeWriterForStatement(this);
    }
    return run(this.driver.writer, compiled) as QueryResult<R>;
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiled.query)) throw new Error("SQLite streams SELECT queries only");
    // On the writer: a cached statement is iterated by one stream at a time, which the lock ensures.
    if (!this.holdsWriter) await this.driver.takeWriterForStatement(this);
    for (const row of this.driver.writer.prepare(compiled.sql).iterate(compiled.parameters)) {
      yield { rows: [row as R] };
    }
  }
}

/** The driver: the writer handed over in arrival order, plain reads on the reader, group commits. */
class SqliteStoreDriver implements Driver {
  readonly #lock = new FifoLock();
  readonly writer: SqliteDatabase;
  readonly reader: SqliteDatabase | undefined;
  readonly #raw: BetterSqlite3.Database;
  #batch: CommitBatch | undefined;
  /** A commit of the open batch is scheduled for the event loop's check phase. */
  #commitScheduled = false;
  /** The scheduled commit found the writer held: its holder commits when it hands the writer over. */
  #commitDue = false;

  constructor(
    connections: SqliteConnections,
    readonly stats: SqliteDriverStats,
  ) {
    this.#raw = connections.writer;
    this.writer = withStatementCache(connections.writer);
    this.reader = connections.reader === undefined ? undefined : withStatementCache(connections.reader);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Session(this);
  }

  async #takeWriter(session: Session): Promise<void> {
    if (session.holdsWriter) return;
    await this.#lock.acquire();
    session.holdsWriter = true;
  }

  /** Gives `session` the writer for a statement outside a transaction, committing the open batch first. */
  async takeWriterForStatement(session: Session): Promise<void> {
    await this.#takeWriter(session);
    this.#commitBatch();
  }

  #exec(sql: string): void {
    this.#raw.exec(sql);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const session = connection as Session;
    await this.#takeWriter(session);
    if (this.reader === undefined) {
      this.#exec("BEGIN IMMEDIATE");
      return;
    }
    if (this.#batch !== undefined && !this.#mayJoin(this.#batch)) this.#commitBatch();
    if (this.#batch === undefined) {
      this.#exec("BEGIN IMMEDIATE");
      this.#batch = new CommitBatch();
    }
    this.#exec(`SAVEPOINT ${MEMBER_SAVEPOINT}`);
    session.batch = this.#batch;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const session = connection as Session;
    const batch = session.batch;
    if (batch === undefined) {
      this.#exec("COMMIT");
      return;
    }
    session.batch = undefined;
    if (!this.#raw.inTransaction) {
      // SQLite rolled the whole transaction back itself (a failed statement can): every member is lost.
      this.#loseBatch(new Error("SQLite rolled back the transaction this commit belonged to"));
    } else {
      this.#exec(`RELEASE ${MEMBER_SAVEPOINT}`);
      batch.members++;
    }
    this.#handOver(session);
    await batch.durable;
    this.stats.batchedTransactions++;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const session = connection as Session;
    const batch = session.batch;
    if (this.reader === undefined) {
      if (this.#raw.inTransaction) this.#exec("ROLLBACK");
      return;
    }
    // Not a member any more (its batch committed or was lost): nothing of its own to undo.
    if (batch === undefined) return;
    session.batch = undefined;
    if (batch.settled) return;
    try {
      if (!this.#raw.inTransaction) throw new Error("SQLite rolled back the transaction this rollback belonged to");
      this.#exec(`ROLLBACK TO ${MEMBER_SAVEPOINT}`);
      this.#exec(`RELEASE ${MEMBER_SAVEPOINT}`);
    } catch (error) {
      this.#loseBatch(error);
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const session = connection as Session;
    if (session.holdsWriter) this.#handOver(session);
  }

  #mayJoin(batch: CommitBatch): boolean {
    return !this.#commitDue && batch.members < BATCH_MAX_MEMBERS && performance.now() - batch.openedAt < BATCH_MAX_AGE_MS;
  }

  /**
   * Passes the writer on. The open batch stays open for the next transaction when it may take more
   * (until the check phase of this turn of the event loop when nobody waits yet); otherwise it commits now.
   */
  #handOver(session: Session): void {
    session.holdsWriter = false;
    const batch = this.#batch;
    if (batch !== undefined) {
      if (!this.#mayJoin(batch)) this.#commitBatch();
      else if (this.#lock.waiting === 0) this.#commitSoon();
    }
    this.#lock.release();
  }

  #commitSoon(): void {
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    setImmediate(() => {
      this.#commitScheduled = false;
      if (this.#batch === undefined) return;
      // Mid-transaction (awaiting something), the holder commits when it hands the writer over.
      if (this.#lock.held) this.#commitDue = true;
      else this.#commitBatch();
    });
  }

  #commitBatch(): void {
    this.#commitDue = false;
    const batch = this.#batch;
    if (batch === undefined) return;
    this.#batch = undefined;
    try {
      this.#exec("COMMIT");
    } catch (error) {
      this.#lose(batch, error);
      return;
    }
    if (batch.members > 0) this.stats.batches++;
    batch.settle();
  }

  /** Loses the open batch (if any) with `error`, rolling back what SQLite still holds. */
  #loseBatch(error: unknown): void {
    const batch = this.#batch;
    this.#batch = undefined;
    this.#lose(batch, error);
  }

  #lose(batch: CommitBatch | undefined, error: unknown): void {
    this.#rollBackQuietly();
    if (batch === undefined) return;
    this.stats.lostBatches++;
    batch.settle(error);
  }

  #rollBackQuietly(): void {
    try {
      if (this.#raw.inTransaction) this.#exec("ROLLBACK");
    } catch {
      // Nothing left to undo.
    }
  }

  async destroy(): Promise<void> {
    // What callers wait for is committed, not rolled back by the close.
    if (!this.#lock.held) this.#commitBatch();
    this.writer.close();
    this.reader?.close();
  }
}

/** Kysely's SQLite dialect over the store's connections (see the file's comment). */
export class SqliteStoreDialect extends SqliteDialect {
  /** What the driver has done (batches committed, transactions they carried). */
  readonly stats: SqliteDriverStats = { batches: 0, batchedTransactions: 0, lostBatches: 0 };

  constructor(private readonly connections: SqliteConnections) {
    // Kysely's config wants a database; the driver below is what uses the connections.
    super({ database: connections.writer });
  }

  override createDriver(): Driver {
    return new SqliteStoreDriver(this.connections, this.stats);
  }
}
