// Domain layer, tokens: the console's filters and orders of a token list: by expiry window, by last
// use (before a time, or never), and sorted by creation, expiry or last use. A token's expiry is
// when it stops working unless revoked first: the earlier of its valid-to and its rotation grace
// end; tokens with no expiry, or never used, sort last in either direction.
import { type ExpressionBuilder, type SelectQueryBuilder, sql } from "kysely";
import type { Database } from "../../store/database-schema.js";
import { DomainError } from "../domain-error.js";

/** What a token list may be sorted by. */
export type TokenSortField = "created-at" | "expires-at" | "last-used-at";

/** Every token sort field. */
export const TOKEN_SORT_FIELDS: readonly TokenSortField[] = ["created-at", "expires-at", "last-used-at"];

/** A sort: the field and the direction (`-created-at` is descending). */
export interface TokenSort {
  readonly field: TokenSortField;
  readonly descending: boolean;
}

/** The default order: newest first. */
export const DEFAULT_TOKEN_SORT: TokenSort = { field: "created-at", descending: true };

/** The console's filters of a token list (epoch ms); all optional, combined with AND. */
export interface TokenWindowFilter {
  /** Tokens that stop working (valid-to or grace end) before this time; tokens without expiry are left out. */
  readonly expiresBefore?: number;
  /** Tokens that stop working after this time; tokens without expiry are left out. */
  readonly expiresAfter?: number;
  /** Tokens last used before this time; tokens never used are left out (see `neverUsed`). */
  readonly lastUsedBefore?: number;
  /** true: only tokens never used; false: only tokens used at least once. */
  readonly neverUsed?: boolean;
  readonly sort?: TokenSort;
}

/** Parses `sort` (`created-at`, `-expires-at`, ...); `invalid` naming the parameter otherwise. */
export function parseTokenSort(value: string): TokenSort {
  const descending = value.startsWith("-");
  const field = (descending ? value.slice(1) : value) as TokenSortField;
  if (!TOKEN_SORT_FIELDS.includes(field)) {
    throw new DomainError(
      "invalid",
      `sort must be one of ${TOKEN_SORT_FIELDS.join(", ")}, optionally with "-" for descending; got ${JSON.stringify(value)}`,
      { field: "sort" },
    );
  }
  return { field, descending };
}

type TokenQuery = SelectQueryBuilder<Database, "tokens" | "api_keys", object>;

/** When a token stops working unless revoked first (null: never), as SQL over the tokens table. */
function expiryOf(eb: ExpressionBuilder<Database, "tokens" | "api_keys">) {
  return eb
    .case()
    .when("tokens.valid_to", "is", null)
    .then(eb.ref("tokens.scheduled_expire_time"))
    .when("tokens.scheduled_expire_time", "is", null)
    .then(eb.ref("tokens.valid_to"))
    .when(eb("tokens.valid_to", "<", eb.ref("tokens.scheduled_expire_time")))
    .then(eb.ref("tokens.valid_to"))
    .else(eb.ref("tokens.scheduled_expire_time"))
    .end();
}

function checkOrder(filter: TokenWindowFilter): void {
  const { expiresAfter, expiresBefore } = filter;
  if (expiresAfter !== undefined && expiresBefore !== undefined && expiresAfter >= expiresBefore) {
    throw new DomainError(
      "invalid",
      "filter[expires-after] must be earlier than filter[expires-before]: the window is empty",
      { field: "filter[expires-after]" },
    );
  }
}

/** Adds the window filters to a token query (tokens joined with api_keys). */
export function whereTokenWindow<Q extends TokenQuery>(query: Q, filter: TokenWindowFilter): Q {
  checkOrder(filter);
  let q: TokenQuery = query;
  const { expiresBefore, expiresAfter, lastUsedBefore, neverUsed } = filter;
  if (expiresBefore !== undefined) q = q.where((eb) => eb(expiryOf(eb), "<", expiresBefore));
  if (expiresAfter !== undefined) q = q.where((eb) => eb(expiryOf(eb), ">", expiresAfter));
  if (lastUsedBefore !== undefined) q = q.where("tokens.last_used_at", "<", lastUsedBefore);
  if (neverUsed === true) q = q.where("tokens.last_used_at", "is", null);
  if (neverUsed === false) q = q.where("tokens.last_used_at", "is not", null);
  return q as Q;
}

/** Orders a token query by the sort (nulls last either way), then by id so pages are stable. */
export function orderTokens<Q extends TokenQuery>(query: Q, sort: TokenSort = DEFAULT_TOKEN_SORT): Q {
  const direction = sort.descending ? "desc" : "asc";
  let q: TokenQuery = query;
  switch (sort.field) {
    case "created-at":
      q = q.orderBy("tokens.created_at", direction);
      break;
    case "last-used-at":
      q = q
        .orderBy(sql`case when tokens.last_used_at is null then 1 else 0 end`)
        .orderBy("tokens.last_used_at", direction);
      break;
    case "expires-at":
      q = q
        .orderBy((eb) => eb.case().when(expiryOf(eb), "is", null).then(1).else(0).end())
        .orderBy((eb) => expiryOf(eb), direction);
      break;
  }
  return q.orderBy("tokens.id") as Q;
}
