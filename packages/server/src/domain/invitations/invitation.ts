// Domain layer, invitations: how a person other than the bootstrap admin gets a credential. An
// admin invites a user; the one-time secret (shown once, only its hash stored) lets whoever holds
// it, within its lifetime, mint that user's first personal token through the user's personal (USER)
// API key, created if absent. One open invitation per user: a new one revokes the previous.
// Accepting is single use (a conditional update in the acceptance's transaction), and the token is
// minted in that same transaction, so a refused token leaves the invitation open.
import type { Store } from "../../store/store.js";
import { type ApiKey, type ApiKeySaveChange, apiKeyFromRow, createApiKey } from "../api-keys/api-key.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { guardedTransaction } from "../audit/guarded-transaction.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import type { User } from "../principals/principal.js";
import { getUser } from "../principals/user.js";
import {
  hashSessionSecret,
  isInvitationSecretShaped,
  newInvitationSecret,
} from "../sessions/session-secret.js";
import { type InvitationsTable, sessionDb } from "../sessions/session-tables.js";
import { createToken, type IssuedToken, type TokenSaveChange } from "../tokens/token.js";
import { checkDescription, checkEpochMs } from "../validation/field-rules.js";

/** An invitation's status, computed when read. */
export type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";

/** Every invitation status. */
export const INVITATION_STATUSES: readonly InvitationStatus[] = ["pending", "accepted", "revoked", "expired"];

/** Default lifetime of an invitation, in hours. */
export const DEFAULT_INVITATION_HOURS = 72;
/** Longest lifetime of an invitation, in hours (30 days). */
export const MAX_INVITATION_HOURS = 720;

/** The name of the personal API key an acceptance creates when the user has none. */
export const INVITED_KEY_NAME = "personal";

/** An invitation (never its secret). */
export interface Invitation {
  readonly id: string;
  readonly organizationId: string;
  /** The invited user. */
  readonly userId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly createdBy: string | null;
  readonly revokedAt: number | null;
  readonly acceptedAt: number | null;
  /** The token minted by accepting it. */
  readonly acceptedTokenId: string | null;
  readonly status: InvitationStatus;
}

/** An invitation created, revoked or accepted, as the write path reviews it. */
export interface InvitationChange {
  readonly entity: "invitation";
  readonly action: "create" | "revoke" | "accept";
  readonly invitation: Invitation;
}

/** Input of createInvitation. */
export interface CreateInvitationInput {
  readonly userId: string;
  /** 1..MAX_INVITATION_HOURS; default DEFAULT_INVITATION_HOURS. */
  readonly expiresInHours?: number;
}

/** A new invitation and its secret (`kgi_...`), shown this once. */
export interface CreatedInvitation {
  readonly invitation: Invitation;
  readonly secret: string;
}

/** What an invitation's secret shows before it is accepted, or why it shows nothing. */
export type InvitationPreview =
  | {
      readonly outcome: "pending";
      readonly invitation: Invitation;
      readonly userName: string;
      readonly organizationName: string;
    }
  /** No such secret, or the invitation was accepted or revoked. */
  | { readonly outcome: "unknown" }
  | { readonly outcome: "expired" };

/** Input of acceptInvitation. */
export interface AcceptInvitationInput {
  readonly secret: string;
  /** The new token's description. */
  readonly tokenDescription?: string;
  /** The new token's expiry (epoch ms); absent for none. */
  readonly tokenExpiresAt?: number;
  /** Epoch ms; default now. */
  readonly now?: number;
}

/** The changes an acceptance shows the write path: the invitation, the personal key, the token. */
export type AcceptanceChange = InvitationChange | ApiKeySaveChange | TokenSaveChange;

/** What accepting a secret did. */
export type InvitationAcceptance =
  | { readonly outcome: "accepted"; readonly invitation: Invitation; readonly issued: IssuedToken }
  | { readonly outcome: "unknown" }
  | { readonly outcome: "expired" };

/** The status of an invitation row at `now`. */
export function invitationStatusAt(
  row: Pick<InvitationsTable, "revoked_at" | "accepted_at" | "expires_at">,
  now: number,
): InvitationStatus {
  if (row.accepted_at !== null) return "accepted";
  if (row.revoked_at !== null) return "revoked";
  if (Number(row.expires_at) <= now) return "expired";
  return "pending";
}

function invitationFromRow(row: InvitationsTable, now: number): Invitation {
  return {
    id: row.id,
    organizationId: row.organization_id,
    userId: row.principal_id,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    createdBy: row.created_by,
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    acceptedAt: row.accepted_at === null ? null : Number(row.accepted_at),
    acceptedTokenId: row.accepted_token_id,
    status: invitationStatusAt(row, now),
  };
}

function checkHours(value: unknown): number {
  if (value === undefined) return DEFAULT_INVITATION_HOURS;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_INVITATION_HOURS) {
    throw new DomainError(
      "invalid",
      `expires-in-hours must be a whole number of hours from 1 to ${MAX_INVITATION_HOURS}, got ${JSON.stringify(value)}`,
      { field: "expiresInHours" },
    );
  }
  return value;
}

/**
 * Invites a user: a new one-time secret valid for `expiresInHours`; any open invitation of the
 * user is revoked. `invalid` for an unknown user or a service account, `conflict` for a disabled user.
 */
export async function createInvitation(
  store: Store,
  ctx: MutationContext<InvitationChange>,
  input: CreateInvitationInput,
): Promise<CreatedInvitation> {
  const now = ctx.now ?? Date.now();
  const hours = checkHours(input.expiresInHours);
  const secret = newInvitationSecret();
  return guardedTransaction(store, ctx, async (tx, review) => {
    const user = await getUser(tx, ctx.organizationId, input.userId).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === "not_found") {
        throw new DomainError("invalid", `user ${input.userId} does not exist in this organization`, {
          field: "userId",
        });
      }
      throw error;
    });
    if (user.disabled) {
      throw new DomainError("conflict", `user ${user.id} is disabled; enable them before inviting them`, {
        field: "userId",
      });
    }
    const row: InvitationsTable = {
      id: newId("inv"),
      organization_id: ctx.organizationId,
      principal_id: user.id,
      secret_hash: hashSessionSecret(secret),
      created_at: now,
      expires_at: now + hours * 3600 * 1000,
      created_by: ctx.actor.principalId,
      revoked_at: null,
      accepted_at: null,
      accepted_token_id: null,
    };
    const invitation = invitationFromRow(row, now);
    await review({ entity: "invitation", action: "create", invitation });
    const db = sessionDb(tx);
    const open = await db
      .selectFrom("invitations")
      .select("id")
      .where("principal_id", "=", user.id)
      .where("revoked_at", "is", null)
      .where("accepted_at", "is", null)
      .execute();
    if (open.length > 0) {
      const ids = open.map((r) => r.id);
      await db.updateTable("invitations").set({ revoked_at: now }).where("id", "in", ids).execute();
      for (const id of ids) {
        await recordAuditEvent(tx, {
          organizationId: ctx.organizationId,
          actor: ctx.actor,
          action: "invitation.revoked",
          resourceType: "invitation",
          resourceId: id,
          details: { userId: user.id, reason: `replaced by invitation ${row.id}` },
          occurredAt: now,
        });
      }
    }
    await db.insertInto("invitations").values(row).execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "invitation.created",
      resourceType: "invitation",
      resourceId: row.id,
      details: { userId: user.id, userName: user.name, expiresAt: row.expires_at },
      occurredAt: now,
    });
    return { invitation, secret };
  });
}

/** An invitation of the organization, or `not_found`. */
export async function getInvitation(
  store: Store,
  organizationId: string,
  invitationId: string,
  now: number = Date.now(),
): Promise<Invitation> {
  const row = await sessionDb(store)
    .selectFrom("invitations")
    .selectAll()
    .where("id", "=", invitationId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (row === undefined) throw new DomainError("not_found", `invitation ${invitationId} not found`);
  return invitationFromRow(row, now);
}

/** Filters of listInvitations. */
export interface InvitationFilter {
  readonly status?: InvitationStatus;
  readonly userId?: string;
  readonly page?: PageRequest;
  readonly now?: number;
}

/** Lists the organization's invitations, newest first. */
export async function listInvitations(
  store: Store,
  organizationId: string,
  filter: InvitationFilter = {},
): Promise<Page<Invitation>> {
  const { limit, offset } = pageWindow(filter.page);
  const now = filter.now ?? Date.now();
  let query = sessionDb(store).selectFrom("invitations").where("organization_id", "=", organizationId);
  if (filter.userId !== undefined) query = query.where("principal_id", "=", filter.userId);
  switch (filter.status) {
    case undefined:
      break;
    case "accepted":
      query = query.where("accepted_at", "is not", null);
      break;
    case "revoked":
      query = query.where("accepted_at", "is", null).where("revoked_at", "is not", null);
      break;
    case "expired":
      query = query
        .where("accepted_at", "is", null)
        .where("revoked_at", "is", null)
        .where("expires_at", "<=", now);
      break;
    case "pending":
      query = query
        .where("accepted_at", "is", null)
        .where("revoked_at", "is", null)
        .where("expires_at", ">", now);
      break;
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
  return { items: rows.map((row) => invitationFromRow(row, now)), total: Number(count.n) };
}

/** Revokes an open invitation (idempotent once revoked); `conflict` once accepted. */
export async function revokeInvitation(
  store: Store,
  ctx: MutationContext<InvitationChange>,
  invitationId: string,
): Promise<Invitation> {
  const now = ctx.now ?? Date.now();
  return guardedTransaction(store, ctx, async (tx, review) => {
    const current = await getInvitation(tx, ctx.organizationId, invitationId, now);
    if (current.acceptedAt !== null) {
      throw new DomainError(
        "conflict",
        `invitation ${invitationId} was already accepted; revoke the token it minted (${current.acceptedTokenId}) instead`,
      );
    }
    if (current.revokedAt !== null) return current;
    const revoked: Invitation = { ...current, revokedAt: now, status: "revoked" };
    await review({ entity: "invitation", action: "revoke", invitation: revoked });
    await sessionDb(tx)
      .updateTable("invitations")
      .set({ revoked_at: now })
      .where("id", "=", invitationId)
      .execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "invitation.revoked",
      resourceType: "invitation",
      resourceId: invitationId,
      details: { userId: current.userId },
      occurredAt: now,
    });
    return revoked;
  });
}

async function rowBySecret(store: Store, secret: string): Promise<InvitationsTable | undefined> {
  if (!isInvitationSecretShaped(secret)) return undefined;
  return sessionDb(store)
    .selectFrom("invitations")
    .selectAll()
    .where("secret_hash", "=", hashSessionSecret(secret))
    .executeTakeFirst();
}

/**
 * What a link gives when its invitation is no longer pending: `unknown` once accepted or revoked
 * (the link tells nothing more), `expired` once expired; undefined while pending.
 */
function closedLinkOutcome(
  status: InvitationStatus,
): { readonly outcome: "unknown" } | { readonly outcome: "expired" } | undefined {
  switch (status) {
    case "accepted":
    case "revoked":
      return { outcome: "unknown" };
    case "expired":
      return { outcome: "expired" };
    case "pending":
      return undefined;
  }
}

/** What an invitation secret shows (the invited user's name, the organization, the expiry). */
export async function previewInvitation(
  store: Store,
  secret: string,
  now: number = Date.now(),
): Promise<InvitationPreview> {
  const row = await rowBySecret(store, secret);
  if (row === undefined) return { outcome: "unknown" };
  const invitation = invitationFromRow(row, now);
  const closed = closedLinkOutcome(invitation.status);
  if (closed !== undefined) return closed;
  const [user, org] = await Promise.all([
    getUser(store, row.organization_id, row.principal_id),
    store.db
      .selectFrom("organizations")
      .select("name")
      .where("id", "=", row.organization_id)
      .executeTakeFirstOrThrow(),
  ]);
  return { outcome: "pending", invitation, userName: user.name, organizationName: org.name };
}

/** The invited user of a pending invitation with this secret, for building the acceptance's context. */
export async function invitedUserOf(
  store: Store,
  secret: string,
  now: number = Date.now(),
): Promise<
  { readonly outcome: "pending"; readonly user: User } | { readonly outcome: "unknown" | "expired" }
> {
  const row = await rowBySecret(store, secret);
  if (row === undefined) return { outcome: "unknown" };
  const closed = closedLinkOutcome(invitationStatusAt(row, now));
  if (closed !== undefined) return closed;
  return { outcome: "pending", user: await getUser(store, row.organization_id, row.principal_id) };
}

/**
 * Accepts an invitation: marks it accepted (once: a second acceptance finds it `unknown`) and mints
 * the user's personal token through their personal (USER) key, created if absent, all in one
 * transaction reviewed with `ctx` (the invited user's own write context).
 */
export async function acceptInvitation(
  store: Store,
  ctx: MutationContext<AcceptanceChange>,
  input: AcceptInvitationInput,
): Promise<InvitationAcceptance> {
  const now = input.now ?? ctx.now ?? Date.now();
  const description = checkDescription(input.tokenDescription, "tokenDescription");
  const validTo =
    input.tokenExpiresAt === undefined ? null : checkEpochMs(input.tokenExpiresAt, "tokenExpiresAt");
  if (validTo !== null && validTo <= now) {
    throw new DomainError("invalid", "token-expires-at is in the past; give a future time or none", {
      field: "tokenExpiresAt",
    });
  }
  const row = await rowBySecret(store, input.secret);
  if (row === undefined) return { outcome: "unknown" };
  if (row.organization_id !== ctx.organizationId || row.principal_id !== ctx.actor.principalId) {
    throw new DomainError("forbidden", "the acceptance's context is not the invited user's");
  }
  // The transaction may run again (policies on save are evaluated outside it, then it is re-run
  // and must present the same changes): the time and the new ids are fixed once, here.
  const pinned: MutationContext<AcceptanceChange> = { ...ctx, now };
  const apiKeyId = newId("key");
  const tokenId = newId("tok");
  return guardedTransaction(store, pinned, async (tx, review): Promise<InvitationAcceptance> => {
    const db = sessionDb(tx);
    const current = await db
      .selectFrom("invitations")
      .selectAll()
      .where("id", "=", row.id)
      .executeTakeFirst();
    if (current === undefined) return { outcome: "unknown" };
    const closed = closedLinkOutcome(invitationStatusAt(current, now));
    if (closed !== undefined) return closed;
    const user = await getUser(tx, ctx.organizationId, current.principal_id);
    if (user.disabled) {
      throw new DomainError("forbidden", `user ${user.id} is disabled; ask an admin to enable them`);
    }
    const accepted: Invitation = { ...invitationFromRow(current, now), acceptedAt: now, status: "accepted" };
    await review({ entity: "invitation", action: "accept", invitation: accepted });
    // Single use: only the first acceptance moves it out of pending.
    const claimed = await db
      .updateTable("invitations")
      .set({ accepted_at: now })
      .where("id", "=", current.id)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return { outcome: "unknown" };
    const keyRow = await tx.db
      .selectFrom("api_keys")
      .selectAll()
      .where("organization_id", "=", ctx.organizationId)
      .where("principal_id", "=", user.id)
      .where("type", "=", "USER")
      .orderBy("created_at")
      .orderBy("id")
      .executeTakeFirst();
    const apiKey: ApiKey =
      keyRow !== undefined
        ? apiKeyFromRow(keyRow)
        : (
            await createApiKey(tx, pinned, {
              id: apiKeyId,
              principalId: user.id,
              type: "USER",
              name: INVITED_KEY_NAME,
              description: `created when ${user.name} accepted invitation ${current.id}`,
            })
          ).apiKey;
    const issued = await createToken(tx, pinned, {
      id: tokenId,
      apiKeyId: apiKey.id,
      name: "personal token",
      description: description === "" ? `minted by accepting invitation ${current.id}` : description,
      ...(validTo !== null ? { validTo } : {}),
    });
    await db
      .updateTable("invitations")
      .set({ accepted_token_id: issued.token.id })
      .where("id", "=", current.id)
      .execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "invitation.accepted",
      resourceType: "invitation",
      resourceId: current.id,
      details: { userId: user.id, apiKeyId: apiKey.id, tokenId: issued.token.id },
      occurredAt: now,
    });
    return { outcome: "accepted", invitation: { ...accepted, acceptedTokenId: issued.token.id }, issued };
  });
}
