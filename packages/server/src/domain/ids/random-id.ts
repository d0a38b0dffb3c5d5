// Domain layer, ids: short prefixed ids (`tok-mj3kq0a2T9...`), text in every table. Each starts
// with its creation time, so ids made one after another sort together: a new row's primary key
// (and every index on an id it references) lands on the index's last page, where the rows written
// just before went, instead of on a random page of a large index. A write then touches a few
// pages in all (SQLite's WAL, PostgreSQL's full-page writes), and lists ordered by id read in
// creation order.
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

/** Digits of the time part: base36 ms since 1970, until 2059 (36^8 ms); then its last 8 digits. */
const TIME_DIGITS = 8;
/** Digits of the random part (47 random bits: ids of one millisecond collide once in 10^14 pairs). */
const RANDOM_DIGITS = 8;

/**
 * The time part of an id made at `now` (epoch ms): lower-case base36, so every collation
 * (SQLite's binary, PostgreSQL's locale ones, which fold case) sorts it in time order.
 */
export function idTimePart(now: number): string {
  return now.toString(36).padStart(TIME_DIGITS, "0").slice(-TIME_DIGITS);
}

/**
 * A new id: `<prefix>-`, the time (8 base36 digits) and 8 random base62 digits; 16 characters
 * of [0-9A-Za-z] after the dash.
 */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}-${idTimePart(now)}${randomBase62Digits(6, RANDOM_DIGITS)}`;
}

/**
 * `digits` base62 digits drawn from `byteCount` random bytes: their number's last digits (so when
 * 256^byteCount exceeds 62^digits, every digit string can come out, nearly evenly).
 */
export function randomBase62Digits(byteCount: number, digits: number): string {
  return encodeBytesBase62(randomBytes(byteCount), digits).slice(-digits);
}
