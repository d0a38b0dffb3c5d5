// CLI, client: calls the Keygate HTTP API with the bearer token and turns JSON:API error
// documents into CliErrors carrying the server's detail.
import { CliError } from "./cli-io.js";

const JSON_API = "application/vnd.api+json";

/** A JSON:API resource object as the CLI reads it. */
export interface ApiResource {
  readonly id: string;
  readonly type: string;
  readonly attributes: Record<string, unknown>;
  readonly relationships?: Record<
    string,
    { data: { id: string; type: string } | null | { id: string; type: string }[] }
  >;
}

/** A JSON:API document as the CLI reads it. */
export interface ApiDocument {
  readonly data: ApiResource | ApiResource[];
  readonly included?: ApiResource[];
  readonly meta?: Record<string, unknown>;
}

interface ErrorObject {
  readonly detail?: string;
  readonly title?: string;
  readonly source?: { pointer?: string; parameter?: string };
  readonly meta?: Record<string, unknown>;
}

/**
 * The CliError for an error answer: each error's detail and where it points, and for a mandatory
 * policy's denial the evaluation to open; as data, the status, the errors and that evaluation's id.
 */
export function apiError(status: number, statusText: string, body: unknown): CliError {
  const errors = ((body as { errors?: unknown } | undefined)?.errors ?? []) as ErrorObject[];
  const lines = (Array.isArray(errors) ? errors : []).map((e) => {
    const where = e.source?.pointer ?? e.source?.parameter;
    return `${e.detail ?? e.title ?? "error"}${where ? ` (at ${where})` : ""}`;
  });
  const evaluationId = errors
    .map((e) => e.meta?.policyEvaluationId ?? e.meta?.["policy-evaluation-id"])
    .find((id): id is string => typeof id === "string");
  const evaluation = evaluationId
    ? `\ndenied by policy evaluation ${evaluationId} (keygate evaluations show ${evaluationId})`
    : "";
  return new CliError(
    `error ${status}: ${lines.length > 0 ? lines.join("; ") : statusText}${evaluation}`,
    1,
    {
      status,
      errors,
      ...(evaluationId ? { "policy-evaluation-id": evaluationId } : {}),
    },
  );
}

/** Talks to one server with one token. */
export class ApiClient {
  constructor(
    readonly server: string,
    private readonly token: string,
  ) {}

  /** Sends a request to `/api/v2<path>`; resolves to the document (undefined for 204). */
  async request(method: string, path: string, body?: unknown): Promise<ApiDocument | undefined> {
    const url = `${this.server.replace(/\/+$/, "")}/api/v2${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: JSON_API,
          "user-agent": "keygate-cli/0.1",
          ...(body !== undefined ? { "content-type": JSON_API } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      const cause =
        error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new CliError(`cannot reach the Keygate server at ${this.server}: ${cause}`);
    }
    if (response.status === 204) return undefined;
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new CliError(`the server answered ${response.status} with a body that is not JSON`);
    }
    if (!response.ok) throw apiError(response.status, response.statusText, parsed);
    return parsed as ApiDocument;
  }

  /** GET returning a single resource. */
  async one(path: string): Promise<ApiDocument & { data: ApiResource }> {
    return (await this.request("GET", path)) as ApiDocument & { data: ApiResource };
  }

  /**
   * GET of a list, page after page, until `max` items or the last page. Items that moved onto a
   * later page while paging (new items at the head of a newest-first list) are not repeated.
   * `total` is the server's count of matching items.
   */
  async list(
    path: string,
    max = Number.POSITIVE_INFINITY,
  ): Promise<{ items: ApiResource[]; total: number | null }> {
    const items: ApiResource[] = [];
    const seen = new Set<string>();
    let total: number | null = null;
    for (let page = 1; items.length < max; page++) {
      const sep = path.includes("?") ? "&" : "?";
      const doc = await this.request("GET", `${path}${sep}page[size]=100&page[number]=${page}`);
      for (const item of (doc?.data ?? []) as ApiResource[]) {
        if (seen.has(item.id) || items.length >= max) continue;
        seen.add(item.id);
        items.push(item);
      }
      const pagination = (doc?.meta?.pagination ?? {}) as {
        "next-page"?: number | null;
        "total-count"?: number;
      };
      if (typeof pagination["total-count"] === "number") total = pagination["total-count"];
      if (!pagination["next-page"]) break;
    }
    return { items, total };
  }

  /** GET of every item of a list, through all its pages. */
  async all(path: string): Promise<ApiResource[]> {
    return (await this.list(path)).items;
  }

  /** The caller's organization id (from `/account/details`). */
  async organization(): Promise<string> {
    const doc = await this.one("/account/details");
    const org = doc.meta?.organization;
    if (typeof org !== "string")
      throw new CliError("the server did not say which organization this token belongs to");
    return org;
  }
}
