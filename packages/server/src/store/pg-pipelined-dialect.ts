// Storage layer: the PostgreSQL dialect, over pg's pipeline mode. A round trip to the database
// costs the server more CPU than most statements of a token write (a socket write and read, an
// event loop turn each), so a transaction's BEGIN goes out with its first statement, and its
// pipelined writes (pipelined-write.ts) go out without waiting, the last ones with the COMMIT, in
// one socket write: a token creation is two round trips instead of six. PostgreSQL still runs
// every statement in the order sent, each with its own Sync, so a failed statement fails those
// behind it in the transaction ("current transaction is aborted") and its COMMIT rolls back; the
// caller hears the first failure, as if it had waited for each answer.
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  PostgresDialect,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import type pg from "pg";
import { pipelinedWrites, type WriteErrorMapping } from "./pipelined-write.js";
import { statementNameOf } from "./statement-name.js";

/** A failure kept until the caller can hear it. */
interface Failure {
  readonly error: unknown;
}

/** What pg sends for a compiled query: named (prepared once per connection) when it has a name. */
function queryConfigOf(compiled: CompiledQuery): pg.QueryConfig {
  const name = statementNameOf(compiled);
  const values = compiled.parameters as unknown[];
  return name === undefined ? { text: compiled.sql, values } : { name, text: compiled.sql, values };
}

function resultOf<R>(result: pg.QueryResult): QueryResult<R> {
  const counted =
    result.command === "INSERT" ||
    result.command === "UPDATE" ||
    result.command === "DELETE" ||
    result.command === "MERGE";
  return {
    ...(counted ? { numAffectedRows: BigInt(result.rowCount ?? 0) } : {}),
    rows: (result.rows ?? []) as R[],
  };
}

/** One pooled client (in pipeline mode) and the statements it sent without waiting. */
class PipelinedConnection implements DatabaseConnection {
  private inTransaction = false;
  /** Settles (never rejects) once every statement sent without waiting has been answered. */
  private unanswered: Promise<void>[] = [];
  private failure: Failure | undefined;
  /** The socket holds what is sent without waiting until a statement waited for goes out. */
  private corked = false;

  constructor(readonly client: pg.PoolClient) {}

  // Each statement is otherwise a socket write of its own (a system call, and a wake-up of the
  // database's backend); held back, they go out in one write.
  private holdWrites(): void {
    if (this.corked) return;
    this.corked = true;
    this.client.connection.stream.cork();
    // Never held past this turn of the event loop (the transaction may await something else).
    setImmediate(() => this.releaseWrites());
  }

  private releaseWrites(): void {
    if (!this.corked) return;
    this.corked = false;
    this.client.connection.stream.uncork();
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const answer = pipelinedWrites.get(compiled);
    if (answer !== undefined && this.inTransaction) {
      answer.sentAhead = true;
      this.sendWithoutWaiting(queryConfigOf(compiled), answer.mapError, answer.onRows);
      return { rows: [] };
    }
    let result: pg.QueryResult;
    try {
      const answered = this.client.query(queryConfigOf(compiled));
      this.releaseWrites();
      result = await answered;
    } catch (error) {
      // After a failure of a statement sent earlier this one only reports the aborted transaction.
      throw this.failure?.error ?? error;
    }
    // Statements sent before this one have been answered (in order): a failure among them counts.
    if (this.failure !== undefined) throw this.failure.error;
    return resultOf<R>(result);
  }

  // biome-ignore lint/correctness/useYield: streaming is refused, never started
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming queries are not supported on the PostgreSQL store");
  }

  private sendWithoutWaiting(
    query: pg.QueryConfig,
    mapError: WriteErrorMapping,
    onRows?: (rows: readonly unknown[]) => void,
  ): void {
    this.holdWrites();
    this.unanswered.push(
      this.client.query(query).then(
        (result) => {
          try {
            onRows?.(result.rows ?? []);
          } catch (error) {
            this.failure ??= { error };
          }
        },
        (error: unknown) => {
          // The first failure is the cause; those after it only report the aborted transaction.
          this.failure ??= { error: mapError(error) };
        },
      ),
    );
  }

  /** Sends BEGIN without waiting: its answer comes with the first statement's. */
  begin(settings: TransactionSettings): void {
    let sql = "begin";
    if (settings.isolationLevel !== undefined || settings.accessMode !== undefined) {
      sql = "start transaction";
      if (settings.isolationLevel !== undefined) sql += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode !== undefined) sql += ` ${settings.accessMode}`;
    }
    this.failure = undefined;
    this.inTransaction = true;
    this.sendWithoutWaiting({ text: sql }, (error) => error);
  }

  /** Sends COMMIT behind the writes still unanswered; fails with the first failure among them. */
  async commit(): Promise<void> {
    const committing = this.client.query("commit");
    this.releaseWrites();
    const failure = await this.settle();
    try {
      await committing;
    } catch (error) {
      throw failure?.error ?? error;
    }
    // PostgreSQL answers the COMMIT of a failed transaction by rolling it back.
    if (failure !== undefined) throw failure.error;
  }

  /** Rolls back (after the statements still unanswered). */
  async rollback(): Promise<void> {
    const rollingBack = this.client.query("rollback");
    this.releaseWrites();
    await this.settle();
    await rollingBack;
  }

  /** Waits for every unanswered statement; ends the transaction's bookkeeping; returns its failure. */
  private async settle(): Promise<Failure | undefined> {
    const unanswered = this.unanswered;
    this.unanswered = [];
    await Promise.all(unanswered);
    const failure = this.failure;
    this.failure = undefined;
    this.inTransaction = false;
    return failure;
  }

  release(): void {
    this.client.release();
  }
}

/** The driver: pooled clients in pipeline mode, each wrapped once. */
class PipelinedPostgresDriver implements Driver {
  private readonly connections = new WeakMap<pg.PoolClient, PipelinedConnection>();

  constructor(private readonly pool: pg.Pool) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const client = await this.pool.connect();
    let connection = this.connections.get(client);
    if (connection === undefined) {
      connection = new PipelinedConnection(client);
      this.connections.set(client, connection);
    }
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    (connection as PipelinedConnection).begin(settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as PipelinedConnection).commit();
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as PipelinedConnection).rollback();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PipelinedConnection).release();
  }

  async destroy(): Promise<void> {
    await this.pool.end();
  }
}

/** The PostgreSQL dialect over `pool`, whose clients must be in pipeline mode (`pipeline: true`). */
export class PipelinedPostgresDialect extends PostgresDialect {
  constructor(private readonly pipelinedPool: pg.Pool) {
    super({ pool: pipelinedPool });
  }

  override createDriver(): Driver {
    if (!this.pipelinedPool.options.pipeline) {
      throw new Error(
        "PipelinedPostgresDialect needs a pool whose clients are in pipeline mode (pipeline: true)",
      );
    }
    return new PipelinedPostgresDriver(this.pipelinedPool);
  }
}
