// Storage layer: better-sqlite3 statements prepared once per SQL text. Kysely's SQLite driver
// prepares every query anew, about a tenth of a token save; the queries of the service are a few
// hundred texts with their values bound as parameters, so each is compiled once and reused.
// Kysely runs one query at a time on its single SQLite connection, so a statement is never in use
// twice at once, not even by a stream's iterator.
import type { SqliteDatabase, SqliteStatement } from "kysely";

/** Statements kept at most; the oldest prepared is dropped first. */
const STATEMENT_LIMIT = 512;

/** The database as Kysely sees it, with its prepared statements kept per SQL text. */
export function withStatementCache(db: SqliteDatabase, limit = STATEMENT_LIMIT): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => {
      statements.clear();
      db.close();
    },
    prepare: (sql) => {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        if (statements.size >= limit) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
