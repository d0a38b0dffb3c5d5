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
    if (!response.ok) {
      const errors = (
        parsed as {
          errors?: { detail?: string; title?: string; source?: { pointer?: string; parameter?: string } }[];
        }
      )?.errors;
      const lines = (errors ?? []).map((e) => {
        const where = e.source?.pointer ?? e.source?.parameter;
        return `${e.detail ?? e.title ?? "error"}${where ? ` (at ${where})` : ""}`;
      });
      throw new CliError(
        `error ${response.status}: ${lines.length > 0 ? lines.join("; ") : response.statusText}`,
      );
    }
    return parsed as ApiDocument;
  }

  /** GET returning a single resource. */
  async one(path: string): Promise<ApiDocument & { data: ApiResource }> {
    return (await this.request("GET", path)) as ApiDocument & { data: ApiResource };
  }

  /** GET returning every page of a list (up to `max` items). */
  async all(path: string, max = 1000): Promise<ApiResource[]> {
    const out: ApiResource[] = [];
    for (let page = 1; out.length < max; page++) {
      const sep = path.includes("?") ? "&" : "?";
      const doc = await this.request("GET", `${path}${sep}page[size]=100&page[number]=${page}`);
      const data = (doc?.data ?? []) as ApiResource[];
      out.push(...data);
      const pagination = (doc?.meta?.pagination ?? {}) as { "next-page"?: number | null };
      if (!pagination["next-page"]) break;
    }
    return out;
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
