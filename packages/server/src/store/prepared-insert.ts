// Storage layer: one-row INSERTs built and compiled once per dialect, table and column list, then
// run with new values. The write path inserts a token and an audit event on every save; Kysely
// builds (a frozen node tree) and compiles each anew, about 6% of a token creation's CPU and a
// fifth of what it allocates. Same SQL and parameters as Kysely's own `insertInto().values()`.
import type { Compilable, CompiledQuery, Insertable } from "kysely";
import type { Database } from "./database-schema.js";
import { withStatementName } from "./statement-name.js";
import type { Store } from "./store.js";

interface CompiledInsert {
  /** The columns given, in the order given. */
  readonly columns: readonly string[];
  readonly query: CompiledQuery<never>;
  /** For each parameter of the SQL, the index of its column. */
  readonly slots: readonly number[];
}

/** Per dialect and table, the inserts compiled so far (one per column list; a table has one or two). */
/** Column lists kept per table; rows with yet others are built by Kysely each time. */
const COLUMN_LISTS_KEPT = 8;

const compiledInserts = new Map<string, Map<string, CompiledInsert[]>>();

/** Values bound as they are (a Kysely expression or other object would change the SQL). */
function isPlainValue(value: unknown): boolean {
  return (
    value === null ||
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "bigint" ||
    typeof value === "boolean"
  );
}

/** True when `row`'s defined values are plain and their columns are `compiled`'s, in its order. */
function fits(compiled: CompiledInsert, row: Readonly<Record<string, unknown>>): boolean {
  let i = 0;
  for (const column in row) {
    const value = row[column];
    if (value === undefined) continue;
    if (compiled.columns[i++] !== column || !isPlainValue(value)) return false;
  }
  return i === compiled.columns.length;
}

function compileInsert<T extends keyof Database & string>(
  store: Store,
  table: T,
  row: Readonly<Record<string, unknown>>,
): CompiledInsert | undefined {
  const columns = Object.keys(row).filter((column) => row[column] !== undefined);
  if (!columns.every((column) => isPlainValue(row[column]))) return undefined;
  const sentinels = columns.map((column) => `\u0000insert:${column}`);
  const values = Object.fromEntries(columns.map((column, i) => [column, sentinels[i]]));
  const query = store.db
    .insertInto(table)
    .values(values as never)
    .compile() as CompiledQuery<never>;
  const slots = query.parameters.map((value) => sentinels.indexOf(value as string));
  if (slots.some((slot) => slot < 0) || new Set(slots).size !== columns.length) {
    throw new Error(`prepared insert: every column must be one parameter (${query.sql})`);
  }
  // No RETURNING: safe to prepare once per PostgreSQL connection (statement-name.ts).
  return { columns, query: withStatementName(query), slots };
}

/**
 * The INSERT of `row` into `table`, compilable (for `pipelinedWrite` or `executeQuery`): columns
 * whose value is undefined are left out, as Kysely leaves them out. A row with a value other than
 * null, a string, a number, a bigint or a boolean is built by Kysely as usual.
 */
export function insertRow<T extends keyof Database & string>(
  store: Store,
  table: T,
  row: Insertable<Database[T]>,
): Compilable<never> {
  const values = row as Readonly<Record<string, unknown>>;
  let byTable = compiledInserts.get(store.dialect);
  if (byTable === undefined) {
    byTable = new Map();
    compiledInserts.set(store.dialect, byTable);
  }
  let known = byTable.get(table);
  if (known === undefined) {
    known = [];
    byTable.set(table, known);
  }
  let compiled = known.find((candidate) => fits(candidate, values));
  if (compiled === undefined) {
    compiled = known.length < COLUMN_LISTS_KEPT ? compileInsert(store, table, values) : undefined;
    if (compiled === undefined)
      return store.db.insertInto(table).values(row as never) as unknown as Compilable<never>;
    known.push(compiled);
  }
  const { columns, slots } = compiled;
  const parameters = new Array<unknown>(slots.length);
  for (let i = 0; i < slots.length; i++) parameters[i] = values[columns[slots[i]!]!];
  // A new query object per call: the PostgreSQL driver keys a pipelined write's answer by it.
  const query: CompiledQuery<never> = { ...compiled.query, parameters };
  return { compile: () => query };
}
