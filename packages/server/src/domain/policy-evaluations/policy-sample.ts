// Domain layer, policy evaluation: samples, the most recent real inputs per entity type and event
// (never a secret: inputs are built without one), kept to run draft policies against.
import type { Store } from "../../store/store.js";
import { newId } from "../ids/random-id.js";
import { DeferredJob } from "./deferred-job.js";

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
 * Keeps an input as a sample. In a change's transaction it is written after the commit, never for
 * a change rolled back, and off the request's path: the samples of the transactions committed
 * within SAMPLE_FLUSH_MS go to the database together, at most SAMPLES_KEPT of each kind (the newest;
 * the others would be pruned anyway). Outside a transaction it is written before this resolves.
 * The oldest beyond SAMPLES_KEPT are dropped later (see prunePolicySamples); listing never shows more.
 */
export async function recordPolicySample(store: Store, sample: PolicySampleInput): Promise<void> {
  const kept = { ...sample, id: newId("smp") };
  if (store.inTransaction) {
    store.afterCommit((root) => sampleWriterOf(root).add(kept));
    return;
  }
  const writer = sampleWriterOf(store);
  writer.add(kept);
  await writer.flush();
}

/**
 * Keeps an input as a sample without waiting for its write: it goes to the database with the
 * samples queued within SAMPLE_FLUSH_MS, off the caller's path (a request's login sample). Pass
 * the root store; `flushQueuedSamples` writes it now.
 */
export function queuePolicySample(root: Store, sample: PolicySampleInput): void {
  sampleWriterOf(root).add({ ...sample, id: newId("smp") });
}

/** How long after a change commits its sample is written at the latest (ms). */
export const SAMPLE_FLUSH_MS = 100;

/** Rows per INSERT (9 columns: far under SQLite's 32,766 bound parameters). */
const ROWS_PER_INSERT = 500;

function kindKey(kind: SampleKind): string {
  return `${kind.organizationId}\u0000${kind.entityType}\u0000${kind.event}`;
}

/** Samples waiting to be written, the newest SAMPLES_KEPT of each kind; written together. */
class SampleWriter {
  private pending = new Map<string, PolicySample[]>();
  private readonly writes: DeferredJob;

  constructor(private readonly store: Store) {
    this.writes = new DeferredJob(
      SAMPLE_FLUSH_MS,
      () => this.write(),
      () => {
        // The store closed or failed: these samples are lost (they are examples, not records).
      },
    );
  }

  /** Queues a sample, dropping its kind's oldest queued one beyond SAMPLES_KEPT; written within SAMPLE_FLUSH_MS. */
  add(sample: PolicySample): void {
    const key = kindKey(sample);
    let queued = this.pending.get(key);
    if (queued === undefined) {
      queued = [];
      this.pending.set(key, queued);
    }
    queued.push(sample);
    if (queued.length > SAMPLES_KEPT) {
      let oldest = 0;
      for (let i = 1; i < queued.length; i++) if (isOlder(queued[i]!, queued[oldest]!)) oldest = i;
      queued.splice(oldest, 1);
    }
    this.writes.schedule();
  }

  /** Writes every queued sample (after any write already running) and notes their kinds for pruning. */
  flush(): Promise<void> {
    return this.writes.run();
  }

  private async write(): Promise<void> {
    const batch = [...this.pending.values()].flat();
    this.pending = new Map();
    for (let i = 0; i < batch.length; i += ROWS_PER_INSERT) {
      await this.store.db
        .insertInto("policy_samples")
        .values(batch.slice(i, i + ROWS_PER_INSERT).map(sampleRow))
        .execute();
    }
    const pruner = samplePrunerOf(this.store);
    for (const sample of batch) pruner.due(sample);
  }
}

/** The pruner's order: newest first by time, then by id. */
function isOlder(a: PolicySample, b: PolicySample): boolean {
  return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
}

function sampleRow(sample: PolicySample) {
  return {
    id: sample.id,
    organization_id: sample.organizationId,
    entity_type: sample.entityType,
    event: sample.event,
    action: sample.action,
    space_id: sample.spaceId,
    input: JSON.stringify(sample.input ?? null),
    evaluation_id: sample.evaluationId,
    created_at: sample.createdAt,
  };
}

const writers = new WeakMap<Store, SampleWriter>();

function sampleWriterOf(root: Store): SampleWriter {
  let writer = writers.get(root);
  if (writer === undefined) {
    writer = new SampleWriter(root);
    writers.set(root, writer);
  }
  return writer;
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
  private readonly prunings: DeferredJob;

  constructor(private readonly store: Store) {
    this.prunings = new DeferredJob(
      SAMPLE_PRUNE_DELAY_MS,
      () => this.pruneDue(),
      () => {
        // The store closed or failed: the next sample kept schedules the pruning again.
      },
    );
  }

  /** Notes that a sample of `kind` was kept: its kind is pruned soon. */
  due(kind: SampleKind): void {
    this.due_.set(kindKey(kind), kind);
    this.prunings.schedule();
  }

  /** Prunes every kind noted so far (after any pruning already running). */
  prune(): Promise<void> {
    return this.prunings.run();
  }

  private async pruneDue(): Promise<void> {
    const kinds = [...this.due_.values()];
    this.due_.clear();
    for (const kind of kinds) await pruneKind(this.store, kind);
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
  await flushQueuedSamples(root);
  await samplePrunerOf(root).prune();
}

/** Writes the samples this instance has queued (of changes committed before this call). */
export async function flushQueuedSamples(root: Store): Promise<void> {
  // Samples kept in transactions that just committed are queued on a later turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  await sampleWriterOf(root).flush();
}

/** The kept samples of an entity type (and event), newest first. */
export async function listPolicySamples(
  store: Store,
  organizationId: string,
  entityType: string,
  limit: number = SAMPLES_KEPT,
): Promise<PolicySample[]> {
  // What this instance's committed changes queued is listed too.
  if (!store.inTransaction) await flushQueuedSamples(store);
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
