// Domain layer, validation: the SQL condition "this row's tags hold key = value", over the JSON
// object a `tags` column stores, on either dialect (any key, quotes and dots included).
import { type Expression, type SqlBool, sql } from "kysely";
import type { StoreDialect } from "../../store/store.js";

/** True for rows whose JSON `column` maps `key` to exactly `value`. */
export function tagEquals(
  dialect: StoreDialect,
  column: string,
  key: string,
  value: string,
): Expression<SqlBool> {
  switch (dialect) {
    case "sqlite":
      return sql<SqlBool>`exists (select 1 from json_each(${sql.ref(column)}) as t where t.key = ${key} and t.type = 'text' and t.value = ${value})`;
    case "postgres":
      return sql<SqlBool>`(${sql.ref(column)}::jsonb ->> ${key}) = ${value}`;
  }
}
