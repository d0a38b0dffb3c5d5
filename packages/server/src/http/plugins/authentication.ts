// HTTP API, infrastructure: the authentication hook of /api/v2: every request (except the
// OpenAPI document) carries a bearer token; the caller is attached to the request.
import type { FastifyInstance } from "fastify";
import { JSON_API_MEDIA_TYPE } from "../jsonapi/json-api-schemas.js";

const PUBLIC_PATHS = new Set(["/api/v2/openapi.json"]);

/** Adds the authentication hook to an encapsulated /api/v2 scope. */
export function installAuthentication(api: FastifyInstance): void {
  api.decorateRequest("caller", null);
  api.addHook("onRequest", async (request, reply) => {
    reply.type(JSON_API_MEDIA_TYPE);
    if (PUBLIC_PATHS.has(request.routeOptions.url ?? "")) return;
    request.caller = await api.keygate.authenticator.authenticate(request.headers.authorization, request.ip);
  });
}
