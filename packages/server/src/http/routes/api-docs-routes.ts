// HTTP API, routes: the API reference at /api/docs, a static page that renders the server's own
// OpenAPI document (/api/v2/openapi.json) with Redoc. Redoc's standalone bundle is served from the
// installed npm package, never a CDN, and the page's Content-Security-Policy lets it load nothing
// from any other origin. No authentication: the page and the OpenAPI document hold no tenant data.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { FastifyInstance } from "fastify";

/** The path of the API reference page. */
export const API_DOCS_PATH = "/api/docs";

/** The path the Redoc bundle is served from (same origin as the page). */
export const API_DOCS_SCRIPT_PATH = "/api/docs/redoc.standalone.js";

/**
 * The page's Content-Security-Policy: scripts only from this origin (the bundle), no inline or
 * eval'd script; requests (the OpenAPI document) only to this origin; inline styles, which Redoc's
 * styled-components inject at run time; the search index's worker, which Redoc starts from a blob;
 * no frames, forms, plugins or base-URI changes.
 */
export const API_DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join("; ");

// URLs relative to the page, so the page works behind a proxy that mounts Keygate under a prefix:
// from /api/docs, `v2/openapi.json` is /api/v2/openapi.json and `docs/...` is /api/docs/....
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Keygate API reference</title>
<link rel="icon" href="data:,">
</head>
<body>
<redoc spec-url="v2/openapi.json"></redoc>
<script src="docs/redoc.standalone.js"></script>
</body>
</html>
`;

const require = createRequire(import.meta.url);

let bundle: Promise<Buffer> | undefined;

/** Redoc's standalone bundle, read from the installed package once. */
function redocBundle(): Promise<Buffer> {
  bundle ??= readFile(require.resolve("redoc/bundles/redoc.standalone.js")).catch((error: unknown) => {
    bundle = undefined;
    throw error;
  });
  return bundle;
}

/** Registers GET /api/docs (the page) and GET /api/docs/redoc.standalone.js (its script). */
export async function apiDocsRoutes(app: FastifyInstance): Promise<void> {
  app.get(API_DOCS_PATH, { logLevel: "warn" }, async (_request, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .header("content-security-policy", API_DOCS_CSP)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "no-referrer")
      .header("cache-control", "no-cache")
      .send(PAGE),
  );
  app.get(API_DOCS_SCRIPT_PATH, { logLevel: "warn" }, async (_request, reply) =>
    reply
      .type("application/javascript; charset=utf-8")
      .header("x-content-type-options", "nosniff")
      .header("cache-control", "public, max-age=3600")
      .send(await redocBundle()),
  );
}
