// HTTP API, infrastructure: cookie sign-in for the console, beside bearer tokens. A request with no
// Authorization header and a `keygate_session` cookie is authenticated as the session's bound
// token (exactly its permissions); unsafe methods so authenticated must carry the session's CSRF
// token in `X-CSRF-Token` (403 `csrf_token_invalid` otherwise). The bearer path never comes here.
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Caller } from "../../auth/caller.js";
import { DomainError } from "../../domain/domain-error.js";
import { findLiveSession, type Session } from "../../domain/sessions/session.js";
import { csrfTokenOf } from "../../domain/sessions/session-secret.js";
import { RequestError } from "../jsonapi/request-error.js";

/** The session cookie's name. */
export const SESSION_COOKIE = "keygate_session";

/** The header carrying the CSRF token on unsafe cookie-authenticated requests. */
export const CSRF_HEADER = "x-csrf-token";

/** The console session a request was authenticated with, and its secret (to derive its CSRF token). */
export interface RequestSession {
  readonly session: Session;
  readonly secret: string;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The console session that authenticated the request (cookie sign-in); null for bearer tokens. */
    consoleSession: RequestSession | null;
  }
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The value of the session cookie in a Cookie header, if present (the first, as browsers send the most specific first). */
export function sessionCookieOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
  }
  return undefined;
}

/** The Set-Cookie value that stores a session's secret in the browser until `expiresAt`. */
export function sessionCookie(
  secret: string,
  expiresAt: number,
  secure: boolean,
  now: number = Date.now(),
): string {
  const maxAge = Math.max(0, Math.floor((expiresAt - now) / 1000));
  return `${SESSION_COOKIE}=${secret}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** The Set-Cookie value that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** True when the request reached us over TLS (directly, or by a trusted proxy's word). */
export function cameOverTls(request: FastifyRequest): boolean {
  return request.protocol === "https";
}

function csrfMatches(presented: string | string[] | undefined, expected: string): boolean {
  if (typeof presented !== "string") return false;
  const a = Buffer.from(presented, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Authenticates a request by its session cookie: the live session, then its bound token as the
 * authenticator checks tokens; an unknown, ended or expired session is `unauthenticated` and
 * counts as a failed authentication. Unsafe methods then need the CSRF header.
 */
export async function authenticateBySession(
  api: FastifyInstance,
  request: FastifyRequest,
  secret: string,
): Promise<Caller> {
  const { store, authenticator } = api.keygate;
  const now = Date.now();
  const live = await findLiveSession(store, secret, now);
  if (live === undefined) {
    const error = new DomainError(
      "unauthenticated",
      "the session cookie is not a live session (signed out, expired or unknown); sign in again",
      { details: { reason: "session" } },
    );
    authenticator.recordFailure(error, request.ip, now);
    throw error;
  }
  const caller = await authenticator.authenticateBoundToken(live.tokenPublicId, request.ip, now, {
    method: request.method,
    url: request.url,
  });
  if (UNSAFE.has(request.method) && !csrfMatches(request.headers[CSRF_HEADER], csrfTokenOf(secret))) {
    throw new RequestError(
      403,
      "this request is authenticated by the session cookie, so it must carry the session's CSRF token in the X-CSRF-Token header (see GET /api/v2/sessions/current)",
      { header: "X-CSRF-Token" },
      "csrf_token_invalid",
    );
  }
  request.consoleSession = { session: live.session, secret };
  return caller;
}

/** Paths under /api/v2 that take no credential: signing in, and looking at or accepting an invitation (POST only). */
const PUBLIC_POSTS = new Set([
  "/api/v2/sessions",
  "/api/v2/invitation-previews",
  "/api/v2/invitation-acceptances",
]);

/** True for the console's unauthenticated endpoints (method checked first: the bearer GETs pay one compare). */
export function isConsolePublic(method: string, url: string): boolean {
  if (method !== "POST") return false;
  const query = url.indexOf("?");
  return PUBLIC_POSTS.has(query < 0 ? url : url.slice(0, query));
}
