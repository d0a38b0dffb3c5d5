// Domain layer, tokens: a token's status, computed from its times (never stored, so it can't go
// stale): revoked, expired (validTo or the rotation grace passed), rotated (in grace), active.

/** A token's status at some moment. */
export type TokenStatus = "active" | "rotated" | "expired" | "revoked";

/** Every token status. */
export const TOKEN_STATUSES: readonly TokenStatus[] = ["active", "rotated", "expired", "revoked"];

/** The times a status is computed from (epoch ms, null when unset). */
export interface TokenTimes {
  readonly validTo: number | null;
  readonly scheduledExpireTime: number | null;
  readonly revokedAt: number | null;
}

/** The token's status at `now` (epoch ms). */
export function tokenStatusAt(times: TokenTimes, now: number): TokenStatus {
  if (times.revokedAt !== null) return "revoked";
  if (times.scheduledExpireTime !== null && now >= times.scheduledExpireTime) return "expired";
  if (times.validTo !== null && now >= times.validTo) return "expired";
  if (times.scheduledExpireTime !== null) return "rotated";
  return "active";
}

/** The moment the token stops working unless revoked first: the earlier of validTo and the grace end. */
export function tokenExpiresAt(times: TokenTimes): number | null {
  const candidates = [times.validTo, times.scheduledExpireTime].filter((t): t is number => t !== null);
  return candidates.length === 0 ? null : Math.min(...candidates);
}
