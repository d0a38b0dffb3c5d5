// Domain layer, policy evaluation: stored evaluations (input, policies evaluated, outcome per
// policy, messages, time taken), written in the transaction of the change they judged; listed and
// opened through the API and the CLI.
import { type Expression, type SqlBool, sql } from "kysely";
import type { PolicyEvaluationsTable } from "../../store/database-schema.js";
import { pipelinedWrite } from "../../store/pipelined-write.js";
import type { Store, StoreDialect } from "../../store/store.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import type { EvaluationOutcome, PolicyResult } from "./policy-decision.js";

/** A stored policy evaluation. */
export interface PolicyEvaluation {
  readonly id: string;
  readonly organizationId: string;
  readonly entityType: string;
  readonly event: string;
  /** `create`, `update`, `rotate`. */
  readonly action: string;
  /** The entity judged (for a refused creation, the id it would have had). */
  readonly resourceId: string | null;
  readonly actorPrincipalId: string | null;
  readonly outcome: EvaluationOutcome;
  readonly input: unknown;
  readonly results: readonly PolicyResult[];
  readonly messages: readonly string[];
  readonly warnings: readonly string[];
  readonly durationUs: number;
  readonly createdAt: number;
}

/** What to store; the id is chosen by the caller (it is returned before the write when refused). */
export type PolicyEvaluationRecord = PolicyEvaluation;

/** Filters of listPolicyEvaluations. */
export interface PolicyEvaluationFilter {
  readonly entityType?: string;
  readonly outcome?: EvaluationOutcome;
  readonly resourceId?: string;
  /** Only evaluations in which this policy was evaluated (its id). */
  readonly policyId?: string;
  /** Only evaluations in which a policy of this set was evaluated (its id). */
  readonly policySetId?: string;
  readonly page?: PageRequest;
}

/** A new evaluation id. */
export function newPolicyEvaluationId(): string {
  return newId("polevl");
}

/** Writes an evaluation through `store` (pass the change's transaction). */
export async function recordPolicyEvaluation(store: Store, record: PolicyEvaluationRecord): Promise<void> {
  // Pipelined: on PostgreSQL in a transaction it goes out with what follows (pipelined-write.ts).
  await pipelinedWrite(
    store,
    store.db.insertInto("policy_evaluations").values({
      id: record.id,
      organization_id: record.organizationId,
      entity_type: record.entityType,
      event: record.event,
      action: record.action,
      resource_id: record.resourceId,
      actor_principal_id: record.actorPrincipalId,
      outcome: record.outcome,
      input: JSON.stringify(record.input ?? null),
      results: JSON.stringify(record.results),
      messages: JSON.stringify(record.messages),
      warnings: JSON.stringify(record.warnings),
      duration_us: record.durationUs,
      created_at: record.createdAt,
    }),
  );
}

function evaluationFromRow(row: PolicyEvaluationsTable): PolicyEvaluation {
  return {
    id: row.id,
    organizationId: row.organization_id,
    entityType: row.entity_type,
    event: row.event,
    action: row.action,
    resourceId: row.resource_id,
    actorPrincipalId: row.actor_principal_id,
    outcome: row.outcome,
    input: JSON.parse(row.input) as unknown,
    results: JSON.parse(row.results) as PolicyResult[],
    messages: JSON.parse(row.messages) as string[],
    warnings: JSON.parse(row.warnings) as string[],
    durationUs: Number(row.duration_us),
    createdAt: Number(row.created_at),
  };
}

/** An evaluation of the organization, or `not_found`. */
export async function getPolicyEvaluation(
  store: Store,
  organizationId: string,
  evaluationId: string,
): Promise<PolicyEvaluation> {
  const row = await store.db
    .selectFrom("policy_evaluations")
    .selectAll()
    .where("id", "=", evaluationId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `policy evaluation ${evaluationId} not found`);
  return evaluationFromRow(row);
}

// An evaluation's per-policy results are a JSON array (`results`); a filter asks whether one of
// them names the policy (or set).
function resultsName(
  dialect: StoreDialect,
  field: "policyId" | "policySetId",
  id: string,
): Expression<SqlBool> {
  switch (dialect) {
    case "sqlite":
      return sql<SqlBool>`exists (select 1 from json_each(policy_evaluations.results) as r where json_extract(r.value, ${`$.${field}`}) = ${id})`;
    case "postgres":
      return sql<SqlBool>`policy_evaluations.results::jsonb @> ${JSON.stringify([{ [field]: id }])}::jsonb`;
  }
}

/** Lists an organization's evaluations, newest first. */
export async function listPolicyEvaluations(
  store: Store,
  organizationId: string,
  filter: PolicyEvaluationFilter = {},
): Promise<Page<PolicyEvaluation>> {
  const { limit, offset } = pageWindow(filter.page);
  let query = store.db.selectFrom("policy_evaluations").where("organization_id", "=", organizationId);
  if (filter.entityType !== undefined) query = query.where("entity_type", "=", filter.entityType);
  if (filter.outcome !== undefined) query = query.where("outcome", "=", filter.outcome);
  if (filter.resourceId !== undefined) query = query.where("resource_id", "=", filter.resourceId);
  if (filter.policyId !== undefined) {
    query = query.where(resultsName(store.dialect, "policyId", filter.policyId));
  }
  if (filter.policySetId !== undefined) {
    query = query.where(resultsName(store.dialect, "policySetId", filter.policySetId));
  }
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .offset(offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(evaluationFromRow), total: Number(count.n) };
}
