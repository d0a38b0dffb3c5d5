// HTTP API, JSON:API: the query parameters of the console's token list filters (expiry window,
// last use, sort) and their translation into the domain's filter.
import { Type } from "@sinclair/typebox";
import {
  parseTokenSort,
  TOKEN_SORT_FIELDS,
  type TokenWindowFilter,
} from "../../domain/tokens/token-list-query.js";
import { timeParameterOf } from "./query-parameters.js";

const TIME = "an RFC 3339 date-time or epoch milliseconds";

/** The query parameters of the expiry-window, last-use and sort filters of a token list. */
export const TokenWindowQuery = Type.Object({
  "filter[expires-before]": Type.Optional(
    Type.String({
      description: `Tokens that stop working (valid-to or grace end) before this time, ${TIME}`,
    }),
  ),
  "filter[expires-after]": Type.Optional(
    Type.String({
      description: `Tokens that stop working after this time, ${TIME}; tokens without expiry are left out`,
    }),
  ),
  "filter[last-used-before]": Type.Optional(
    Type.String({
      description: `Tokens last used before this time, ${TIME}; tokens never used are left out`,
    }),
  ),
  "filter[never-used]": Type.Optional(
    Type.Boolean({ description: "true: only tokens never used; false: only tokens used at least once" }),
  ),
  sort: Type.Optional(
    Type.Union(
      TOKEN_SORT_FIELDS.flatMap((field) => [Type.Literal(field), Type.Literal(`-${field}`)]),
      {
        description:
          'Sort by creation, expiry or last use; "-" before it for descending (default -created-at). Tokens without expiry or never used sort last',
      },
    ),
  ),
});

/** The values of those parameters, as Fastify hands them over. */
export interface TokenWindowQueryValues {
  readonly "filter[expires-before]"?: string;
  readonly "filter[expires-after]"?: string;
  readonly "filter[last-used-before]"?: string;
  readonly "filter[never-used]"?: boolean;
  readonly sort?: string;
}

/** The domain's window filter of a token list query (400 naming the parameter for a bad value). */
export function tokenWindowOf(query: TokenWindowQueryValues): TokenWindowFilter {
  const expiresBefore = timeParameterOf(query["filter[expires-before]"], "filter[expires-before]");
  const expiresAfter = timeParameterOf(query["filter[expires-after]"], "filter[expires-after]");
  const lastUsedBefore = timeParameterOf(query["filter[last-used-before]"], "filter[last-used-before]");
  const neverUsed = query["filter[never-used]"];
  return {
    ...(expiresBefore !== undefined ? { expiresBefore } : {}),
    ...(expiresAfter !== undefined ? { expiresAfter } : {}),
    ...(lastUsedBefore !== undefined ? { lastUsedBefore } : {}),
    ...(neverUsed !== undefined ? { neverUsed } : {}),
    ...(query.sort !== undefined ? { sort: parseTokenSort(query.sort) } : {}),
  };
}
