// Domain layer, delegate tokens: the tokens delegates (agents) connect with. They belong to a
// space; every organization gets a default one. Create, read, list, update, rotate (the old one
// keeps working until revoked), revoke (every connection using it is closed, on every instance)
// and delete (only once revoked). The token text is returned once; only its hash is stored.
import { announceChange } from "../../store/announce-change.js";
import type { Store } from "../../store/store.js";
import type { ChangeOutcome, MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { guardedTransaction } from "../audit/guarded-transaction.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { getSpace } from "../spaces/space.js";
import { generateToken } from "../tokens/token-format.js";
import { hashTokenSecret } from "../tokens/token-secret.js";
import { checkDescription, checkName, isUniqueViolation } from "../validation/field-rules.js";
import { type DelegateTokensTable, delegateDb } from "./delegate-tables.js";

/** A delegate token's status: in use, in use but replaced by rotation, or revoked. */
export type DelegateTokenStatus = "active" | "rotated" | "revoked";

/** Every delegate token status. */
export const DELEGATE_TOKEN_STATUSES: readonly DelegateTokenStatus[] = ["active", "rotated", "revoked"];

/** The name of the default delegate token every organization gets. */
export const DEFAULT_DELEGATE_TOKEN_NAME = "default";

/** A delegate token as listed and returned: never holds the secret or its hash. */
export interface DelegateToken {
  readonly id: string;
  readonly organizationId: string;
  /** The space it belongs to (whose policies, and its ancestors', govern it). */
  readonly spaceId: string;
  /** The lookup part of the token text (not secret). */
  readonly publicId: string;
  readonly name: string;
  readonly description: string;
  /** True for the organization's default token. */
  readonly isDefault: boolean;
  readonly status: DelegateTokenStatus;
  readonly revokedAt: number | null;
  /** The token this one replaced by rotation. */
  readonly rotatedFromId: string | null;
  /** The token that replaced this one by rotation (this one works until revoked). */
  readonly rotatedToId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The principal who created it (null for the system). */
  readonly createdBy: string | null;
  /** When a delegate last connected with it. */
  readonly lastUsedAt: number | null;
}

/** A newly issued delegate token: `value` is the full token text, shown to the caller exactly once. */
export interface IssuedDelegateToken {
  readonly delegateToken: DelegateToken;
  readonly value: string;
  /** Advisory policy messages. */
  readonly warnings: readonly string[];
  readonly policyEvaluationId: string | null;
}

/** The result of an update: the token and any advisory policy warnings. */
export interface SavedDelegateToken {
  readonly delegateToken: DelegateToken;
  readonly warnings: readonly string[];
  readonly policyEvaluationId: string | null;
}

/** The result of a rotation: the new token (text shown once) and the old one, still working. */
export interface RotatedDelegateToken extends IssuedDelegateToken {
  readonly previous: DelegateToken;
}

/** Input of createDelegateToken. */
export interface CreateDelegateTokenInput {
  /** The space it belongs to; default the organization's root space. */
  readonly spaceId?: string;
  readonly name: string;
  readonly description?: string;
}

/** Input of updateDelegateToken; absent fields are left unchanged. */
export interface UpdateDelegateTokenInput {
  readonly name?: string;
  readonly description?: string;
}

/** Filters for listDelegateTokens; all optional, combined with AND. */
export interface DelegateTokenFilter {
  readonly spaceId?: string;
  readonly status?: DelegateTokenStatus;
  readonly page?: PageRequest;
}

/** The status of a row. */
function statusOf(row: Pick<DelegateTokensTable, "revoked_at" | "rotated_to_id">): DelegateTokenStatus {
  if (row.revoked_at !== null) return "revoked";
  if (row.rotated_to_id !== null) return "rotated";
  return "active";
}

/** Maps a row to a DelegateToken. */
export function delegateTokenFromRow(row: DelegateTokensTable): DelegateToken {
  return {
    id: row.id,
    organizationId: row.organization_id,
    spaceId: row.space_id,
    publicId: row.public_id,
    name: row.name,
    description: row.description,
    isDefault: Number(row.is_default) === 1,
    status: statusOf(row),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    rotatedFromId: row.rotated_from_id,
    rotatedToId: row.rotated_to_id,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

/** What policies on save see of a delegate token (never its value or hash). */
export type DelegateTokenDocument = ReturnType<typeof guardDocument>;

/**
 * A delegate token saved, as the write path reviews it: the token as it will be (never its
 * value), with the space it belongs to and, on rotation, the token it replaces as `previous`.
 */
export interface DelegateTokenSaveChange {
  readonly entity: "delegate-token";
  readonly action: "create" | "update" | "rotate";
  readonly delegateToken: DelegateTokenDocument & { readonly previous?: DelegateTokenDocument };
}

function guardDocument(token: DelegateToken) {
  return {
    id: token.id,
    name: token.name,
    spaceId: token.spaceId,
    description: token.description,
    status: token.status,
    isDefault: token.isDefault,
    createdBy: token.createdBy,
    createdAt: token.createdAt,
    rotatedFromId: token.rotatedFromId,
  };
}

function saved(outcome: ChangeOutcome) {
  return { warnings: outcome.warnings ?? [], policyEvaluationId: outcome.policyEvaluationId ?? null };
}

function nameTaken(name: string, spaceId: string): DomainError {
  return new DomainError(
    "conflict",
    `a delegate token named "${name}" is already in use in space ${spaceId}; choose another name or revoke that token first`,
    { field: "name" },
  );
}

/** Runs the insert or update, turning a taken name (unique index on live tokens) into `conflict`. */
async function withNameCheck<T>(name: string, spaceId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(name, spaceId);
    throw error;
  }
}

function newDelegateTokenRow(
  ctx: Pick<MutationContext, "organizationId" | "actor">,
  fields: Pick<DelegateTokensTable, "space_id" | "name" | "description" | "is_default" | "rotated_from_id">,
  now: number,
): { row: DelegateTokensTable; value: string } {
  const generated = generateToken("delegate");
  return {
    row: {
      id: newId("dtk"),
      organization_id: ctx.organizationId,
      public_id: generated.parts.publicId,
      secret_hash: hashTokenSecret(generated.parts.secret),
      ...fields,
      revoked_at: null,
      rotated_to_id: null,
      created_at: now,
      updated_at: now,
      created_by: ctx.actor.principalId,
      last_used_at: null,
    },
    value: generated.text,
  };
}

async function insertDelegateToken(
  store: Store,
  ctx: MutationContext<DelegateTokenSaveChange>,
  input: CreateDelegateTokenInput,
  isDefault: boolean,
): Promise<IssuedDelegateToken> {
  const now = ctx.now ?? Date.now();
  const name = checkName(input.name);
  const description = checkDescription(input.description);
  const draft = newDelegateTokenRow(
    ctx,
    {
      space_id: "",
      name,
      description,
      is_default: isDefault ? 1 : 0,
      rotated_from_id: null,
    },
    now,
  );
  return guardedTransaction(store, ctx, async (tx, review) => {
    const row = { ...draft.row, space_id: await resolveSpaceId(tx, ctx.organizationId, input.spaceId) };
    const value = draft.value;
    const delegateToken = delegateTokenFromRow(row);
    const outcome = await review({
      entity: "delegate-token",
      action: "create",
      delegateToken: guardDocument(delegateToken),
    });
    await withNameCheck(name, row.space_id, () =>
      delegateDb(tx).insertInto("delegate_tokens").values(row).execute(),
    );
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "delegate-token.create",
      resourceType: "delegate-token",
      resourceId: row.id,
      policyEvaluationId: outcome.policyEvaluationId ?? null,
      details: { name, spaceId: row.space_id, default: isDefault, warnings: outcome.warnings ?? [] },
      occurredAt: now,
    });
    return { delegateToken, value, ...saved(outcome) };
  });
}

async function resolveSpaceId(
  store: Store,
  organizationId: string,
  spaceId: string | undefined,
): Promise<string> {
  if (spaceId === undefined) {
    const root = await store.db
      .selectFrom("spaces")
      .select("id")
      .where("organization_id", "=", organizationId)
      .where("parent_id", "is", null)
      .executeTakeFirst();
    if (!root) throw new DomainError("not_found", `organization ${organizationId} has no root space`);
    return root.id;
  }
  try {
    return (await getSpace(store, organizationId, spaceId)).id;
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found") {
      throw new DomainError("invalid", `space ${spaceId} does not exist in this organization`, {
        field: "spaceId",
      });
    }
    throw error;
  }
}

/** Issues a delegate token in a space; the returned `value` is the only time the text is shown. */
export function createDelegateToken(
  store: Store,
  ctx: MutationContext<DelegateTokenSaveChange>,
  input: CreateDelegateTokenInput,
): Promise<IssuedDelegateToken> {
  return insertDelegateToken(store, ctx, input, false);
}

/** Issues the organization's default delegate token (named `default`) in its root space. */
export function createDefaultDelegateToken(
  store: Store,
  ctx: MutationContext<DelegateTokenSaveChange>,
): Promise<IssuedDelegateToken> {
  return insertDelegateToken(
    store,
    ctx,
    { name: DEFAULT_DELEGATE_TOKEN_NAME, description: "Default delegate token of the organization" },
    true,
  );
}

/** A delegate token of the organization (without secret), or `not_found`. */
export async function getDelegateToken(
  store: Store,
  organizationId: string,
  delegateTokenId: string,
): Promise<DelegateToken> {
  const row = await delegateDb(store)
    .selectFrom("delegate_tokens")
    .selectAll()
    .where("id", "=", delegateTokenId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `delegate token ${delegateTokenId} not found`);
  return delegateTokenFromRow(row);
}

/** Lists the organization's delegate tokens, newest first. */
export async function listDelegateTokens(
  store: Store,
  organizationId: string,
  filter: DelegateTokenFilter = {},
): Promise<Page<DelegateToken>> {
  const { limit, offset } = pageWindow(filter.page);
  if (filter.status !== undefined && !DELEGATE_TOKEN_STATUSES.includes(filter.status)) {
    throw new DomainError("invalid", `status must be one of ${DELEGATE_TOKEN_STATUSES.join(", ")}`, {
      field: "status",
    });
  }
  let query = delegateDb(store).selectFrom("delegate_tokens").where("organization_id", "=", organizationId);
  if (filter.spaceId !== undefined) query = query.where("space_id", "=", filter.spaceId);
  switch (filter.status) {
    case undefined:
      break;
    case "revoked":
      query = query.where("revoked_at", "is not", null);
      break;
    case "rotated":
      query = query.where("revoked_at", "is", null).where("rotated_to_id", "is not", null);
      break;
    case "active":
      query = query.where("revoked_at", "is", null).where("rotated_to_id", "is", null);
      break;
  }
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy("created_at", "desc").orderBy("id").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(delegateTokenFromRow), total: Number(count.n) };
}

/** Renames or re-describes a delegate token; `conflict` once revoked. */
export async function updateDelegateToken(
  store: Store,
  ctx: MutationContext<DelegateTokenSaveChange>,
  delegateTokenId: string,
  input: UpdateDelegateTokenInput,
): Promise<SavedDelegateToken> {
  const now = ctx.now ?? Date.now();
  const name = input.name === undefined ? undefined : checkName(input.name);
  const description = input.description === undefined ? undefined : checkDescription(input.description);
  return guardedTransaction(store, ctx, async (tx, review) => {
    const current = await getDelegateToken(tx, ctx.organizationId, delegateTokenId);
    if (current.status === "revoked") {
      throw new DomainError(
        "conflict",
        `delegate token ${delegateTokenId} is revoked; it can no longer be changed`,
      );
    }
    const delegateToken: DelegateToken = {
      ...current,
      name: name ?? current.name,
      description: description ?? current.description,
      updatedAt: now,
    };
    const outcome = await review({
      entity: "delegate-token",
      action: "update",
      delegateToken: guardDocument(delegateToken),
    });
    await withNameCheck(delegateToken.name, current.spaceId, () =>
      delegateDb(tx)
        .updateTable("delegate_tokens")
        .set({ name: delegateToken.name, description: delegateToken.description, updated_at: now })
        .where("id", "=", delegateTokenId)
        .execute(),
    );
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "delegate-token.update",
      resourceType: "delegate-token",
      resourceId: delegateTokenId,
      policyEvaluationId: outcome.policyEvaluationId ?? null,
      details: {
        changed: Object.keys(input).filter((k) => input[k as keyof UpdateDelegateTokenInput] !== undefined),
        name: delegateToken.name,
        warnings: outcome.warnings ?? [],
      },
      occurredAt: now,
    });
    return { delegateToken, ...saved(outcome) };
  });
}

/**
 * Rotates an active delegate token: issues a new one in the same space with the same name and
 * description (text shown once). The old one keeps working until it is revoked, so delegates can
 * be restarted with the new one first.
 */
export async function rotateDelegateToken(
  store: Store,
  ctx: MutationContext<DelegateTokenSaveChange>,
  delegateTokenId: string,
): Promise<RotatedDelegateToken> {
  const now = ctx.now ?? Date.now();
  return guardedTransaction(store, ctx, async (tx, review) => {
    const current = await getDelegateToken(tx, ctx.organizationId, delegateTokenId);
    switch (current.status) {
      case "active":
        break;
      case "rotated":
        throw new DomainError(
          "conflict",
          `delegate token ${delegateTokenId} was already rotated; rotate its replacement ${current.rotatedToId} instead`,
        );
      case "revoked":
        throw new DomainError(
          "conflict",
          `delegate token ${delegateTokenId} is revoked and cannot be rotated; create a new delegate token`,
        );
    }
    const { row, value } = newDelegateTokenRow(
      ctx,
      {
        space_id: current.spaceId,
        name: current.name,
        description: current.description,
        is_default: current.isDefault ? 1 : 0,
        rotated_from_id: current.id,
      },
      now,
    );
    const delegateToken = delegateTokenFromRow(row);
    const previous: DelegateToken = {
      ...current,
      rotatedToId: row.id,
      status: "rotated",
      updatedAt: now,
    };
    const outcome = await review({
      entity: "delegate-token",
      action: "rotate",
      delegateToken: { ...guardDocument(delegateToken), previous: guardDocument(previous) },
    });
    // The old token gives up its name first (conditional, so that of two concurrent rotations,
    // or a rotation racing a revocation, only one wins), then the new one takes it.
    const claimed = await delegateDb(tx)
      .updateTable("delegate_tokens")
      .set({ rotated_to_id: row.id, updated_at: now })
      .where("id", "=", current.id)
      .where("rotated_to_id", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) {
      throw new DomainError(
        "conflict",
        `delegate token ${delegateTokenId} was rotated or revoked meanwhile; reload it and retry`,
      );
    }
    await withNameCheck(row.name, row.space_id, () =>
      delegateDb(tx).insertInto("delegate_tokens").values(row).execute(),
    );
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "delegate-token.rotate",
      resourceType: "delegate-token",
      resourceId: current.id,
      policyEvaluationId: outcome.policyEvaluationId ?? null,
      details: { name: current.name, newDelegateTokenId: row.id, warnings: outcome.warnings ?? [] },
      occurredAt: now,
    });
    return { delegateToken, value, previous, ...saved(outcome) };
  });
}

/**
 * Revokes a delegate token: every delegate connected with it is disconnected (on every instance,
 * through the change feed) and may not connect with it again. Idempotent.
 */
export async function revokeDelegateToken(
  store: Store,
  ctx: MutationContext,
  delegateTokenId: string,
): Promise<DelegateToken> {
  const now = ctx.now ?? Date.now();
  return store.transaction(async (tx) => {
    const current = await getDelegateToken(tx, ctx.organizationId, delegateTokenId);
    if (current.revokedAt === null) {
      await delegateDb(tx)
        .updateTable("delegate_tokens")
        .set({ revoked_at: now, updated_at: now })
        .where("id", "=", delegateTokenId)
        .execute();
      await recordAuditEvent(tx, {
        organizationId: ctx.organizationId,
        actor: ctx.actor,
        action: "delegate-token.revoke",
        resourceType: "delegate-token",
        resourceId: delegateTokenId,
        details: { name: current.name, previousStatus: current.status },
        occurredAt: now,
      });
    }
    // A delegate token is a Keygate token (kind `kgd_`), so its revocation travels as a token
    // revocation; published even when already revoked, so a retry reaches every instance.
    await announceChange(tx, {
      kind: "token.revoked",
      organizationId: ctx.organizationId,
      tokenId: delegateTokenId,
      publicId: current.publicId,
    });
    return current.revokedAt === null
      ? { ...current, revokedAt: now, updatedAt: now, status: "revoked" }
      : current;
  });
}

/** Deletes a revoked delegate token; `conflict` while it still works (revoke it first). */
export async function deleteDelegateToken(
  store: Store,
  ctx: MutationContext,
  delegateTokenId: string,
): Promise<void> {
  const now = ctx.now ?? Date.now();
  await store.transaction(async (tx) => {
    const current = await getDelegateToken(tx, ctx.organizationId, delegateTokenId);
    if (current.status !== "revoked") {
      throw new DomainError(
        "conflict",
        `delegate token ${delegateTokenId} is ${current.status}; only revoked delegate tokens can be deleted, revoke it first`,
      );
    }
    await delegateDb(tx).deleteFrom("delegate_tokens").where("id", "=", delegateTokenId).execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "delegate-token.delete",
      resourceType: "delegate-token",
      resourceId: delegateTokenId,
      details: { name: current.name },
      occurredAt: now,
    });
    await announceChange(tx, {
      kind: "token.deleted",
      organizationId: ctx.organizationId,
      tokenId: delegateTokenId,
      publicId: current.publicId,
    });
  });
}
