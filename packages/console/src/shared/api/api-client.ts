// Shared, API: the one typed client every feature calls. Its types come from Keygate's OpenAPI
// document (schema.gen.ts, generated at build time); it sends JSON:API documents, the session
// cookie (same origin) and, on writes, the session's CSRF token.
import createClient, { type Middleware } from "openapi-fetch";
import { apiErrorOf } from "./api-error";
import type { paths } from "./schema.gen";

const JSON_API = "application/vnd.api+json";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

let csrfToken: string | undefined;

/** Sets (or clears) the CSRF token sent on writes: the current session's. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const jsonApi: Middleware = {
  onRequest({ request }) {
    request.headers.set("accept", JSON_API);
    if (request.headers.get("content-type")?.startsWith("application/json"))
      request.headers.set("content-type", JSON_API);
    if (UNSAFE.has(request.method) && csrfToken !== undefined) request.headers.set("x-csrf-token", csrfToken);
    return request;
  },
};

/** The typed client of Keygate's API (paths as in the OpenAPI document, `/api/v2/...`). */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: "same-origin" });
api.use(jsonApi);

/** The answer of an openapi-fetch call. */
interface Answer<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly response: Response;
}

/** The document of a successful answer; throws ApiError otherwise (TanStack Query reports it). */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw apiErrorOf(response.status, error);
  return data as T;
}

/** The organization every page works in (the session's), set when signing in. */
let organization = "";

/** Sets the organization the console works in. */
export function setOrganization(name: string): void {
  organization = name;
}

/** The organization the console works in. */
export function currentOrganization(): string {
  return organization;
}
