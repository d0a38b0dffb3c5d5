// Storage layer: names for statements whose SQL never changes (the write path's one-row INSERTs
// and the prepared reads of its hot routes), which the PostgreSQL driver prepares once per
// connection instead of having the database parse and plan them on every execution (about 40 µs of
// the database's CPU per INSERT, measured on PostgreSQL 15). Only statements without result columns,
// or whose columns are all named, may be: a prepared SELECT of `table.*` fails ("cached plan must
// not change result type") once a newer instance's migration adds a column to the table.
import type { CompiledQuery } from "kysely";

const STATEMENT_NAME = Symbol("keygate.statementName");

let named = 0;

/** `query` with a name of its own (copies made with spread keep it); for SQL that never changes. */
export function withStatementName<Q extends CompiledQuery<unknown>>(query: Q): Q {
  named += 1;
  return Object.assign({ ...query }, { [STATEMENT_NAME]: `keygate_${named}` });
}

/** The name `withStatementName` gave this query (or the query it was copied from), if any. */
export function statementNameOf(query: CompiledQuery<unknown>): string | undefined {
  return (query as { [STATEMENT_NAME]?: string })[STATEMENT_NAME];
}
