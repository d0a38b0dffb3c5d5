// Domain layer, validation: the checks shared by every input (names, descriptions, times, tags);
// each failure is an `invalid` DomainError naming the field and saying what to fix.
import { DomainError } from "../domain-error.js";
import { MAX_EPOCH_MS } from "./rfc3339-time.js";

/** The longest accepted display name. */
export const MAX_NAME_LENGTH = 128;
/** The longest accepted description. */
export const MAX_DESCRIPTION_LENGTH = 2048;

/** A trimmed, non-empty name of at most MAX_NAME_LENGTH printable characters. */
export function checkName(value: unknown, field = "name"): string {
  if (typeof value !== "string") throw new DomainError("invalid", `${field} must be a string`, { field });
  const name = value.trim();
  if (name.length === 0) throw new DomainError("invalid", `${field} must not be empty`, { field });
  if (name.length > MAX_NAME_LENGTH) {
    throw new DomainError(
      "invalid",
      `${field} must be at most ${MAX_NAME_LENGTH} characters, got ${name.length}`,
      {
        field,
      },
    );
  }
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new DomainError("invalid", `${field} must not contain control characters`, { field });
  }
  return name;
}

/** A lowercase identifier: letters, digits, `-` and `_`, starting with a letter or digit, 1-63 chars. */
export function checkSlug(value: unknown, field = "name"): string {
  if (typeof value !== "string" || !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(value)) {
    throw new DomainError(
      "invalid",
      `${field} must be 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit; got ${JSON.stringify(value)}`,
      { field },
    );
  }
  return value;
}

/** An optional description (default empty) of at most MAX_DESCRIPTION_LENGTH characters. */
export function checkDescription(value: unknown, field = "description"): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new DomainError("invalid", `${field} must be a string`, { field });
  if (value.length > MAX_DESCRIPTION_LENGTH) {
    throw new DomainError(
      "invalid",
      `${field} must be at most ${MAX_DESCRIPTION_LENGTH} characters, got ${value.length}`,
      { field },
    );
  }
  return value;
}

/** A time as epoch milliseconds (a whole number from 0 to MAX_EPOCH_MS, the end of year 9999). */
export function checkEpochMs(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > MAX_EPOCH_MS) {
    throw new DomainError(
      "invalid",
      `${field} must be a time in epoch milliseconds (a whole number from 0 to ${MAX_EPOCH_MS})`,
      { field },
    );
  }
  return value;
}

/** A duration in milliseconds (a whole number from 0 to MAX_EPOCH_MS, so that now + it is still a time). */
export function checkDurationMs(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > MAX_EPOCH_MS) {
    throw new DomainError(
      "invalid",
      `${field} must be a duration in milliseconds (a whole number from 0 to ${MAX_EPOCH_MS})`,
      { field },
    );
  }
  return value;
}

/** Tags: at most 50 string keys (1-128 chars) to string values (at most 256 chars). */
export function checkTags(value: unknown, field = "tags"): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new DomainError("invalid", `${field} must be an object of string keys to string values`, { field });
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) throw new DomainError("invalid", `${field} may hold at most 50 tags`, { field });
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of entries) {
    if (key.length === 0 || key.length > 128) {
      throw new DomainError("invalid", `${field} keys must be 1-128 characters, got ${JSON.stringify(key)}`, {
        field: `${field}.${key}`,
      });
    }
    if (typeof tagValue !== "string" || tagValue.length > 256) {
      throw new DomainError("invalid", `${field}.${key} must be a string of at most 256 characters`, {
        field: `${field}.${key}`,
      });
    }
    tags[key] = tagValue;
  }
  return tags;
}

/** An email address (loosely: something@domain). */
export function checkEmail(value: unknown, field = "email"): string {
  if (typeof value !== "string" || !/^[^\s@]+@[^\s@]+$/.test(value) || value.length > 320) {
    throw new DomainError("invalid", `${field} must be an email address like name@example.com`, { field });
  }
  return value.toLowerCase();
}

/** True when a database error is a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
