// Storage layer: the per-organization change counters (migration 0007-change-sequences). Every
// transaction that announces changes raises the counter of each organization it changed, as its
// last statements before COMMIT; the row lock held until then makes the numbers follow commit order.
import { type Kysely, sql } from "kysely";
import type { Database } from "./database-schema.js";

/** The counter row of one organization. */
export interface ChangeSequencesTable {
  organization_id: string;
  /** How many transactions announced changes to the organization. */
  seq: number;
}

interface ChangeSequenceDatabase {
  change_sequences: ChangeSequencesTable;
}

function sequenceDb(db: Kysely<Database>): Kysely<ChangeSequenceDatabase> {
  return db as unknown as Kysely<ChangeSequenceDatabase>;
}

/**
 * Raises the counters of the organizations (inside the caller's transaction) and returns each new
 * value. Organizations are taken in sorted order so two transactions never wait on each other's
 * counters in a circle.
 */
export async function raiseChangeSequences(
  trx: Kysely<Database>,
  organizationIds: Iterable<string>,
): Promise<Map<string, number>> {
  const raised = new Map<string, number>();
  for (const organizationId of [...new Set(organizationIds)].sort()) {
    const row = await sequenceDb(trx)
      .insertInto("change_sequences")
      .values({ organization_id: organizationId, seq: 1 })
      .onConflict((oc) => oc.column("organization_id").doUpdateSet({ seq: sql`change_sequences.seq + 1` }))
      .returning("seq")
      .executeTakeFirstOrThrow();
    raised.set(organizationId, Number(row.seq));
  }
  return raised;
}

/** The current counters of the organizations (0 for one that never changed), in one query. */
export async function readChangeSequences(
  db: Kysely<Database>,
  organizationIds: readonly string[],
): Promise<Map<string, number>> {
  const current = new Map<string, number>(organizationIds.map((id) => [id, 0]));
  if (organizationIds.length === 0) return current;
  const rows = await sequenceDb(db)
    .selectFrom("change_sequences")
    .select(["organization_id", "seq"])
    .where("organization_id", "in", organizationIds)
    .execute();
  for (const row of rows) current.set(row.organization_id, Number(row.seq));
  return current;
}
