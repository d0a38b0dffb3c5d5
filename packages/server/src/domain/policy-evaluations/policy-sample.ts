// Domain layer, policy evaluation: samples, the most recent real inputs per entity type and event
// (never a secret: inputs are built without one), kept to run draft policies against.
import type { Store } from "../../store/store.js";
import { newId } from "../ids/random-id.js";

/** How many recent inputs are kept per organization, entity type and event. */
export const SAMPLES_KEPT = 50;

/** A kept input. */
export interface PolicySample {
  readonly id: string;
  readonly organizationId: string;
  readonly entityType: string;
  readonly event: string;
  readonly action: string;
  /** The space the input was judged in (for choosing the policy sets that apply). */
  readonly spaceId: string | null;
  readonly input: unknown;
  readonly evaluationId: string | null;
  readonly createdAt: number;
}

/** What to keep. */
export type PolicySampleInput = Omit<PolicySample, "id">;

/** Keeps an input as a sample and drops the oldest beyond SAMPLES_KEPT (pass the change's transaction). */
export async function recordPolicySample(store: Store, sample: PolicySampleInput): Promise<string> {
  const id = newId("smp");
  await store.db
    .insertInto("policy_samples")
    .values({
      id,
      organization_id: sample.organizationId,
      entity_type: sample.entityType,
      event: sample.event,
      action: sample.action,
      space_id: sample.spaceId,
      input: JSON.stringify(sample.input ?? null),
      evaluation_id: sample.evaluationId,
      created_at: sample.createdAt,
    })
    .execute();
  const stale = await store.db
    .selectFrom("policy_samples")
    .select("id")
    .where("organization_id", "=", sample.organizationId)
    .where("entity_type", "=", sample.entityType)
    .where("event", "=", sample.event)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .offset(SAMPLES_KEPT)
    .limit(1000)
    .execute();
  if (stale.length > 0) {
    await store.db
      .deleteFrom("policy_samples")
      .where(
        "id",
        "in",
        stale.map((r) => r.id),
      )
      .execute();
  }
  return id;
}

/** The kept samples of an entity type (and event), newest first. */
export async function listPolicySamples(
  store: Store,
  organizationId: string,
  entityType: string,
  limit: number = SAMPLES_KEPT,
): Promise<PolicySample[]> {
  const rows = await store.db
    .selectFrom("policy_samples")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where("entity_type", "=", entityType)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(Math.max(1, Math.min(limit, SAMPLES_KEPT)))
    .execute();
  return rows.map((row) => ({
    id: row.id,
    organizationId: row.organization_id,
    entityType: row.entity_type,
    event: row.event,
    action: row.action,
    spaceId: row.space_id,
    input: JSON.parse(row.input) as unknown,
    evaluationId: row.evaluation_id,
    createdAt: Number(row.created_at),
  }));
}
