// HTTP API, infrastructure: the parser of JSON bodies (`application/vnd.api+json` and
// `application/json`). Bodies arrive as bytes and must be UTF-8 (Fastify's string parser replaced
// bad bytes and then refused the body as a Content-Length mismatch); then JSON, with prototype
// poisoning keys refused, as Fastify's own parser does. An empty body is no body at all: HCP
// Terraform's own samples send the JSON:API content type on DELETE and on body-less actions, so
// every method accepts it exactly as a request without a Content-Type, and a route that needs a
// document says that the body is empty (see the error handler).
import { isUtf8 } from "node:buffer";
import type { FastifyInstance } from "fastify";
import { JSON_API_MEDIA_TYPE } from "../jsonapi/json-api-schemas.js";
import { RequestError } from "../jsonapi/request-error.js";

/** Installs the parser for both JSON media types (call before routes are added). */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "ignore");
  for (const type of [JSON_API_MEDIA_TYPE, "application/json"]) {
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: "buffer" }, (request, body, done) => {
      const bytes = body as Buffer;
      if (bytes.length === 0) {
        done(null, undefined);
        return;
      }
      if (!isUtf8(bytes)) {
        done(
          new RequestError(400, "the request body is not UTF-8 text; send a JSON:API document in UTF-8"),
          undefined,
        );
        return;
      }
      parseJson(request, bytes.toString("utf8"), done);
    });
  }
}
