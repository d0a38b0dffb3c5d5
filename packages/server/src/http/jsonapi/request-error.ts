// HTTP API, JSON:API: an error in the request itself (not in a domain rule): a query parameter, a
// header, a path or the body's encoding. The error handler renders it with its status and source.

/** Where in the request the problem is (JSON:API error `source`). */
export type RequestErrorSource =
  | { readonly pointer: string }
  | { readonly parameter: string }
  | { readonly header: string };

/** An error of the request with its HTTP status (4xx) and, when known, where it is. */
export class RequestError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly source?: RequestErrorSource,
    /** A stable, machine-readable code (JSON:API error `code`), e.g. `csrf_token_invalid`. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "RequestError";
  }
}
