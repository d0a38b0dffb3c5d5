// Storage layer: writes whose answer the caller does not need (no rows, no count), which a
// PostgreSQL transaction sends without waiting for their answer (pg-pipelined-dialect.ts). They
// still run in order with the statements around them; what changes is when their error is heard:
// at the transaction's next awaited statement or its COMMIT, which then fails with that error.
import type { Compilable, CompiledQuery, Kysely } from "kysely";
import type { Database } from "./database-schema.js";

/** Maps a write's database error to the error its caller throws (e.g. a domain error). */
export type WriteErrorMapping = (error: unknown) => unknown;

const unchanged: WriteErrorMapping = (error) => error;

/** What the PostgreSQL driver does with a pipelined write's answer. */
export interface PipelinedAnswer {
  /** Maps its error. */
  readonly mapError: WriteErrorMapping;
  /** Receives its rows (a write with RETURNING), before any later statement's answer. */
  readonly onRows: ((rows: readonly unknown[]) => void) | undefined;
  /** Set by the driver when it sent the write without waiting (it then hands on the rows). */
  sentAhead: boolean;
}

/** The compiled writes marked by pipelinedWrite, for the PostgreSQL driver. */
export const pipelinedWrites = new WeakMap<CompiledQuery, PipelinedAnswer>();

/**
 * Runs a write whose answer is not needed now, on a store or transaction (`store.db`). In a PostgreSQL transaction it is sent without
 * waiting (behind the statements before it, ahead of those after it and of COMMIT), and its error,
 * mapped by `mapError`, fails the transaction at its next awaited statement or at COMMIT; on
 * SQLite, or outside a transaction, it runs at once and its mapped error is thrown here. `onRows`,
 * when given, receives the rows it returns: by the time the transaction's next awaited statement
 * or its COMMIT has answered.
 */
export async function pipelinedWrite<Row>(
  store: { readonly db: Kysely<Database> },
  query: Compilable<Row>,
  mapError: WriteErrorMapping = unchanged,
  onRows?: (rows: readonly Row[]) => void,
): Promise<void> {
  const compiled = query.compile();
  const answer: PipelinedAnswer = { mapError, onRows: onRows as PipelinedAnswer["onRows"], sentAhead: false };
  pipelinedWrites.set(compiled, answer);
  let rows: readonly Row[];
  try {
    rows = (await store.db.executeQuery(compiled)).rows;
  } catch (error) {
    throw mapError(error);
  }
  if (!answer.sentAhead) onRows?.(rows);
}
