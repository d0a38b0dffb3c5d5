// HTTP API, infrastructure: the authentication hook of /api/v2: every request (except the
// OpenAPI document and the console's sign-in and invitation endpoints) carries a bearer token, or,
// with no Authorization header, the console's session cookie; the caller is attached to the request.
import type { FastifyInstance } from "fastify";
import { JSON_API_MEDIA_TYPE } from "../jsonapi/json-api-schemas.js";
import { RequestError } from "../jsonapi/request-error.js";
import { authenticateBySession, isConsolePublic, sessionCookieOf } from "./session-cookie.js";

const OPENAPI_PATH = "/api/v2/openapi.json";

/** True for the one public path (compared on the raw URL: `request.routeOptions` is costly). */
function isPublic(url: string): boolean {
  return url === OPENAPI_PATH || url.startsWith(`${OPENAPI_PATH}?`);
}

/** How many Authorization headers the request carries (Node keeps only the first in `headers`). */
export function authorizationHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length === 13 && name.toLowerCase() === "authorization") count++;
  }
  return count;
}

/** Adds the authentication hook to an encapsulated /api/v2 scope. */
export function installAuthentication(api: FastifyInstance): void {
  api.decorateRequest("caller", null);
  api.decorateRequest("consoleSession", null);
  api.addHook("onRequest", async (request, reply) => {
    reply.type(JSON_API_MEDIA_TYPE);
    if (isPublic(request.url) || isConsolePublic(request.method, request.url)) return;
    // Which of two credentials would count is ambiguous (proxies and servers pick differently).
    if (authorizationHeaderCount(request.raw.rawHeaders) > 1) {
      throw new RequestError(400, "send one Authorization header, not several", { header: "Authorization" });
    }
    // Console sign-in: only when no Authorization header is sent (a bearer token always wins).
    if (request.headers.authorization === undefined && request.headers.cookie !== undefined) {
      const secret = sessionCookieOf(request.headers.cookie);
      if (secret !== undefined) {
        request.caller = await authenticateBySession(api, request, secret);
        return;
      }
    }
    // The route lets owners reach the policy repair endpoints whatever the login policies say.
    request.caller = await api.keygate.authenticator.authenticate(
      request.headers.authorization,
      request.ip,
      undefined,
      {
        method: request.method,
        url: request.url,
      },
    );
  });
}
