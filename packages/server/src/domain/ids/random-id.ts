// Domain layer, ids: short prefixed random ids (`tok-3kT9...`), text in every table.
import { encodeBytesBase62 } from "../encoding/base62.js";
import { randomBytes } from "./random-bytes.js";

/** The prefix of each kind of id. */
export type IdPrefix =
  | "org"
  | "spc"
  | "usr"
  | "sa"
  | "team"
  | "role"
  | "rb"
  | "key"
  | "tok"
  | "aud"
  | (string & {});

/** A new id: `<prefix>-` and 16 base62 characters (88 random bits). */
export function newId(prefix: IdPrefix): string {
  return `${prefix}-${encodeBytesBase62(randomBytes(11), 16)}`;
}

/**
 * `digits` base62 digits drawn from `byteCount` random bytes: their number's last digits (so when
 * 256^byteCount exceeds 62^digits, every digit string can come out, nearly evenly).
 */
export function randomBase62Digits(byteCount: number, digits: number): string {
  return encodeBytesBase62(randomBytes(byteCount), digits).slice(-digits);
}
