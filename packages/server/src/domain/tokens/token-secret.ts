// Domain layer, tokens: hashing and comparing secrets. Secrets are 256 random bits, so one
// SHA-256 (no salt, no stretching) is enough; comparison is constant-time.
import { createHash, timingSafeEqual } from "node:crypto";

/** The hex SHA-256 of a token secret; the only form in which it is stored. */
export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** True when `secret` hashes to `storedHash`, compared in constant time. */
export function secretMatchesHash(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashTokenSecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
