// Domain layer: the one error type every domain function returns or throws; the HTTP layer maps
// its code to a status in one place (http/error-handler), the CLI prints its message.

/** What went wrong, in terms a caller can act on; each maps to one HTTP status. */
export type DomainErrorCode =
  | "invalid" // 422: the input is malformed or breaks a rule; `field` names the culprit
  | "unauthenticated" // 401
  | "forbidden" // 403: authenticated, but lacks the permission
  | "not_found" // 404: also for resources of another organization
  | "conflict" // 409: e.g. deleting an active token, duplicate name
  | "too_large" // 413
  | "rate_limited" // 429
  | "overloaded" // 503: the organization used its share for now; `details.retryAfterSeconds` says when to retry
  | "policy_denied"; // 422: a mandatory policy refused the change (details carry the messages)

/** An error from a domain operation. */
export class DomainError extends Error {
  readonly code: DomainErrorCode;
  /** JSON pointer-like path of the offending input field (`/data/attributes/name`), when known. */
  readonly field: string | undefined;
  /** Extra structured detail (e.g. policy deny messages and the evaluation id). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: DomainErrorCode,
    message: string,
    options: { field?: string; details?: Readonly<Record<string, unknown>> } = {},
  ) {
    super(message);
    this.name = "DomainError";
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }
}
