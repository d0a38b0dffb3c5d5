// HTTP API, infrastructure: serves the web console (packages/console's build) at `/`: hashed
// assets cached for a year as immutable, index.html never cached, every console answer under a
// strict Content-Security-Policy, and index.html for the console's client-side routes (never for
// /api/*, which keeps its JSON:API 404 and 405 answers).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";

/** Where the console's build is looked for when KEYGATE_CONSOLE_DIR does not say. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL("../../../../console/dist/", import.meta.url));

/**
 * The console's client-side routes' first segments (its router, packages/console/src/app/router.tsx):
 * a reload or a link to one of them answers index.html. Listed rather than a catch-all so that an
 * unknown path keeps its 404 and a known API path's other methods keep their 405.
 */
export const CONSOLE_ROUTES: readonly string[] = [
  "sign-in",
  "invite",
  "spaces",
  "users",
  "service-accounts",
  "api-keys",
  "tokens",
  "policies",
  "policy-sets",
  "simulate",
  "evaluations",
  "delegates",
  "audit",
];

/**
 * The console's Content-Security-Policy: scripts and styles only from this origin (no inline ones,
 * no eval), API calls only to this origin, no framing, no plugins, forms only to this origin.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

const IMMUTABLE = "public, max-age=31536000, immutable";

function secure(reply: FastifyReply): void {
  reply.header("content-security-policy", CONSOLE_CSP);
  reply.header("x-content-type-options", "nosniff");
  reply.header("referrer-policy", "no-referrer");
  reply.header("x-frame-options", "DENY");
}

/**
 * Serves the console from `dir` (default: KEYGATE_CONSOLE_DIR, else packages/console/dist); does
 * nothing when the console has not been built there (the API works without it).
 */
export async function installConsole(
  app: FastifyInstance,
  dir: string = process.env.KEYGATE_CONSOLE_DIR || DEFAULT_CONSOLE_DIR,
): Promise<void> {
  const index = join(dir, "index.html");
  if (!existsSync(index)) {
    app.log.info({ dir }, "console not built: / is not served (npm run build builds it)");
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: "/",
    // One route per file found now (the build is fixed while the server runs): no catch-all route.
    wildcard: false,
    index: false,
    cacheControl: false,
    etag: true,
    lastModified: false,
    setHeaders: (reply, path) => {
      secure(reply);
      // Hashed file names change with their content: an asset can be cached for good.
      reply.header("cache-control", /[\\/]assets[\\/]/.test(path) ? IMMUTABLE : "no-cache");
    },
  });
  // index.html names the current assets: never cached without asking (setHeaders above).
  const sendIndex = (_request: unknown, reply: FastifyReply) => reply.sendFile("index.html", dir);
  app.get("/", { logLevel: "warn" }, sendIndex);
  for (const route of CONSOLE_ROUTES) {
    app.get(`/${route}`, { logLevel: "warn" }, sendIndex);
    app.get(`/${route}/*`, { logLevel: "warn" }, sendIndex);
  }
}
