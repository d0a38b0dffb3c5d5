// Storage layer, migration 0011-api-key-tags: API keys carry tags (string keys to string values,
// as tokens do), stored as a JSON object; existing keys get none.
import type { Kysely } from "kysely";

/** Adds api_keys.tags. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("api_keys")
    .addColumn("tags", "text", (c) => c.notNull().defaultTo("{}"))
    .execute();
}

/** Drops it. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("api_keys").dropColumn("tags").execute();
}
