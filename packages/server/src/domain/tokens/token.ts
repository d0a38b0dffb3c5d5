// Domain layer, tokens: create, read, list, update, rotate (with a grace period), revoke and
// delete the tokens of an API key. The token text is returned once, at creation or rotation;
// only the SHA-256 of its secret is stored.
import { announceChange } from "../../store/announce-change.js";
import type { TokensTable } from "../../store/database-schema.js";
import { pipelinedWrite, type WriteErrorMapping } from "../../store/pipelined-write.js";
import { insertRow } from "../../store/prepared-insert.js";
import { PreparedQuery } from "../../store/prepared-query.js";
import type { Store } from "../../store/store.js";
import {
  type ApiKey,
  getHeldApiKey,
  type HeldApiKey,
  heldApiKeyFromRow,
  selectHeldApiKeyRows,
} from "../api-keys/api-key.js";
import type { ChangeOutcome, MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { guardedTransaction } from "../audit/guarded-transaction.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import type { Principal } from "../principals/principal.js";
import {
  checkDescription,
  checkDurationMs,
  checkEpochMs,
  checkName,
  checkTags,
} from "../validation/field-rules.js";
import { tagEquals } from "../validation/tag-filter.js";
import { generateToken, type TokenKind } from "./token-format.js";
import { orderTokens, type TokenWindowFilter, whereTokenWindow } from "./token-list-query.js";
import { hashTokenSecret } from "./token-secret.js";
import { TOKEN_STATUSES, type TokenStatus, tokenStatusAt } from "./token-status.js";

/** A token as listed and returned: never holds the secret or its hash. */
export interface Token {
  readonly id: string;
  readonly organizationId: string;
  readonly apiKeyId: string;
  /** The API key's principal: the token acts as it. */
  readonly principalId: string;
  /** The lookup part of the token text (not secret). */
  readonly publicId: string;
  readonly name: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Epoch ms from which the token works. */
  readonly validFrom: number;
  /** Epoch ms at which it stops working; null for no expiry. */
  readonly validTo: number | null;
  /** Set on rotation: end of the grace period of this (old) token. */
  readonly scheduledExpireTime: number | null;
  readonly revokedAt: number | null;
  /** The token this one replaced by rotation. */
  readonly rotatedFromId: string | null;
  /** The token that replaced this one by rotation. */
  readonly rotatedToId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The principal who created it (null for the system). */
  readonly createdBy: string | null;
  readonly lastUsedAt: number | null;
  /** Computed when read. */
  readonly status: TokenStatus;
}

/** A newly issued token: `value` is the full token text, shown to the caller exactly once. */
export interface IssuedToken {
  readonly token: Token;
  readonly value: string;
  /** Advisory policy messages. */
  readonly warnings: readonly string[];
  readonly policyEvaluationId: string | null;
}

/** The result of an update: the token and any advisory policy warnings. */
export interface SavedToken {
  readonly token: Token;
  readonly warnings: readonly string[];
  readonly policyEvaluationId: string | null;
}

/** Input of createToken. */
export interface CreateTokenInput {
  readonly apiKeyId: string;
  readonly name: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Epoch ms; default now. */
  readonly validFrom?: number;
  /** Epoch ms; absent or null for no expiry. */
  readonly validTo?: number | null;
  /** The new token's id, chosen by a caller whose transaction may run again (default: a new one). */
  readonly id?: string;
}

/** Input of updateToken; absent fields are left unchanged. */
export interface UpdateTokenInput {
  readonly name?: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Epoch ms, or null to remove the expiry. */
  readonly validTo?: number | null;
}

/** Input of rotateToken. */
export interface RotateTokenInput {
  /** How long the old token keeps working, in ms (0: it stops at once). */
  readonly gracePeriodMs: number;
  /** The new token's expiry; absent keeps the old token's validTo, null means none. */
  readonly validTo?: number | null;
}

/** The result of a rotation: the new token (text shown once) and the old one, now in grace. */
export interface RotatedToken extends IssuedToken {
  readonly previous: Token;
}

/** A token saved (issued, changed or rotated) as the write path reviews it; never carries a secret. */
export type TokenSaveChange =
  | {
      readonly entity: "token";
      readonly action: "create" | "update";
      /** The token as it will be after the change. */
      readonly token: Token;
      readonly apiKey: ApiKey;
      /** The key's principal, whose access the token carries. */
      readonly holder: Principal;
    }
  | {
      readonly entity: "token";
      readonly action: "rotate";
      /** The new token. */
      readonly token: Token;
      /** The old token, with its `scheduledExpireTime` (end of grace) set. */
      readonly previous: Token;
      readonly apiKey: ApiKey;
      /** The key's principal, whose access the token carries. */
      readonly holder: Principal;
    };

/** A token revoked or deleted, as the write path reviews it. */
export interface TokenRemovalChange {
  readonly entity: "token";
  readonly action: "revoke" | "delete";
  readonly token: Token;
  readonly apiKey: ApiKey;
  /** The key's principal, whose access the token carries. */
  readonly holder: Principal;
}

/** A token with its API key and the key's principal, as read together (see getHeldToken). */
export interface HeldToken extends HeldApiKey {
  readonly token: Token;
}

/** Every token change the write path reviews. */
export type TokenChange = TokenSaveChange | TokenRemovalChange;

type TokenRow = TokensTable & { principal_id: string };

/** The token kind (text prefix) for an API key type. */
export function tokenKindForApiKey(apiKey: ApiKey): TokenKind {
  const kinds: Record<ApiKey["type"], TokenKind> = { USER: "user", SERVICE: "service" };
  return kinds[apiKey.type];
}

/** Maps a row (joined with its key's principal) to a Token, computing the status at `now`. */
export function tokenFromRow(row: TokenRow, now: number): Token {
  const times = {
    validTo: row.valid_to === null ? null : Number(row.valid_to),
    scheduledExpireTime: row.scheduled_expire_time === null ? null : Number(row.scheduled_expire_time),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
  return {
    id: row.id,
    organizationId: row.organization_id,
    apiKeyId: row.api_key_id,
    principalId: row.principal_id,
    publicId: row.public_id,
    name: row.name,
    description: row.description,
    tags: JSON.parse(row.tags) as Record<string, string>,
    validFrom: Number(row.valid_from),
    ...times,
    rotatedFromId: row.rotated_from_id,
    rotatedToId: row.rotated_to_id,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    status: tokenStatusAt(times, now),
  };
}

/** The base query for tokens joined with their key's principal. */
export function selectTokenRows(store: Store) {
  return store.db
    .selectFrom("tokens")
    .innerJoin("api_keys", "api_keys.id", "tokens.api_key_id")
    .selectAll("tokens")
    .select("api_keys.principal_id as principal_id");
}

function checkValidTo(value: unknown, validFrom: number, now: number): number | null {
  if (value === undefined || value === null) return null;
  const validTo = checkEpochMs(value, "validTo");
  if (validTo <= now) {
    throw new DomainError(
      "invalid",
      "validTo is in the past; give a future time in epoch milliseconds or none",
      {
        field: "validTo",
      },
    );
  }
  if (validTo <= validFrom) {
    throw new DomainError("invalid", "validTo must be after validFrom (times in epoch milliseconds)", {
      field: "validTo",
    });
  }
  return validTo;
}

function assertMayIssueOn(ctx: Pick<MutationContext, "actor">, apiKey: ApiKey): void {
  const isSystem = ctx.actor.principalId === null && ctx.actor.via === "system";
  if (apiKey.type === "USER" && !isSystem && ctx.actor.principalId !== apiKey.principalId) {
    throw new DomainError(
      "forbidden",
      `API key ${apiKey.id} is a personal (USER) key; only its owner can issue or rotate its tokens`,
    );
  }
}

function saved(outcome: ChangeOutcome) {
  return { warnings: outcome.warnings ?? [], policyEvaluationId: outcome.policyEvaluationId ?? null };
}

function newTokenRow(
  id: string,
  organizationId: string,
  apiKey: ApiKey,
  fields: Pick<TokensTable, "name" | "description" | "tags" | "valid_from" | "valid_to" | "rotated_from_id">,
  actorId: string | null,
  now: number,
): { row: TokenRow; value: string } {
  const generated = generateToken(tokenKindForApiKey(apiKey));
  const row: TokenRow = {
    id,
    organization_id: organizationId,
    api_key_id: apiKey.id,
    public_id: generated.parts.publicId,
    secret_hash: hashTokenSecret(generated.parts.secret),
    ...fields,
    scheduled_expire_time: null,
    revoked_at: null,
    rotated_to_id: null,
    created_at: now,
    updated_at: now,
    created_by: actorId,
    last_used_at: null,
    principal_id: apiKey.principalId,
  };
  return { row, value: generated.text };
}

// Pipelined: on PostgreSQL its error fails the transaction at its next statement or COMMIT.
async function insertTokenRow(tx: Store, row: TokenRow, mapError?: WriteErrorMapping): Promise<void> {
  const { principal_id: _principal, ...columns } = row;
  await pipelinedWrite(tx, insertRow(tx, "tokens", columns), mapError);
}

function apiKeyGone(apiKeyId: string): DomainError {
  return new DomainError("invalid", `API key ${apiKeyId} does not exist in this organization`, {
    field: "apiKeyId",
  });
}

/** True for a foreign-key violation (the row referred to is gone), on either dialect. */
function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === "23503" || code === "SQLITE_CONSTRAINT_FOREIGNKEY";
}

/**
 * Issues a token on an API key; the returned `value` is the only time the text is shown. `held`
 * is the key and its principal as the caller's access check loaded them (not read again); without
 * it they are read in the transaction.
 */
export async function createToken(
  store: Store,
  ctx: MutationContext<TokenSaveChange>,
  input: CreateTokenInput,
  held?: HeldApiKey,
): Promise<IssuedToken> {
  const now = ctx.now ?? Date.now();
  const name = checkName(input.name);
  const description = checkDescription(input.description);
  const tags = checkTags(input.tags);
  const validFrom = input.validFrom === undefined ? now : checkEpochMs(input.validFrom, "validFrom");
  const validTo = checkValidTo(input.validTo, validFrom, now);
  if (
    held !== undefined &&
    (held.apiKey.id !== input.apiKeyId || held.apiKey.organizationId !== ctx.organizationId)
  ) {
    throw new Error(
      `createToken: the API key handed in (${held.apiKey.id}) is not ${input.apiKeyId} of this organization`,
    );
  }
  const tokenId = input.id ?? newId("tok");
  return guardedTransaction(store, ctx, async (tx, review) => {
    const { apiKey, holder } =
      held ??
      (await getHeldApiKey(tx, ctx.organizationId, input.apiKeyId).catch((error: unknown) => {
        if (error instanceof DomainError && error.code === "not_found") throw apiKeyGone(input.apiKeyId);
        throw error;
      }));
    assertMayIssueOn(ctx, apiKey);
    const { row, value } = newTokenRow(
      tokenId,
      ctx.organizationId,
      apiKey,
      {
        name,
        description,
        tags: JSON.stringify(tags),
        valid_from: validFrom,
        valid_to: validTo,
        rotated_from_id: null,
      },
      ctx.actor.principalId,
      now,
    );
    const token = tokenFromRow(row, now);
    const outcome = await review({ entity: "token", action: "create", token, apiKey, holder });
    // A key deleted since it was loaded is refused by the foreign key (its deletion cascades to tokens).
    await insertTokenRow(tx, row, (error) =>
      isForeignKeyViolation(error) ? apiKeyGone(input.apiKeyId) : error,
    );
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "token.create",
      resourceType: "token",
      resourceId: token.id,
      policyEvaluationId: outcome.policyEvaluationId ?? null,
      details: { name, apiKeyId: apiKey.id, validTo, warnings: outcome.warnings ?? [] },
      occurredAt: now,
    });
    // Events and webhooks: their outbox row is inserted here, one more statement in this transaction.
    return { token, value, ...saved(outcome) };
  });
}

/** A token of the organization (without secret), or `not_found`. */
export async function getToken(
  store: Store,
  organizationId: string,
  tokenId: string,
  now: number = Date.now(),
): Promise<Token> {
  const row = await selectTokenRows(store)
    .where("tokens.id", "=", tokenId)
    .where("tokens.organization_id", "=", organizationId)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `token ${tokenId} not found`);
  return tokenFromRow(row, now);
}

const heldTokenQuery = new PreparedQuery(
  ["tokenId", "organizationId"] as const,
  (store, [tokenId, organizationId]) =>
    selectHeldApiKeyRows(store)
      .innerJoin("tokens", "tokens.api_key_id", "api_keys.id")
      .select([
        "tokens.id as token_id",
        "tokens.public_id as token_public_id",
        "tokens.secret_hash as token_secret_hash",
        "tokens.name as token_name",
        "tokens.description as token_description",
        "tokens.tags as token_tags",
        "tokens.valid_from as token_valid_from",
        "tokens.valid_to as token_valid_to",
        "tokens.scheduled_expire_time as token_scheduled_expire_time",
        "tokens.revoked_at as token_revoked_at",
        "tokens.rotated_from_id as token_rotated_from_id",
        "tokens.rotated_to_id as token_rotated_to_id",
        "tokens.created_at as token_created_at",
        "tokens.updated_at as token_updated_at",
        "tokens.created_by as token_created_by",
        "tokens.last_used_at as token_last_used_at",
      ])
      .where("tokens.id", "=", tokenId)
      .where("tokens.organization_id", "=", organizationId),
);

/** A token of the organization with its API key and the key's principal, in one query; `not_found` otherwise. */
export async function getHeldToken(
  store: Store,
  organizationId: string,
  tokenId: string,
  now: number = Date.now(),
): Promise<HeldToken> {
  const [row] = await heldTokenQuery.execute(store, [tokenId, organizationId]);
  if (!row) throw new DomainError("not_found", `token ${tokenId} not found`);
  const token = tokenFromRow(
    {
      id: row.token_id,
      organization_id: row.organization_id,
      api_key_id: row.id,
      principal_id: row.principal_id,
      public_id: row.token_public_id,
      secret_hash: row.token_secret_hash,
      name: row.token_name,
      description: row.token_description,
      tags: row.token_tags,
      valid_from: row.token_valid_from,
      valid_to: row.token_valid_to,
      scheduled_expire_time: row.token_scheduled_expire_time,
      revoked_at: row.token_revoked_at,
      rotated_from_id: row.token_rotated_from_id,
      rotated_to_id: row.token_rotated_to_id,
      created_at: row.token_created_at,
      updated_at: row.token_updated_at,
      created_by: row.token_created_by,
      last_used_at: row.token_last_used_at,
    },
    now,
  );
  return { token, ...heldApiKeyFromRow(row) };
}

/** Filters for listTokens; all optional, combined with AND. */
export interface TokenFilter {
  readonly apiKeyId?: string;
  readonly principalId?: string;
  readonly status?: TokenStatus;
  /** Expiry window, last use and sort (the console's filters); default newest first. */
  readonly window?: TokenWindowFilter;
  /** Only tokens holding every one of these tags. */
  readonly tags?: Readonly<Record<string, string>>;
  readonly page?: PageRequest;
  /** The moment statuses are computed for; default now. */
  readonly now?: number;
}

/** Lists the organization's tokens, newest first: name, created-by/at, last-used-at, expiry, status. */
export async function listTokens(
  store: Store,
  organizationId: string,
  filter: TokenFilter = {},
): Promise<Page<Token>> {
  const { limit, offset } = pageWindow(filter.page);
  const now = filter.now ?? Date.now();
  if (filter.status !== undefined && !TOKEN_STATUSES.includes(filter.status)) {
    throw new DomainError("invalid", `status must be one of ${TOKEN_STATUSES.join(", ")}`, {
      field: "status",
    });
  }
  let query = store.db
    .selectFrom("tokens")
    .innerJoin("api_keys", "api_keys.id", "tokens.api_key_id")
    .where("tokens.organization_id", "=", organizationId);
  if (filter.apiKeyId !== undefined) query = query.where("tokens.api_key_id", "=", filter.apiKeyId);
  if (filter.principalId !== undefined) query = query.where("api_keys.principal_id", "=", filter.principalId);
  for (const [key, value] of Object.entries(filter.tags ?? {})) {
    query = query.where(tagEquals(store.dialect, "tokens.tags", key, value));
  }
  switch (filter.status) {
    case undefined:
      break;
    case "revoked":
      query = query.where("tokens.revoked_at", "is not", null);
      break;
    case "expired":
      query = query
        .where("tokens.revoked_at", "is", null)
        .where((eb) =>
          eb.or([eb("tokens.scheduled_expire_time", "<=", now), eb("tokens.valid_to", "<=", now)]),
        );
      break;
    case "rotated":
      query = query
        .where("tokens.revoked_at", "is", null)
        .where("tokens.scheduled_expire_time", ">", now)
        .where((eb) => eb.or([eb("tokens.valid_to", "is", null), eb("tokens.valid_to", ">", now)]));
      break;
    case "active":
      query = query
        .where("tokens.revoked_at", "is", null)
        .where("tokens.scheduled_expire_time", "is", null)
        .where((eb) => eb.or([eb("tokens.valid_to", "is", null), eb("tokens.valid_to", ">", now)]));
      break;
  }
  if (filter.window !== undefined) query = whereTokenWindow(query, filter.window);
  const [rows, count] = await Promise.all([
    orderTokens(
      query.selectAll("tokens").select("api_keys.principal_id as principal_id"),
      filter.window?.sort,
    )
      .limit(limit)
      .offset(offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map((row) => tokenFromRow(row, now)), total: Number(count.n) };
}

/** Changes a token's name, description, tags or validTo; `conflict` once revoked or expired. */
export async function updateToken(
  store: Store,
  ctx: MutationContext<TokenSaveChange>,
  tokenId: string,
  input: UpdateTokenInput,
): Promise<SavedToken> {
  const now = ctx.now ?? Date.now();
  const name = input.name === undefined ? undefined : checkName(input.name);
  const description = input.description === undefined ? undefined : checkDescription(input.description);
  const tags = input.tags === undefined ? undefined : checkTags(input.tags);
  return guardedTransaction(store, ctx, async (tx, review) => {
    const { token: current, apiKey, holder } = await getHeldToken(tx, ctx.organizationId, tokenId, now);
    if (current.status === "revoked" || current.status === "expired") {
      throw new DomainError("conflict", `token ${tokenId} is ${current.status}; it can no longer be changed`);
    }
    const validTo =
      input.validTo === undefined ? current.validTo : checkValidTo(input.validTo, current.validFrom, now);
    const token: Token = {
      ...current,
      name: name ?? current.name,
      description: description ?? current.description,
      tags: tags ?? current.tags,
      validTo,
      updatedAt: now,
    };
    const outcome = await review({ entity: "token", action: "update", token, apiKey, holder });
    await tx.db
      .updateTable("tokens")
      .set({
        name: token.name,
        description: token.description,
        tags: JSON.stringify(token.tags),
        valid_to: token.validTo,
        updated_at: now,
      })
      .where("id", "=", tokenId)
      .execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "token.update",
      resourceType: "token",
      resourceId: tokenId,
      policyEvaluationId: outcome.policyEvaluationId ?? null,
      details: {
        changed: Object.keys(input).filter((k) => input[k as keyof UpdateTokenInput] !== undefined),
        validTo: token.validTo,
        warnings: outcome.warnings ?? [],
      },
      occurredAt: now,
    });
    await announceChange(tx, {
      kind: "token.updated",
      organizationId: ctx.organizationId,
      tokenId,
      publicId: token.publicId,
    });
    return { token, ...saved(outcome) };
  });
}

/**
 * Rotates an active token: issues a new one (same key, name, description, tags; text shown once)
 * and lets the old one work until now + grace (`scheduledExpireTime`, status `rotated`).
 */
export async function rotateToken(
  store: Store,
  ctx: MutationContext<TokenSaveChange>,
  tokenId: string,
  input: RotateTokenInput,
): Promise<RotatedToken> {
  const now = ctx.now ?? Date.now();
  const grace = checkDurationMs(input.gracePeriodMs, "gracePeriodMs");
  return guardedTransaction(store, ctx, async (tx, review) => {
    const { token: current, apiKey, holder } = await getHeldToken(tx, ctx.organizationId, tokenId, now);
    if (current.status !== "active") {
      const hint =
        current.status === "rotated"
          ? `rotate its replacement ${current.rotatedToId} instead`
          : "issue a new token";
      throw new DomainError(
        "conflict",
        `token ${tokenId} is ${current.status} and cannot be rotated; ${hint}`,
      );
    }
    assertMayIssueOn(ctx, apiKey);
    const validTo = input.validTo === undefined ? current.validTo : checkValidTo(input.validTo, now, now);
    const { row, value } = newTokenRow(
      newId("tok"),
      ctx.organizationId,
      apiKey,
      {
        name: current.name,
        description: current.description,
        tags: JSON.stringify(current.tags),
        valid_from: now,
        valid_to: validTo,
        rotated_from_id: current.id,
      },
      ctx.actor.principalId,
      now,
    );
    const token = tokenFromRow(row, now);
    const scheduledExpireTime = now + grace;
    const previous: Token = {
      ...current,
      scheduledExpireTime,
      rotatedToId: token.id,
      updatedAt: now,
      status: tokenStatusAt({ ...current, scheduledExpireTime }, now),
    };
    const outcome = await review({ entity: "token", action: "rotate", token, previous, apiKey, holder });
    await insertTokenRow(tx, row);
    // Conditional on the token still being unrotated and unrevoked, so that of two concurrent
    // rotations (or a rotation racing a revocation) only one wins, on either dialect.
    const claimed = await tx.db
      .updateTable("tokens")
      .set({ scheduled_expire_time: scheduledExpireTime, rotated_to_id: token.id, updated_at: now })
      .where("id", "=", current.id)
      .where("scheduled_expire_time", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) {
      throw new DomainError(
        "conflict",
        `token ${tokenId} was rotated or revoked meanwhile; reload it and retry`,
      );
    }
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "token.rotate",
      resourceType: "token",
      resourceId: current.id,
      policyEvaluationId: outcome.policyEvaluationId ?? null,
      details: {
        newTokenId: token.id,
        scheduledExpireTime,
        gracePeriodMs: grace,
        warnings: outcome.warnings ?? [],
      },
      occurredAt: now,
    });
    await announceChange(tx, {
      kind: "token.rotated",
      organizationId: ctx.organizationId,
      tokenId: current.id,
      publicId: current.publicId,
    });
    return { token, value, previous, ...saved(outcome) };
  });
}

/**
 * Revokes a token: from now on every request with it fails, on every instance. Idempotent. `held`
 * is the token, key and principal as the caller's access check loaded them (not read again);
 * without it they are read in the transaction.
 */
export async function revokeToken(
  store: Store,
  ctx: MutationContext<TokenRemovalChange>,
  tokenId: string,
  held?: HeldToken,
): Promise<Token> {
  const now = ctx.now ?? Date.now();
  if (held !== undefined && (held.token.id !== tokenId || held.token.organizationId !== ctx.organizationId)) {
    throw new Error(
      `revokeToken: the token handed in (${held.token.id}) is not ${tokenId} of this organization`,
    );
  }
  return guardedTransaction(store, ctx, async (tx, review) => {
    let {
      token: current,
      apiKey,
      holder,
    } = held ?? (await getHeldToken(tx, ctx.organizationId, tokenId, now));
    await review({ entity: "token", action: "revoke", token: current, apiKey, holder });
    let revokedNow = false;
    if (current.revokedAt === null) {
      const updated = await tx.db
        .updateTable("tokens")
        .set({ revoked_at: now, updated_at: now })
        .where("id", "=", tokenId)
        .where("organization_id", "=", ctx.organizationId)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      revokedNow = Number(updated.numUpdatedRows) === 1;
      // Revoked or deleted since it was loaded: as it is now (`not_found` when gone).
      if (!revokedNow) current = (await getHeldToken(tx, ctx.organizationId, tokenId, now)).token;
    }
    if (revokedNow) {
      await recordAuditEvent(tx, {
        organizationId: ctx.organizationId,
        actor: ctx.actor,
        action: "token.revoke",
        resourceType: "token",
        resourceId: tokenId,
        details: { name: current.name, previousStatus: current.status },
        occurredAt: now,
      });
      // Events and webhooks: their outbox row is inserted here, one more statement in this transaction.
    }
    // Published even when already revoked, so a retry after a lost notification still reaches every cache.
    await announceChange(tx, {
      kind: "token.revoked",
      organizationId: ctx.organizationId,
      tokenId,
      publicId: current.publicId,
    });
    return revokedNow ? { ...current, revokedAt: now, updatedAt: now, status: "revoked" } : current;
  });
}

/** Deletes a token that is revoked or expired; `conflict` while it still works (revoke it first). */
export async function deleteToken(
  store: Store,
  ctx: MutationContext<TokenRemovalChange>,
  tokenId: string,
): Promise<void> {
  const now = ctx.now ?? Date.now();
  await guardedTransaction(store, ctx, async (tx, review) => {
    const { token: current, apiKey, holder } = await getHeldToken(tx, ctx.organizationId, tokenId, now);
    await review({ entity: "token", action: "delete", token: current, apiKey, holder });
    if (current.status === "active" || current.status === "rotated") {
      throw new DomainError(
        "conflict",
        `token ${tokenId} is ${current.status}; only revoked or expired tokens can be deleted, revoke it first`,
      );
    }
    await tx.db.deleteFrom("tokens").where("id", "=", tokenId).execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "token.delete",
      resourceType: "token",
      resourceId: tokenId,
      details: { name: current.name, status: current.status },
      occurredAt: now,
    });
    await announceChange(tx, {
      kind: "token.deleted",
      organizationId: ctx.organizationId,
      tokenId,
      publicId: current.publicId,
    });
  });
}
