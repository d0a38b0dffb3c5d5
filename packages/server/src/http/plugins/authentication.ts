// HTTP API, infrastructure: the authentication hook of /api/v2: every request (except the
// OpenAPI document and the console's sign-in and invitation endpoints) carries a bearer token, or,
// with no Authorization header, the console's session cookie; the caller is attached to the request.
import type { FastifyInstance } from "fastify";
import type { Caller } from "../../auth/caller.js";
import { JSON_API_MEDIA_TYPE } from "../jsonapi/json-api-schemas.js";
import { RequestError } from "../jsonapi/request-error.js";
import { unstorableHeaderError } from "./input-guard.js";
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
  const { authenticator } = api.keygate;
  // A callback hook: with everything cached the caller is known without waiting, and the request
  // goes on in the same tick (an async hook would cost a promise and a microtask turn or two).
  api.addHook("onRequest", (request, reply, done) => {
    reply.type(JSON_API_MEDIA_TYPE);
    // The input guard's rule for the two header-derived values, checked here, where they are read.
    const unstorable = unstorableHeaderError(request.headers.authorization, request.ip);
    if (unstorable !== undefined) return done(unstorable);
    if (isPublic(request.url) || isConsolePublic(request.method, request.url)) return done();
    // Which of two credentials would count is ambiguous (proxies and servers pick differently).
    if (authorizationHeaderCount(request.raw.rawHeaders) > 1) {
      return done(
        new RequestError(400, "send one Authorization header, not several", { header: "Authorization" }),
      );
    }
    let caller: Caller | Promise<Caller>;
    try {
      const secret =
        // Console sign-in: only when no Authorization header is sent (a bearer token always wins).
        request.headers.authorization === undefined && request.headers.cookie !== undefined
          ? sessionCookieOf(request.headers.cookie)
          : undefined;
      caller =
        secret !== undefined
          ? authenticateBySession(api, request, secret)
          : // The route lets owners reach the policy repair endpoints whatever the login policies say.
            authenticator.authenticateNow(request.headers.authorization, request.ip, undefined, {
              method: request.method,
              url: request.url,
            });
    } catch (error) {
      return done(error as Error);
    }
    if (caller instanceof Promise) {
      caller.then(
        (known) => {
          request.caller = known;
          done();
        },
        (error: Error) => done(error),
      );
      return;
    }
    request.caller = caller;
    done();
  });
}
