// Storage layer, migration 0007-change-sequences: one counter per organization, raised in every
// transaction that announces a change to it, so an instance can tell with one cheap read whether
// it has heard of every change (its caches' bounded staleness, see change-freshness.ts).
import type { Kysely } from "kysely";

/** Creates the change_sequences table. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // No foreign key: a change may be announced for an organization being deleted in the same
  // transaction, and the counter must still move.
  await db.schema
    .createTable("change_sequences")
    .addColumn("organization_id", "text", (c) => c.primaryKey())
    .addColumn("seq", "bigint", (c) => c.notNull())
    .execute();
}

/** Drops it. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("change_sequences").execute();
}
