// Domain layer, delegate tokens: checking the token a delegate connects with. Parse and checksum
// first (no store access), insist on the delegate kind (`kgd_`), look it up by public id, compare
// the secret's hash in constant time, and refuse a revoked token.
import type { Store } from "../../store/store.js";
import { DomainError } from "../domain-error.js";
import { parsePresentedToken } from "../tokens/token-verification.js";
import { secretMatchesHash } from "../tokens/token-secret.js";
import { type DelegateToken, delegateTokenFromRow } from "./delegate-token.js";
import { delegateDb } from "./delegate-tables.js";

function refused(message: string, reason: string): DomainError {
  return new DomainError("unauthenticated", message, { details: { reason } });
}

/** Authenticates a presented delegate token; throws `unauthenticated` (with a reason) on any failure. */
export async function verifyDelegateToken(store: Store, presented: string): Promise<DelegateToken> {
  const parsed = parsePresentedToken(presented);
  if (parsed.kind !== "delegate") {
    throw refused(
      `this is a ${parsed.kind} token, not a delegate token: delegates connect with a kgd_ token from a delegate token`,
      "kind-mismatch",
    );
  }
  const row = await delegateDb(store)
    .selectFrom("delegate_tokens")
    .selectAll()
    .where("public_id", "=", parsed.publicId)
    .executeTakeFirst();
  if (!row || !secretMatchesHash(parsed.secret, row.secret_hash)) {
    throw refused("the delegate token is not known (deleted, or mistyped)", "unknown");
  }
  const token = delegateTokenFromRow(row);
  if (token.status === "revoked") {
    throw refused(
      `delegate token ${token.id} ("${token.name}") has been revoked; get a new delegate token and restart the delegate with it`,
      "revoked",
    );
  }
  return token;
}
