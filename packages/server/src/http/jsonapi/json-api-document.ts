// HTTP API, JSON:API: building documents: times as RFC 3339 (ISO 8601), page requests from the query,
// and list documents with `links` and `meta.pagination`.
import { DomainError } from "../../domain/domain-error.js";
import { cappedPageRequest, DEFAULT_PAGE, type Page, type PageRequest } from "../../domain/pagination/page.js";
import { checkEpochMs } from "../../domain/validation/field-rules.js";
import { parseRfc3339, RFC3339_EXAMPLE } from "../../domain/validation/rfc3339-time.js";

/** Epoch ms as an ISO 8601 string (null stays null). */
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** An RFC 3339 date-time or epoch ms as epoch ms; `invalid` naming the pointer otherwise (no calendar rollover). */
export function epochMsOf(value: string | number, pointer: string): number {
  if (typeof value === "number") return checkEpochMs(value, pointer);
  const parsed = parseRfc3339(value);
  if (!parsed.ok) {
    throw new DomainError(
      "invalid",
      `${pointer} ${parsed.reason}; give an RFC 3339 date-time such as ${RFC3339_EXAMPLE} or epoch milliseconds, got ${JSON.stringify(value)}`,
      { field: pointer },
    );
  }
  return parsed.ms;
}

/** The page query of a list request. */
export interface PageQueryValues {
  readonly "page[number]"?: number;
  readonly "page[size]"?: number;
}

/** The page request of a list query; a size above the maximum is the maximum (reported in `meta.pagination`). */
export function pageRequestOf(query: PageQueryValues): PageRequest {
  return cappedPageRequest(
    query["page[number]"] ?? DEFAULT_PAGE.pageNumber,
    query["page[size]"] ?? DEFAULT_PAGE.pageSize,
  );
}

function pageUrl(path: string, query: Readonly<Record<string, unknown>>, page: number, size: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === "page[number]" || key === "page[size]" || value === undefined) continue;
    params.set(key, String(value));
  }
  params.set("page[number]", String(page));
  params.set("page[size]", String(size));
  return `${path}?${params.toString().replaceAll("%5B", "[").replaceAll("%5D", "]")}`;
}

/** A list document: the page's resources, page links and `meta.pagination`. */
export function listDocumentOf<R>(
  page: Page<unknown>,
  resources: R[],
  request: PageRequest,
  path: string,
  query: Readonly<Record<string, unknown>>,
) {
  const totalPages = Math.max(1, Math.ceil(page.total / request.pageSize));
  const current = request.pageNumber;
  const prev = current > 1 ? current - 1 : null;
  const next = current < totalPages ? current + 1 : null;
  const size = request.pageSize;
  return {
    data: resources,
    links: {
      self: pageUrl(path, query, current, size),
      first: pageUrl(path, query, 1, size),
      prev: prev === null ? null : pageUrl(path, query, prev, size),
      next: next === null ? null : pageUrl(path, query, next, size),
      last: pageUrl(path, query, totalPages, size),
    },
    meta: {
      pagination: {
        "current-page": current,
        "page-size": size,
        "prev-page": prev,
        "next-page": next,
        "total-pages": totalPages,
        "total-count": page.total,
      },
    },
  };
}

/** `{ data: { id, type } }` or `{ data: null }`. */
export function toOne(type: string, id: string | null): { data: { id: string; type: string } | null } {
  return { data: id === null ? null : { id, type } };
}

/** `meta` of a guarded save. */
export function saveMeta(saved: {
  readonly warnings: readonly string[];
  readonly policyEvaluationId: string | null;
}) {
  return { warnings: [...saved.warnings], "policy-evaluation-id": saved.policyEvaluationId };
}
