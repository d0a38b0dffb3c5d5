// Domain layer, sessions: the secrets of sessions and invitations. Each is 256 random bits in
// base62; only its SHA-256 is stored (one hash is enough for a random secret), and the lookup is
// by that hash. A session's CSRF token is derived from its secret, so it need not be stored and
// cannot be recomputed by anyone who lacks the cookie.
import { createHash } from "node:crypto";
import { encodeBytesBase62 } from "../encoding/base62.js";
import { randomBytes } from "../ids/random-bytes.js";

/** Length of a secret's random part (32 bytes in base62). */
export const SESSION_SECRET_LENGTH = 43;

/** The prefix of invitation secrets, so people and secret scanners can tell what one is. */
export const INVITATION_SECRET_PREFIX = "kgi_";

/** A new session secret (the cookie's value): 43 base62 characters. */
export function newSessionSecret(): string {
  return encodeBytesBase62(randomBytes(32), SESSION_SECRET_LENGTH);
}

/** A new invitation secret: `kgi_` and 43 base62 characters. */
export function newInvitationSecret(): string {
  return INVITATION_SECRET_PREFIX + encodeBytesBase62(randomBytes(32), SESSION_SECRET_LENGTH);
}

/** True when `text` has the shape of a session secret (checked before any hashing or lookup). */
export function isSessionSecretShaped(text: string): boolean {
  return text.length === SESSION_SECRET_LENGTH && /^[0-9A-Za-z]+$/.test(text);
}

/** True when `text` has the shape of an invitation secret. */
export function isInvitationSecretShaped(text: string): boolean {
  return (
    text.length === INVITATION_SECRET_PREFIX.length + SESSION_SECRET_LENGTH &&
    text.startsWith(INVITATION_SECRET_PREFIX) &&
    /^[0-9A-Za-z]+$/.test(text.slice(INVITATION_SECRET_PREFIX.length))
  );
}

/** The hex SHA-256 of a secret: the only form stored, and the lookup key. */
export function hashSessionSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** The CSRF token of the session with this secret (base64url of a domain-separated SHA-256). */
export function csrfTokenOf(secret: string): string {
  return createHash("sha256").update(`keygate-csrf\u0000${secret}`, "utf8").digest("base64url");
}
