// Domain layer, audit: audit events (who did what to which resource, when, from where, with what
// outcome), written in the same transaction as the change they record; never holds a secret.
import type { Selectable } from "kysely";
import type { Database } from "../../store/database-schema.js";
import { pipelinedWrite } from "../../store/pipelined-write.js";
import { insertRow } from "../../store/prepared-insert.js";
import type { Store } from "../../store/store.js";
import { DomainError } from "../domain-error.js";
import { randomBase62Digits } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import type { Actor } from "./actor.js";

/** The result of the audited attempt. */
export type AuditOutcome = "success" | "denied" | "failure";

/** One recorded change. */
export interface AuditEvent {
  readonly id: string;
  readonly organizationId: string | null;
  /** Epoch ms. */
  readonly occurredAt: number;
  readonly actor: Actor;
  /** `<resource>.<verb>`, e.g. `token.revoke`, `role-binding.create`. */
  readonly action: string;
  /** e.g. `token`, `api-key`, `service-account`, `space`. */
  readonly resourceType: string;
  readonly resourceId: string;
  readonly outcome: AuditOutcome;
  readonly policyEvaluationId: string | null;
  /** Non-secret detail: names, changed fields. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** What to record; id and time are filled in. */
export interface AuditEventInput {
  readonly organizationId: string | null;
  readonly actor: Actor;
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly outcome?: AuditOutcome;
  readonly policyEvaluationId?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
  /** Epoch ms; defaults to now. */
  readonly occurredAt?: number;
}

let lastMs = 0;
let sequence = 0;

/**
 * A new audit event id that sorts in creation order within a process (`aud-` + 12 hex digits of
 * ms + 4 of sequence + 8 random base62 digits), so events of the same millisecond list in the order written.
 * Hex only, so every collation sorts it the same way.
 */
export function newAuditEventId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else {
    sequence = (sequence + 1) % 0x10000;
  }
  const ordered = lastMs.toString(16).padStart(12, "0") + sequence.toString(16).padStart(4, "0");
  // 48 random bits as base62, the last 8 digits (62^8 > 2^47).
  return `aud-${ordered}${randomBase62Digits(6, 8)}`;
}

/** Writes an audit event through `store` (pass the change's transaction so both commit together). */
export async function recordAuditEvent(store: Store, input: AuditEventInput): Promise<AuditEvent> {
  const event: AuditEvent = {
    id: newAuditEventId(),
    organizationId: input.organizationId,
    occurredAt: input.occurredAt ?? Date.now(),
    actor: input.actor,
    action: input.action,
    resourceType: input.resourceType,
    resourceId: input.resourceId,
    outcome: input.outcome ?? "success",
    policyEvaluationId: input.policyEvaluationId ?? null,
    details: input.details ?? {},
  };
  // Pipelined: on PostgreSQL in a transaction it goes out with what follows (pipelined-write.ts).
  await pipelinedWrite(
    store,
    insertRow(store, "audit_events", {
      id: event.id,
      organization_id: event.organizationId,
      occurred_at: event.occurredAt,
      actor_principal_id: event.actor.principalId,
      actor_token_id: event.actor.tokenId ?? null,
      actor_ip: event.actor.ip ?? null,
      via: event.actor.via,
      action: event.action,
      resource_type: event.resourceType,
      resource_id: event.resourceId,
      outcome: event.outcome,
      policy_evaluation_id: event.policyEvaluationId,
      details: JSON.stringify(event.details),
    }),
  );
  return event;
}

/** Filters for listing audit events; all optional, combined with AND. */
export interface AuditEventFilter {
  /** The acting principal's id. */
  readonly actor?: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly action?: string;
  readonly outcome?: AuditOutcome;
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, exclusive. */
  readonly until?: number;
  readonly page?: PageRequest;
}

/** Lists an organization's audit events, newest first. */
export async function listAuditEvents(
  store: Store,
  organizationId: string,
  filter: AuditEventFilter = {},
): Promise<Page<AuditEvent>> {
  const { limit, offset } = pageWindow(filter.page);
  let query = store.db.selectFrom("audit_events").where("organization_id", "=", organizationId);
  if (filter.actor !== undefined) query = query.where("actor_principal_id", "=", filter.actor);
  if (filter.resourceType !== undefined) query = query.where("resource_type", "=", filter.resourceType);
  if (filter.resourceId !== undefined) query = query.where("resource_id", "=", filter.resourceId);
  if (filter.action !== undefined) query = query.where("action", "=", filter.action);
  if (filter.outcome !== undefined) query = query.where("outcome", "=", filter.outcome);
  if (filter.since !== undefined) query = query.where("occurred_at", ">=", filter.since);
  if (filter.until !== undefined) query = query.where("occurred_at", "<", filter.until);
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy("occurred_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .offset(offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map(auditEventOfRow),
    total: Number(count.n),
  };
}

type AuditEventRow = Selectable<Database["audit_events"]>;

function auditEventOfRow(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    organizationId: row.organization_id,
    occurredAt: Number(row.occurred_at),
    actor: {
      principalId: row.actor_principal_id,
      ...(row.actor_token_id !== null ? { tokenId: row.actor_token_id } : {}),
      ...(row.actor_ip !== null ? { ip: row.actor_ip } : {}),
      via: row.via,
    },
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    outcome: row.outcome,
    policyEvaluationId: row.policy_evaluation_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/** One audit event of the organization; `not_found` for an unknown id or another organization's. */
export async function getAuditEvent(
  store: Store,
  organizationId: string,
  auditEventId: string,
): Promise<AuditEvent> {
  const row = await store.db
    .selectFrom("audit_events")
    .selectAll()
    .where("id", "=", auditEventId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (row === undefined) throw new DomainError("not_found", `audit event ${auditEventId} not found`);
  return auditEventOfRow(row);
}
