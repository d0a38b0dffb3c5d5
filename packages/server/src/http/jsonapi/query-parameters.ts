// HTTP API, JSON:API: parsing query parameter values the schema keeps as text (times), with a 400
// naming the parameter when one cannot be used.
import { MAX_EPOCH_MS, parseRfc3339, RFC3339_EXAMPLE } from "../../domain/validation/rfc3339-time.js";
import { RequestError } from "./request-error.js";

/** A time filter (`filter[since]=...`): epoch milliseconds or an RFC 3339 date-time; undefined when absent. */
export function timeParameterOf(value: string | undefined, parameter: string): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) {
    const ms = Number(value);
    if (ms > MAX_EPOCH_MS) {
      throw new RequestError(
        400,
        `${parameter} must be epoch milliseconds from 0 to ${MAX_EPOCH_MS} or an RFC 3339 date-time, got ${value}`,
        { parameter },
      );
    }
    return ms;
  }
  const parsed = parseRfc3339(value);
  if (!parsed.ok) {
    throw new RequestError(
      400,
      `${parameter} ${parsed.reason}; give epoch milliseconds or an RFC 3339 date-time such as ${RFC3339_EXAMPLE}, got ${JSON.stringify(value)}`,
      { parameter },
    );
  }
  return parsed.ms;
}

/**
 * Tag filters (`filter[tag]=env=prod`, repeatable): each `KEY=VALUE` split at its first `=`; a row
 * must hold every one. Undefined when absent.
 */
export function tagFilterOf(
  value: string | readonly string[] | undefined,
  parameter = "filter[tag]",
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const tags: Record<string, string> = {};
  for (const text of typeof value === "string" ? [value] : value) {
    const at = text.indexOf("=");
    if (at <= 0) {
      throw new RequestError(400, `${parameter} must be KEY=VALUE (e.g. env=prod), got ${JSON.stringify(text)}`, {
        parameter,
      });
    }
    const key = text.slice(0, at);
    const tagValue = text.slice(at + 1);
    if (key in tags && tags[key] !== tagValue) {
      throw new RequestError(400, `${parameter} gives two values for ${JSON.stringify(key)}; no row has both`, {
        parameter,
      });
    }
    tags[key] = tagValue;
  }
  return tags;
}
