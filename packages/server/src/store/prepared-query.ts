// Storage layer: a query built and compiled once per dialect, then run with new parameter values.
// Kysely builds (an immutable tree, frozen node by node) and compiles every query anew on each
// call; for the wide reads of the write path's hot routes (a token with its key and principal, some
// thirty aliased columns) that costs more CPU than SQLite spends running them.
import type { Compilable, CompiledQuery } from "kysely";
import { withStatementName } from "./statement-name.js";
import type { Store, StoreDialect } from "./store.js";

/** A read whose SQL is fixed and whose values are its only parameters, named by sentinels when built. */
export class PreparedQuery<Row, Params extends readonly string[]> {
  private readonly compiled = new Map<StoreDialect, { query: CompiledQuery<Row>; slots: number[] }>();

  /**
   * `build` gets one sentinel string per parameter (`params` names them, in the order `execute`
   * takes their values) and must use each exactly where that value goes.
   */
  constructor(
    private readonly params: Params,
    private readonly build: (
      store: Store,
      sentinels: { readonly [K in keyof Params]: string },
    ) => Compilable<Row>,
  ) {}

  /** Runs the query on `store` (or its transaction) with `values` in the order of `params`. */
  async execute(store: Store, values: { readonly [K in keyof Params]: unknown }): Promise<Row[]> {
    let prepared = this.compiled.get(store.dialect);
    if (prepared === undefined) {
      const sentinels = this.params.map((name) => `\u0000prepared:${name}`) as unknown as {
        readonly [K in keyof Params]: string;
      };
      const query = this.build(store, sentinels).compile();
      const slots = query.parameters.map((value) =>
        (sentinels as readonly string[]).indexOf(value as string),
      );
      if (slots.some((slot) => slot < 0) || new Set(slots).size !== this.params.length) {
        throw new Error(`prepared query: every parameter must be a sentinel, each used once (${query.sql})`);
      }
      // Named (prepared once per PostgreSQL connection) when its columns are listed, not `*`.
      prepared = { query: query.sql.includes("*") ? query : withStatementName(query), slots };
      this.compiled.set(store.dialect, prepared);
    }
    const parameters = prepared.slots.map((slot) => (values as readonly unknown[])[slot]);
    const result = await store.db.executeQuery<Row>({ ...prepared.query, parameters });
    return result.rows;
  }
}
