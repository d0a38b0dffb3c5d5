// Domain layer, tokens: authenticating a presented token (the hot path). Parse and checksum
// first (no store access), then look up by public id, compare the secret's hash in constant
// time, and check status, validity window, key kind and principal.
import { hash } from "node:crypto";
import type { Store } from "../../store/store.js";
import { type ApiKey, apiKeyFromRow } from "../api-keys/api-key.js";
import { DomainError } from "../domain-error.js";
import { type Principal, principalFromRow } from "../principals/principal.js";
import { type Token, tokenFromRow, tokenKindForApiKey } from "./token.js";
import { type ParsedToken, parseToken, type TokenFormatError } from "./token-format.js";
import { tokenStatusAt } from "./token-status.js";

/** Everything needed to check a token without the store: cache this, keyed by public id. */
export interface TokenAuthRecord {
  /** Status inside is as of loading; verification recomputes it. */
  readonly token: Token;
  /** SHA-256 hex of the secret. */
  readonly secretHash: string;
  /**
   * The same hash as its 32 bytes in a binary (latin1) string, one character per byte, decoded
   * once when loaded and compared on every request.
   */
  readonly secretDigest: string;
  readonly apiKey: ApiKey;
  readonly principal: Principal;
}

/** A successfully authenticated token: who is calling and with what. */
export interface AuthenticatedToken {
  readonly token: Token;
  readonly apiKey: ApiKey;
  readonly principal: Principal;
}

const FORMAT_MESSAGES: Readonly<Record<TokenFormatError, string>> = {
  malformed: "the bearer token is not a Keygate token (expected kg<kind>_<public id>_<secret><checksum>)",
  "unknown-kind": "the bearer token has an unknown kind prefix",
  "bad-checksum": "the bearer token's checksum does not match: it was mistyped or truncated",
};

function unauthenticated(message: string, reason: string): DomainError {
  return new DomainError("unauthenticated", message, { details: { reason } });
}

/**
 * True when the secret's SHA-256 is `digest` (32 bytes as a latin1 string): one digest, compared
 * in constant time. A latin1 string is the cheapest output of Node's one-shot hash (a Buffer
 * output costs it twice as much), and the comparison reads every byte whatever differs.
 */
export function secretMatchesDigest(secret: string, digest: string): boolean {
  const presented = hash("sha256", secret, "binary");
  if (presented.length !== digest.length) return false;
  let difference = 0;
  for (let i = 0; i < presented.length; i++) difference |= presented.charCodeAt(i) ^ digest.charCodeAt(i);
  return difference === 0;
}

/** Parses a presented token, throwing `unauthenticated` for a malformed one or a bad checksum. */
export function parsePresentedToken(presented: string): ParsedToken {
  const parsed = parseToken(presented.trim());
  if (!parsed.ok) throw unauthenticated(FORMAT_MESSAGES[parsed.error], parsed.error);
  return parsed.token;
}

/** Loads a token with its key, principal and secret hash by public id (any organization), if it exists. */
export async function findTokenByPublicId(
  store: Store,
  publicId: string,
  now: number = Date.now(),
): Promise<TokenAuthRecord | undefined> {
  // One round trip: this runs on every cache miss of the request path.
  const row = await store.db
    .selectFrom("tokens")
    .innerJoin("api_keys as k", "k.id", "tokens.api_key_id")
    .innerJoin("principals as p", "p.id", "k.principal_id")
    .selectAll("tokens")
    .select([
      "k.principal_id as principal_id",
      "k.type as k_type",
      "k.name as k_name",
      "k.description as k_description",
      "k.tags as k_tags",
      "k.created_at as k_created_at",
      "k.updated_at as k_updated_at",
      "k.created_by as k_created_by",
      "p.kind as p_kind",
      "p.name as p_name",
      "p.display_name as p_display_name",
      "p.email as p_email",
      "p.description as p_description",
      "p.space_id as p_space_id",
      "p.disabled as p_disabled",
      "p.created_at as p_created_at",
      "p.updated_at as p_updated_at",
      "p.created_by as p_created_by",
    ])
    .where("tokens.public_id", "=", publicId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    token: tokenFromRow(row, now),
    secretHash: row.secret_hash,
    secretDigest: Buffer.from(row.secret_hash, "hex").toString("latin1"),
    apiKey: apiKeyFromRow({
      id: row.api_key_id,
      organization_id: row.organization_id,
      principal_id: row.principal_id,
      type: row.k_type,
      name: row.k_name,
      description: row.k_description,
      tags: row.k_tags,
      created_at: row.k_created_at,
      updated_at: row.k_updated_at,
      created_by: row.k_created_by,
    }),
    principal: principalFromRow({
      id: row.principal_id,
      organization_id: row.organization_id,
      kind: row.p_kind,
      name: row.p_name,
      display_name: row.p_display_name,
      email: row.p_email,
      description: row.p_description,
      space_id: row.p_space_id,
      disabled: row.p_disabled,
      created_at: row.p_created_at,
      updated_at: row.p_updated_at,
      created_by: row.p_created_by,
    }),
  };
}

/**
 * Checks a parsed token against its loaded record at `now`; throws `unauthenticated` if the
 * secret differs, the kind does not match the key, it is not yet valid, expired, revoked, past
 * its rotation grace, or its principal is disabled.
 */
export function checkTokenAgainstRecord(
  parsed: ParsedToken,
  record: TokenAuthRecord | undefined,
  now: number,
): AuthenticatedToken {
  if (!record || record.token.publicId !== parsed.publicId) {
    throw unauthenticated("the bearer token is not known", "unknown");
  }
  if (!secretMatchesDigest(parsed.secret, record.secretDigest)) {
    throw unauthenticated("the bearer token is not known", "unknown");
  }
  if (tokenKindForApiKey(record.apiKey) !== parsed.kind) {
    throw unauthenticated("the bearer token's kind prefix does not match its API key", "kind-mismatch");
  }
  return checkTokenState(record, now);
}

/**
 * Checks a loaded token's state at `now`, its secret aside (checked by the caller, or stood in for
 * by a session bound to the token); throws `unauthenticated` if it is not yet valid, expired,
 * revoked, past its rotation grace, or its principal is disabled.
 */
export function checkTokenState(record: TokenAuthRecord, now: number): AuthenticatedToken {
  const status = tokenStatusAt(record.token, now);
  switch (status) {
    case "revoked":
      throw unauthenticated(`token ${record.token.id} has been revoked`, "revoked");
    case "expired":
      throw unauthenticated(
        record.token.scheduledExpireTime !== null && now >= record.token.scheduledExpireTime
          ? `token ${record.token.id} was rotated and its grace period has ended; use its replacement`
          : `token ${record.token.id} has expired`,
        "expired",
      );
    case "active":
    case "rotated":
      break;
  }
  if (now < record.token.validFrom) {
    throw unauthenticated(`token ${record.token.id} is not valid yet`, "not-yet-valid");
  }
  if (record.principal.disabled) {
    throw unauthenticated(`the principal of token ${record.token.id} is disabled`, "principal-disabled");
  }
  // The cached token object itself while its status is unchanged (consumers may memoize on it).
  const token = status === record.token.status ? record.token : { ...record.token, status };
  return { token, apiKey: record.apiKey, principal: record.principal };
}

/** Authenticates a presented token against the store; throws `unauthenticated` on any failure. */
export async function verifyTokenSecret(
  store: Store,
  presented: string,
  now: number = Date.now(),
): Promise<AuthenticatedToken> {
  const parsed = parsePresentedToken(presented);
  const record = await findTokenByPublicId(store, parsed.publicId, now);
  return checkTokenAgainstRecord(parsed, record, now);
}
