// Domain layer, policy evaluation: samples, the most recent real inputs per entity type and event
// (never a secret: inputs are built without one), kept to run draft policies against.
import { pipelinedWrite } from "../../store/pipelined-write.js";
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

/**
 * Keeps an input as a sample (pass the change's transaction). The oldest beyond SAMPLES_KEPT are
 * dropped after the commit, off the request's path (see prunePolicySamples); listing never shows more.
 */
export async function recordPolicySample(store: Store, sample: PolicySampleInput): Promise<string> {
  const id = newId("smp");
  // Pipelined: on PostgreSQL in a transaction it goes out with what follows (pipelined-write.ts).
  await pipelinedWrite(
    store,
    store.db.insertInto("policy_samples").values({
      id,
      organization_id: sample.organizationId,
      entity_type: sample.entityType,
      event: sample.event,
      action: sample.action,
      space_id: sample.spaceId,
      input: JSON.stringify(sample.input ?? null),
      evaluation_id: sample.evaluationId,
      created_at: sample.createdAt,
    }),
  );
  const kind = { organizationId: sample.organizationId, entityType: sample.entityType, event: sample.event };
  store.afterCommit((root) => samplePrunerOf(root).due(kind));
  return id;
}

/** Samples of one organization, entity type and event: what is kept (and pruned) together. */
interface SampleKind {
  readonly organizationId: string;
  readonly entityType: string;
  readonly event: string;
}

/** How long after a sample is kept its kind is pruned: one pruning serves every sample of that time. */
export const SAMPLE_PRUNE_DELAY_MS = 1000;

/** Drops, per kind of sample, the oldest beyond SAMPLES_KEPT, at most once per SAMPLE_PRUNE_DELAY_MS. */
class SamplePruner {
  private readonly due_ = new Map<string, SampleKind>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store) {}

  /** Notes that a sample of `kind` was kept: its kind is pruned soon. */
  due(kind: SampleKind): void {
    this.due_.set(`${kind.organizationId}\u0000${kind.entityType}\u0000${kind.event}`, kind);
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.prune().catch(() => {
        // The store closed or failed: the next sample kept schedules the pruning again.
      });
    }, SAMPLE_PRUNE_DELAY_MS);
    this.timer.unref();
  }

  /** Prunes every kind noted so far (after any pruning already running). */
  prune(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const kinds = [...this.due_.values()];
    this.due_.clear();
    this.running = this.running
      .catch(() => {})
      .then(async () => {
        for (const kind of kinds) await pruneKind(this.store, kind);
      });
    return this.running;
  }
}

async function pruneKind(store: Store, kind: SampleKind): Promise<void> {
  for (;;) {
    const stale = await store.db
      .selectFrom("policy_samples")
      .select("id")
      .where("organization_id", "=", kind.organizationId)
      .where("entity_type", "=", kind.entityType)
      .where("event", "=", kind.event)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .offset(SAMPLES_KEPT)
      .limit(1000)
      .execute();
    if (stale.length === 0) return;
    await store.db
      .deleteFrom("policy_samples")
      .where(
        "id",
        "in",
        stale.map((r) => r.id),
      )
      .execute();
    if (stale.length < 1000) return;
  }
}

const pruners = new WeakMap<Store, SamplePruner>();

function samplePrunerOf(root: Store): SamplePruner {
  let pruner = pruners.get(root);
  if (pruner === undefined) {
    pruner = new SamplePruner(root);
    pruners.set(root, pruner);
  }
  return pruner;
}

/**
 * Prunes now what recorded samples made due (for tests and tools; the server leaves it to the
 * timer). Pass the root store.
 */
export async function prunePolicySamples(root: Store): Promise<void> {
  // Samples kept in transactions that just committed are noted on a later turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  await samplePrunerOf(root).prune();
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
