// Domain layer, delegates: the live connections of delegates (agents), one row each, written by
// the server instance that holds the connection and read by every instance, so the connected
// delegates of a token or a space can be listed anywhere. A delegate whose heartbeat stops is
// dropped; one connect and one disconnect audit event per connection.
import type { Store } from "../../store/store.js";
import type { Actor } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import type { DelegateToken } from "../delegate-tokens/delegate-token.js";
import { type DelegateConnectionsTable, delegateDb } from "../delegate-tokens/delegate-tables.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { checkName } from "../validation/field-rules.js";

/** A connected delegate. */
export interface Delegate {
  readonly id: string;
  readonly organizationId: string;
  readonly delegateTokenId: string;
  /** The space of its token. */
  readonly spaceId: string;
  /** The name the agent gave (`--name`). */
  readonly name: string;
  /** The host the agent runs on, as it reports it. */
  readonly host: string;
  /** The agent's version, as it reports it. */
  readonly version: string;
  /** The address the connection came from. */
  readonly remoteAddress: string | null;
  /** The server instance holding the connection. */
  readonly instanceId: string;
  readonly connectedAt: number;
  readonly lastHeartbeatAt: number;
}

/** What an agent says about itself when it connects. */
export interface DelegateAnnouncement {
  readonly name: string;
  readonly host: string;
  readonly version: string;
}

/** Why a connection ended. */
export type DisconnectReason =
  | "closed" // the agent hung up
  | "revoked" // its token was revoked or deleted
  | "heartbeat-timeout" // no heartbeat within the timeout
  | "protocol-error" // it sent something other than a heartbeat
  | "server-shutdown"; // the instance holding it stopped

/** Filters for listDelegates. */
export interface DelegateFilter {
  readonly delegateTokenId?: string;
  readonly spaceId?: string;
  /** Only delegates whose last heartbeat is at or after this (epoch ms): the live ones. */
  readonly heartbeatSince: number;
  readonly page?: PageRequest;
}

const MAX_FIELD = 255;

function checkShortText(value: unknown, field: string): string {
  if (value === undefined || value === null || value === "") return "unknown";
  if (typeof value !== "string") throw new DomainError("invalid", `${field} must be a string`, { field });
  if (value.length > MAX_FIELD || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new DomainError(
      "invalid",
      `${field} must be at most ${MAX_FIELD} printable characters, got ${JSON.stringify(value.slice(0, 40))}`,
      { field },
    );
  }
  return value;
}

/** Checks what an agent announced: a name (required), host and version (default `unknown`). */
export function checkDelegateAnnouncement(raw: {
  readonly name?: unknown;
  readonly host?: unknown;
  readonly version?: unknown;
}): DelegateAnnouncement {
  if (raw.name === undefined || raw.name === null || raw.name === "") {
    throw new DomainError("invalid", "the delegate must give its name (`name`, e.g. --name build-agent-1)", {
      field: "name",
    });
  }
  return {
    name: checkName(raw.name),
    host: checkShortText(raw.host, "host"),
    version: checkShortText(raw.version, "version"),
  };
}

/** Maps a row to a Delegate. */
export function delegateFromRow(row: DelegateConnectionsTable): Delegate {
  return {
    id: row.id,
    organizationId: row.organization_id,
    delegateTokenId: row.delegate_token_id,
    spaceId: row.space_id,
    name: row.name,
    host: row.host,
    version: row.version,
    remoteAddress: row.remote_address,
    instanceId: row.instance_id,
    connectedAt: Number(row.connected_at),
    lastHeartbeatAt: Number(row.last_heartbeat_at),
  };
}

function delegateActor(delegate: Pick<Delegate, "delegateTokenId" | "remoteAddress">): Actor {
  return {
    principalId: null,
    tokenId: delegate.delegateTokenId,
    ...(delegate.remoteAddress !== null ? { ip: delegate.remoteAddress } : {}),
    via: "api",
  };
}

/** Records a new connection with a verified token; stamps the token's last use; audits `delegate.connect`. */
export async function registerDelegate(
  store: Store,
  token: DelegateToken,
  announcement: DelegateAnnouncement,
  where: { readonly instanceId: string; readonly remoteAddress: string | null; readonly now?: number },
): Promise<Delegate> {
  const now = where.now ?? Date.now();
  const row: DelegateConnectionsTable = {
    id: newId("dlg"),
    organization_id: token.organizationId,
    delegate_token_id: token.id,
    space_id: token.spaceId,
    name: announcement.name,
    host: announcement.host,
    version: announcement.version,
    remote_address: where.remoteAddress,
    instance_id: where.instanceId,
    connected_at: now,
    last_heartbeat_at: now,
  };
  const delegate = delegateFromRow(row);
  await store.transaction(async (tx) => {
    await delegateDb(tx).insertInto("delegate_connections").values(row).execute();
    await delegateDb(tx)
      .updateTable("delegate_tokens")
      .set({ last_used_at: now })
      .where("id", "=", token.id)
      .execute();
    await recordAuditEvent(tx, {
      organizationId: token.organizationId,
      actor: delegateActor(delegate),
      action: "delegate.connect",
      resourceType: "delegate",
      resourceId: delegate.id,
      details: {
        name: delegate.name,
        host: delegate.host,
        version: delegate.version,
        delegateTokenId: token.id,
        spaceId: token.spaceId,
      },
      occurredAt: now,
    });
  });
  return delegate;
}

/** Records a heartbeat; false when the connection's row is gone (dropped meanwhile). */
export async function recordDelegateHeartbeat(
  store: Store,
  delegateId: string,
  now: number = Date.now(),
): Promise<boolean> {
  const result = await delegateDb(store)
    .updateTable("delegate_connections")
    .set({ last_heartbeat_at: now })
    .where("id", "=", delegateId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Forgets a connection and audits `delegate.disconnect` with the reason (once, even if called twice). */
export async function unregisterDelegate(
  store: Store,
  delegate: Delegate,
  reason: DisconnectReason,
  now: number = Date.now(),
): Promise<void> {
  await store.transaction(async (tx) => {
    const deleted = await delegateDb(tx)
      .deleteFrom("delegate_connections")
      .where("id", "=", delegate.id)
      .executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1) return;
    await recordAuditEvent(tx, {
      organizationId: delegate.organizationId,
      actor: delegateActor(delegate),
      action: "delegate.disconnect",
      resourceType: "delegate",
      resourceId: delegate.id,
      details: {
        name: delegate.name,
        host: delegate.host,
        delegateTokenId: delegate.delegateTokenId,
        reason,
      },
      occurredAt: now,
    });
  });
}

/** Drops connections of any instance whose last heartbeat is older than `before` (e.g. a crashed instance's). */
export async function dropSilentDelegates(
  store: Store,
  before: number,
  now: number = Date.now(),
): Promise<number> {
  const rows = await delegateDb(store)
    .selectFrom("delegate_connections")
    .selectAll()
    .where("last_heartbeat_at", "<", before)
    .execute();
  for (const row of rows) await unregisterDelegate(store, delegateFromRow(row), "heartbeat-timeout", now);
  return rows.length;
}

/** Of these delegate token ids, those that no longer admit delegates (revoked or deleted). */
export async function unusableDelegateTokenIds(
  store: Store,
  tokenIds: readonly string[],
): Promise<Set<string>> {
  if (tokenIds.length === 0) return new Set();
  const usable = await delegateDb(store)
    .selectFrom("delegate_tokens")
    .select("id")
    .where("id", "in", [...tokenIds])
    .where("revoked_at", "is", null)
    .execute();
  const ok = new Set(usable.map((r) => r.id));
  return new Set(tokenIds.filter((id) => !ok.has(id)));
}

/** Lists the organization's live delegates (heartbeat since `heartbeatSince`), newest connection first. */
export async function listDelegates(
  store: Store,
  organizationId: string,
  filter: DelegateFilter,
): Promise<Page<Delegate>> {
  const { limit, offset } = pageWindow(filter.page);
  let query = delegateDb(store)
    .selectFrom("delegate_connections")
    .where("organization_id", "=", organizationId)
    .where("last_heartbeat_at", ">=", filter.heartbeatSince);
  if (filter.delegateTokenId !== undefined)
    query = query.where("delegate_token_id", "=", filter.delegateTokenId);
  if (filter.spaceId !== undefined) query = query.where("space_id", "=", filter.spaceId);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy("connected_at", "desc").orderBy("id").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(delegateFromRow), total: Number(count.n) };
}

/** A live delegate of the organization (heartbeat since `heartbeatSince`), or `not_found`. */
export async function getDelegate(
  store: Store,
  organizationId: string,
  delegateId: string,
  heartbeatSince: number,
): Promise<Delegate> {
  const row = await delegateDb(store)
    .selectFrom("delegate_connections")
    .selectAll()
    .where("id", "=", delegateId)
    .where("organization_id", "=", organizationId)
    .where("last_heartbeat_at", ">=", heartbeatSince)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `delegate ${delegateId} is not connected`);
  return delegateFromRow(row);
}
