// Shared, API: a failed answer as a value: its status and JSON:API error objects, so a form can
// show each error next to the field its `source.pointer` names.

/** One JSON:API error object. */
export interface JsonApiError {
  readonly status?: string;
  readonly code?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly source?: { readonly pointer?: string; readonly parameter?: string };
}

/** An answer outside 2xx, with the API's error objects. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly JsonApiError[],
  ) {
    super(errors.map((e) => e.detail ?? e.title ?? `HTTP ${status}`).join("; ") || `HTTP ${status}`);
    this.name = "ApiError";
  }

  /** The errors about the field at `pointer` (e.g. `/data/attributes/name`) or inside it. */
  forPointer(pointer: string): JsonApiError[] {
    return this.errors.filter(
      (e) => e.source?.pointer === pointer || e.source?.pointer?.startsWith(`${pointer}/`),
    );
  }

  /** The errors that name no field the form shows (`shown`: the pointers it does show). */
  unplaced(shown: readonly string[]): JsonApiError[] {
    return this.errors.filter((e) => {
      const pointer = e.source?.pointer;
      return pointer === undefined || !shown.some((s) => pointer === s || pointer.startsWith(`${s}/`));
    });
  }
}

/** Builds an ApiError from a failed answer's body (JSON:API, or anything else). */
export function apiErrorOf(status: number, body: unknown): ApiError {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(errors)) return new ApiError(status, errors as JsonApiError[]);
  return new ApiError(status, [{ status: String(status), title: `HTTP ${status}` }]);
}
