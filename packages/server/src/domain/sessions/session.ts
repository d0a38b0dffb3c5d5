// Domain layer, sessions: the console's cookie sign-in. A user exchanges one of their personal
// tokens for a session; the session acts with exactly that token's permissions for as long as the
// token works (revoking it or disabling the user ends the session). Only the cookie secret's hash
// is stored; the CSRF token is derived from the secret. A session lives at most SESSION_LIFETIME_MS
// and never past its token's expiry; a token holds at most MAX_LIVE_SESSIONS_PER_TOKEN live sessions
// (the oldest is ended to make room), and a new session forgets the token's ended and expired ones,
// so no caller can grow the table without bound.
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { guardedTransaction } from "../audit/guarded-transaction.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { hashSessionSecret, isSessionSecretShaped, newSessionSecret } from "./session-secret.js";
import { type SessionsTable, sessionDb } from "./session-tables.js";

/** How long a session lasts at most: 12 hours. */
export const SESSION_LIFETIME_MS = 12 * 3600 * 1000;

/** Live sessions one token may hold; a new one beyond this ends the oldest. */
export const MAX_LIVE_SESSIONS_PER_TOKEN = 20;

/** A console session (never its secret). */
export interface Session {
  readonly id: string;
  readonly organizationId: string;
  /** The user it signs in. */
  readonly principalId: string;
  /** The personal token it is bound to. */
  readonly tokenId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly endedAt: number | null;
}

/** A session created, or ended, as the write path reviews it. */
export interface SessionChange {
  readonly entity: "session";
  readonly action: "create" | "end";
  readonly session: Session;
}

/** A new session and its secret (the cookie value, shown this once). */
export interface CreatedSession {
  readonly session: Session;
  readonly secret: string;
}

/** Input of createSession: the authenticated personal token it is bound to. */
export interface CreateSessionInput {
  readonly principalId: string;
  readonly tokenId: string;
  /** When the token stops working (epoch ms), if it does. */
  readonly tokenExpiresAt: number | null;
  /** The client address. */
  readonly ip?: string;
}

/** A live session found by its secret, with its token's public id (to authenticate the token). */
export interface LiveSession {
  readonly session: Session;
  readonly tokenPublicId: string;
}

function sessionFromRow(row: SessionsTable): Session {
  return {
    id: row.id,
    organizationId: row.organization_id,
    principalId: row.principal_id,
    tokenId: row.token_id,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
  };
}

/** Creates a session bound to a token; the secret returned is the cookie value, never stored. */
export async function createSession(
  store: Store,
  ctx: MutationContext<SessionChange>,
  input: CreateSessionInput,
): Promise<CreatedSession> {
  const now = ctx.now ?? Date.now();
  const expiresAt = Math.min(now + SESSION_LIFETIME_MS, input.tokenExpiresAt ?? Number.MAX_SAFE_INTEGER);
  if (expiresAt <= now) {
    throw new DomainError(
      "unauthenticated",
      "the token expires now; sign in with a token that is still valid",
      {
        details: { reason: "expired" },
      },
    );
  }
  const secret = newSessionSecret();
  const row: SessionsTable = {
    id: newId("ses"),
    organization_id: ctx.organizationId,
    principal_id: input.principalId,
    token_id: input.tokenId,
    secret_hash: hashSessionSecret(secret),
    created_at: now,
    expires_at: expiresAt,
    ended_at: null,
    ip: input.ip ?? null,
  };
  const session = sessionFromRow(row);
  return guardedTransaction(store, ctx, async (tx, review) => {
    await review({ entity: "session", action: "create", session });
    const db = sessionDb(tx);
    // Ended and expired sessions of the token are forgotten (their audit events remain), so a
    // token's rows stay bounded however often it signs in.
    await db
      .deleteFrom("sessions")
      .where("token_id", "=", input.tokenId)
      .where((eb) => eb.or([eb("ended_at", "is not", null), eb("expires_at", "<=", now)]))
      .execute();
    const live = await db
      .selectFrom("sessions")
      .select("id")
      .where("token_id", "=", input.tokenId)
      .where("ended_at", "is", null)
      .where("expires_at", ">", now)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .execute();
    const crowded = live.slice(MAX_LIVE_SESSIONS_PER_TOKEN - 1).map((r) => r.id);
    if (crowded.length > 0) {
      await db.deleteFrom("sessions").where("id", "in", crowded).execute();
      for (const id of crowded) {
        await recordAuditEvent(tx, {
          organizationId: ctx.organizationId,
          actor: ctx.actor,
          action: "session.ended",
          resourceType: "session",
          resourceId: id,
          details: {
            reason: `more than ${MAX_LIVE_SESSIONS_PER_TOKEN} live sessions on token ${input.tokenId}`,
          },
          occurredAt: now,
        });
      }
    }
    await db.insertInto("sessions").values(row).execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "session.created",
      resourceType: "session",
      resourceId: session.id,
      details: { principalId: input.principalId, tokenId: input.tokenId, expiresAt },
      occurredAt: now,
    });
    return { session, secret };
  });
}

/**
 * The live session (neither ended nor expired at `now`) whose secret this is, with its token's
 * public id; undefined when there is none. One indexed read: sessions are not cached, so ending one
 * takes effect on every instance at once.
 */
export async function findLiveSession(
  store: Store,
  secret: string,
  now: number = Date.now(),
): Promise<LiveSession | undefined> {
  if (!isSessionSecretShaped(secret)) return undefined;
  const row = await sessionDb(store)
    .selectFrom("sessions")
    .innerJoin("tokens", "tokens.id", "sessions.token_id")
    .selectAll("sessions")
    .select("tokens.public_id as token_public_id")
    .where("sessions.secret_hash", "=", hashSessionSecret(secret))
    .executeTakeFirst();
  if (row === undefined || row.ended_at !== null || Number(row.expires_at) <= now) return undefined;
  const { token_public_id: tokenPublicId, ...session } = row;
  return { session: sessionFromRow(session), tokenPublicId };
}

/** Ends a session (idempotent for one already ended); `not_found` for another organization's. */
export async function endSession(
  store: Store,
  ctx: MutationContext<SessionChange>,
  sessionId: string,
): Promise<Session> {
  const now = ctx.now ?? Date.now();
  return guardedTransaction(store, ctx, async (tx, review) => {
    const db = sessionDb(tx);
    const row = await db
      .selectFrom("sessions")
      .selectAll()
      .where("id", "=", sessionId)
      .where("organization_id", "=", ctx.organizationId)
      .executeTakeFirst();
    if (row === undefined) throw new DomainError("not_found", `session ${sessionId} not found`);
    const current = sessionFromRow(row);
    if (current.endedAt !== null) return current;
    const ended: Session = { ...current, endedAt: now };
    await review({ entity: "session", action: "end", session: ended });
    await db.updateTable("sessions").set({ ended_at: now }).where("id", "=", sessionId).execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "session.ended",
      resourceType: "session",
      resourceId: sessionId,
      details: { reason: "signed out" },
      occurredAt: now,
    });
    return ended;
  });
}
