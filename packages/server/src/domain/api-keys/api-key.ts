// Domain layer, API keys: belong to a principal; type USER (personal access keys, only on the
// caller themself) or SERVICE (on a service account). Tokens hang off keys.
import { announceChange } from "../../store/announce-change.js";
import type { ApiKeysTable, PrincipalsTable } from "../../store/database-schema.js";
import { PreparedQuery } from "../../store/prepared-query.js";
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { guardedTransaction } from "../audit/guarded-transaction.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { getPrincipal, type Principal, principalFromRow } from "../principals/principal.js";
import { checkDescription, checkName, checkTags, isUniqueViolation } from "../validation/field-rules.js";
import { tagEquals } from "../validation/tag-filter.js";

/** USER: a personal access key of a user, on themself. SERVICE: a key of a service account. */
export type ApiKeyType = "USER" | "SERVICE";

/** An API key. */
export interface ApiKey {
  readonly id: string;
  readonly organizationId: string;
  readonly principalId: string;
  readonly type: ApiKeyType;
  /** Unique among the principal's keys. */
  readonly name: string;
  readonly description: string;
  /** String tags (`team=platform`), filterable in lists. */
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly createdBy: string | null;
}

/** An API key saved (created or changed), as the write path reviews it. */
export interface ApiKeySaveChange {
  readonly entity: "api-key";
  readonly action: "create" | "update";
  readonly apiKey: ApiKey;
}

/** An API key deleted (with its tokens), as the write path reviews it. */
export interface ApiKeyRemovalChange {
  readonly entity: "api-key";
  readonly action: "delete";
  readonly apiKey: ApiKey;
}

/** Every API key change the write path reviews. */
export type ApiKeyChange = ApiKeySaveChange | ApiKeyRemovalChange;

/** Input of createApiKey. */
export interface CreateApiKeyInput {
  readonly principalId: string;
  readonly type: ApiKeyType;
  readonly name: string;
  readonly description?: string;
  /** The new key's id, chosen by a caller whose transaction may run again (default: a new one). */
  readonly id?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** Input of updateApiKey; absent fields are left unchanged. */
export interface UpdateApiKeyInput {
  readonly name?: string;
  readonly description?: string;
  /** Replaces every tag. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The result of a guarded save: the key and any advisory policy warnings. */
export interface SavedApiKey {
  readonly apiKey: ApiKey;
  readonly warnings: readonly string[];
  readonly policyEvaluationId: string | null;
}

/** Maps a row to an ApiKey. */
export function apiKeyFromRow(row: ApiKeysTable): ApiKey {
  return {
    id: row.id,
    organizationId: row.organization_id,
    principalId: row.principal_id,
    type: row.type,
    name: row.name,
    description: row.description,
    tags: JSON.parse(row.tags) as Record<string, string>,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    createdBy: row.created_by,
  };
}

function duplicateName(name: string): DomainError {
  return new DomainError(
    "conflict",
    `this principal already has an API key named "${name}"; choose another name`,
    {
      field: "name",
    },
  );
}

/**
 * Creates an API key. USER keys only on a user and only by that user themself (or the system,
 * at bootstrap); SERVICE keys only on a service account.
 */
export async function createApiKey(
  store: Store,
  ctx: MutationContext<ApiKeySaveChange>,
  input: CreateApiKeyInput,
): Promise<SavedApiKey> {
  if (input.type !== "USER" && input.type !== "SERVICE") {
    throw new DomainError("invalid", `type must be "USER" or "SERVICE", got ${JSON.stringify(input.type)}`, {
      field: "type",
    });
  }
  const name = checkName(input.name);
  const description = checkDescription(input.description);
  const tags = checkTags(input.tags);
  const apiKeyId = input.id ?? newId("key");
  return guardedTransaction(store, ctx, async (tx, review) => {
    const principal = await getPrincipal(tx, ctx.organizationId, input.principalId).catch(
      (error: unknown) => {
        if (error instanceof DomainError && error.code === "not_found") {
          throw new DomainError(
            "invalid",
            `principal ${input.principalId} does not exist in this organization`,
            {
              field: "principalId",
            },
          );
        }
        throw error;
      },
    );
    switch (input.type) {
      case "USER": {
        if (principal.kind !== "user") {
          throw new DomainError(
            "invalid",
            `USER API keys are personal; ${principal.id} is a service account, use type SERVICE`,
            {
              field: "type",
            },
          );
        }
        const isSystem = ctx.actor.principalId === null && ctx.actor.via === "system";
        if (!isSystem && ctx.actor.principalId !== principal.id) {
          throw new DomainError(
            "forbidden",
            "a USER (personal) API key can only be created by the user themself, on their own account",
          );
        }
        break;
      }
      case "SERVICE":
        if (principal.kind !== "service-account") {
          throw new DomainError(
            "invalid",
            `SERVICE API keys belong to service accounts; ${principal.id} is a user, use type USER for a personal key`,
            { field: "type" },
          );
        }
        break;
    }
    const now = ctx.now ?? Date.now();
    const row: ApiKeysTable = {
      id: apiKeyId,
      organization_id: ctx.organizationId,
      principal_id: principal.id,
      type: input.type,
      name,
      description,
      tags: JSON.stringify(tags),
      created_at: now,
      updated_at: now,
      created_by: ctx.actor.principalId,
    };
    const apiKey = apiKeyFromRow(row);
    const outcome = await review({
      entity: "api-key",
      action: "create",
      apiKey,
    });
    try {
      await tx.db.insertInto("api_keys").values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(name);
      throw error;
    }
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "api-key.create",
      resourceType: "api-key",
      resourceId: row.id,
      policyEvaluationId: outcome.policyEvaluationId ?? null,
      details: { name, type: input.type, principalId: principal.id, warnings: outcome.warnings ?? [] },
      occurredAt: now,
    });
    return {
      apiKey,
      warnings: outcome.warnings ?? [],
      policyEvaluationId: outcome.policyEvaluationId ?? null,
    };
  });
}

/** An API key of the organization, or `not_found`. */
export async function getApiKey(store: Store, organizationId: string, apiKeyId: string): Promise<ApiKey> {
  const row = await store.db
    .selectFrom("api_keys")
    .selectAll()
    .where("id", "=", apiKeyId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `API key ${apiKeyId} not found`);
  return apiKeyFromRow(row);
}

/** An API key with its principal (who holds its tokens' access), as read together. */
export interface HeldApiKey {
  readonly apiKey: ApiKey;
  readonly holder: Principal;
}

/**
 * The base query for API keys joined with their principal: the key's columns as they are, the
 * principal's prefixed `holder_`.
 */
export function selectHeldApiKeyRows(store: Store) {
  return store.db
    .selectFrom("api_keys")
    .innerJoin("principals as holder", (join) =>
      join
        .onRef("holder.id", "=", "api_keys.principal_id")
        .onRef("holder.organization_id", "=", "api_keys.organization_id"),
    )
    // Columns named, not `api_keys.*`: the query is a prepared statement on PostgreSQL, whose result
    // type must not change when a newer instance's migration adds a column (statement-name.ts).
    .select([
      "api_keys.id",
      "api_keys.organization_id",
      "api_keys.principal_id",
      "api_keys.type",
      "api_keys.name",
      "api_keys.description",
      "api_keys.tags",
      "api_keys.created_at",
      "api_keys.updated_at",
      "api_keys.created_by",
      "holder.kind as holder_kind",
      "holder.name as holder_name",
      "holder.display_name as holder_display_name",
      "holder.email as holder_email",
      "holder.description as holder_description",
      "holder.space_id as holder_space_id",
      "holder.disabled as holder_disabled",
      "holder.created_at as holder_created_at",
      "holder.updated_at as holder_updated_at",
      "holder.created_by as holder_created_by",
    ]);
}

/** A row of selectHeldApiKeyRows: the key's columns and its principal's, prefixed `holder_`. */
export type HeldApiKeyRow = ApiKeysTable & {
  readonly holder_kind: PrincipalsTable["kind"];
  readonly holder_name: string;
  readonly holder_display_name: string;
  readonly holder_email: string | null;
  readonly holder_description: string;
  readonly holder_space_id: string | null;
  readonly holder_disabled: number;
  readonly holder_created_at: number;
  readonly holder_updated_at: number;
  readonly holder_created_by: string | null;
};

/** Maps a row of selectHeldApiKeyRows to the key and its principal. */
export function heldApiKeyFromRow(row: HeldApiKeyRow): HeldApiKey {
  return {
    apiKey: apiKeyFromRow(row),
    holder: principalFromRow({
      id: row.principal_id,
      organization_id: row.organization_id,
      kind: row.holder_kind,
      name: row.holder_name,
      display_name: row.holder_display_name,
      email: row.holder_email,
      description: row.holder_description,
      space_id: row.holder_space_id,
      disabled: Number(row.holder_disabled),
      created_at: row.holder_created_at,
      updated_at: row.holder_updated_at,
      created_by: row.holder_created_by,
    }),
  };
}

const heldApiKeyQuery = new PreparedQuery(
  ["apiKeyId", "organizationId"] as const,
  (store, [apiKeyId, organizationId]) =>
    selectHeldApiKeyRows(store)
      .where("api_keys.id", "=", apiKeyId)
      .where("api_keys.organization_id", "=", organizationId),
);

/** An API key of the organization with its principal, in one query; `not_found` otherwise. */
export async function getHeldApiKey(
  store: Store,
  organizationId: string,
  apiKeyId: string,
): Promise<HeldApiKey> {
  const [row] = await heldApiKeyQuery.execute(store, [apiKeyId, organizationId]);
  if (!row) throw new DomainError("not_found", `API key ${apiKeyId} not found`);
  return heldApiKeyFromRow(row);
}

/** Filters for listApiKeys. */
export interface ApiKeyFilter {
  readonly principalId?: string;
  readonly type?: ApiKeyType;
  /** Only keys holding every one of these tags. */
  readonly tags?: Readonly<Record<string, string>>;
  readonly page?: PageRequest;
}

/** Lists the organization's API keys, oldest first. */
export async function listApiKeys(
  store: Store,
  organizationId: string,
  filter: ApiKeyFilter = {},
): Promise<Page<ApiKey>> {
  const { limit, offset } = pageWindow(filter.page);
  let query = store.db.selectFrom("api_keys").where("organization_id", "=", organizationId);
  if (filter.principalId !== undefined) query = query.where("principal_id", "=", filter.principalId);
  if (filter.type !== undefined) query = query.where("type", "=", filter.type);
  for (const [key, value] of Object.entries(filter.tags ?? {})) {
    query = query.where(tagEquals(store.dialect, "tags", key, value));
  }
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy("created_at").orderBy("id").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(apiKeyFromRow), total: Number(count.n) };
}

/** Renames or re-describes an API key. */
export async function updateApiKey(
  store: Store,
  ctx: MutationContext<ApiKeySaveChange>,
  apiKeyId: string,
  input: UpdateApiKeyInput,
): Promise<SavedApiKey> {
  const name = input.name === undefined ? undefined : checkName(input.name);
  const description = input.description === undefined ? undefined : checkDescription(input.description);
  const tags = input.tags === undefined ? undefined : checkTags(input.tags);
  return guardedTransaction(store, ctx, async (tx, review) => {
    const current = await getApiKey(tx, ctx.organizationId, apiKeyId);
    const now = ctx.now ?? Date.now();
    const apiKey: ApiKey = {
      ...current,
      name: name ?? current.name,
      description: description ?? current.description,
      tags: tags ?? current.tags,
      updatedAt: now,
    };
    const outcome = await review({
      entity: "api-key",
      action: "update",
      apiKey,
    });
    try {
      await tx.db
        .updateTable("api_keys")
        .set({
          name: apiKey.name,
          description: apiKey.description,
          tags: JSON.stringify(apiKey.tags),
          updated_at: now,
        })
        .where("id", "=", apiKeyId)
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(apiKey.name);
      throw error;
    }
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "api-key.update",
      resourceType: "api-key",
      resourceId: apiKeyId,
      policyEvaluationId: outcome.policyEvaluationId ?? null,
      details: {
        changed: Object.keys(input).filter((k) => input[k as keyof UpdateApiKeyInput] !== undefined),
        warnings: outcome.warnings ?? [],
      },
      occurredAt: now,
    });
    return {
      apiKey,
      warnings: outcome.warnings ?? [],
      policyEvaluationId: outcome.policyEvaluationId ?? null,
    };
  });
}

/** Deletes an API key and its tokens; `conflict` while any of its tokens still works (revoke them first). */
export async function deleteApiKey(
  store: Store,
  ctx: MutationContext<ApiKeyRemovalChange>,
  apiKeyId: string,
): Promise<void> {
  await guardedTransaction(store, ctx, async (tx, review) => {
    const apiKey = await getApiKey(tx, ctx.organizationId, apiKeyId);
    await review({ entity: "api-key", action: "delete", apiKey });
    const now = ctx.now ?? Date.now();
    const tokens = await tx.db
      .selectFrom("tokens")
      .select(["id", "public_id", "revoked_at", "valid_to", "scheduled_expire_time"])
      .where("api_key_id", "=", apiKeyId)
      .execute();
    const live = tokens.find(
      (t) =>
        t.revoked_at === null &&
        (t.valid_to === null || Number(t.valid_to) > now) &&
        (t.scheduled_expire_time === null || Number(t.scheduled_expire_time) > now),
    );
    if (live) {
      throw new DomainError(
        "conflict",
        `API key ${apiKeyId} still has a working token (${live.id}); revoke its tokens before deleting the key`,
      );
    }
    await tx.db.deleteFrom("api_keys").where("id", "=", apiKeyId).execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "api-key.delete",
      resourceType: "api-key",
      resourceId: apiKeyId,
      details: { name: apiKey.name, tokensDeleted: tokens.length },
      occurredAt: now,
    });
    for (const t of tokens) {
      await announceChange(tx, {
        kind: "token.deleted",
        organizationId: ctx.organizationId,
        tokenId: t.id,
        publicId: t.public_id,
      });
    }
    await announceChange(tx, { kind: "api-key.deleted", organizationId: ctx.organizationId, apiKeyId });
  });
}
