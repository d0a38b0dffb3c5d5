// HTTP API, infrastructure: the authentication hook of /api/v2: every request (except the
// OpenAPI document) carries a bearer token; the caller is attached to the request.
import type { FastifyInstance } from "fastify";
import { JSON_API_MEDIA_TYPE } from "../jsonapi/json-api-schemas.js";

const OPENAPI_PATH = "/api/v2/openapi.json";

/** True for the one public path (compared on the raw URL: `request.routeOptions` is costly). */
function isPublic(url: string): boolean {
  return url === OPENAPI_PATH || url.startsWith(`${OPENAPI_PATH}?`);
}

/** Adds the authentication hook to an encapsulated /api/v2 scope. */
export function installAuthentication(api: FastifyInstance): void {
  api.decorateRequest("caller", null);
  api.addHook("onRequest", async (request, reply) => {
    reply.type(JSON_API_MEDIA_TYPE);
    if (isPublic(request.url)) return;
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
