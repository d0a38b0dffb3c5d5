// Auth, request path step 0: takes the token text out of an `Authorization: Bearer ...` header.
import { DomainError } from "../domain/domain-error.js";

/** The token text of an Authorization header; throws `unauthenticated` when missing or not Bearer. */
export function bearerTokenOf(header: string | undefined): string {
  if (header === undefined || header === "") {
    throw new DomainError(
      "unauthenticated",
      "missing Authorization header: send `Authorization: Bearer <token>`",
      {
        details: { reason: "missing" },
      },
    );
  }
  const space = header.indexOf(" ");
  if (space < 0 || header.slice(0, space).toLowerCase() !== "bearer") {
    throw new DomainError("unauthenticated", "the Authorization header must use the Bearer scheme", {
      details: { reason: "malformed" },
    });
  }
  return header.slice(space + 1).trim();
}
