// HTTP API, the app factory: builds the Fastify instance with its infrastructure (error handler,
// JSON:API content type, metrics, OpenAPI, authentication) and one route plugin per domain.
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyServerOptions,
  type onResponseHookHandler,
} from "fastify";
import { Authenticator } from "../auth/authenticator.js";
import type { SaveGuard } from "../domain/governance/save-guard.js";
import type { Store } from "../store/store.js";
import { JSON_API_MEDIA_TYPE } from "./jsonapi/json-api-schemas.js";
import { MetricsRegistry } from "./metrics/metrics-registry.js";
import { installAuthentication } from "./plugins/authentication.js";
import { installErrorHandler } from "./plugins/error-handler.js";
import { installStrictBodyTypes } from "./plugins/strict-body-types.js";
import type { KeygateServices } from "./plugins/keygate-services.js";
import { collectOpenApi } from "./plugins/openapi-document.js";
import { accessRoutes } from "./routes/access-routes.js";
import { accountRoutes } from "./routes/account-routes.js";
import { apiKeyRoutes } from "./routes/api-key-routes.js";
import { auditRoutes } from "./routes/audit-routes.js";
import { delegateRoutes } from "./routes/delegate-tokens/delegate-token-routes.js";
import { healthRoutes } from "./routes/health-routes.js";
import { organizationRoutes } from "./routes/organization-routes.js";
import { policyRoutes } from "./routes/policies/policy-routes.js";
import { policyEvaluationRoutes } from "./routes/policy-evaluations/policy-evaluation-routes.js";
import { policySetRoutes } from "./routes/policy-sets/policy-set-routes.js";
import { roleRoutes } from "./routes/role-routes.js";
import { serviceAccountRoutes } from "./routes/service-account-routes.js";
import { spaceRoutes } from "./routes/space-routes.js";
import { teamRoutes } from "./routes/team-routes.js";
import { tokenRoutes } from "./routes/token-routes.js";
import { userRoutes } from "./routes/user-routes.js";

/** Options of buildApp. */
export interface AppOptions {
  readonly store: Store;
  /** Policies on save (governance); none by default. */
  readonly guard?: SaveGuard;
  /** Fastify's logger option; the Authorization header is always redacted. Default: no logging. */
  readonly logger?: FastifyServerOptions["logger"];
  /** Failed authentications allowed per address per window before 429 (default 50 per 60 s). */
  readonly authFailureLimit?: number;
  readonly authFailureWindowMs?: number;
  /** How stale (ms) a cached token, principal or binding may be when used (default 5 s). */
  readonly cacheMaxStalenessMs?: number;
  /** How often last-used-at is written, in ms (default 1000). */
  readonly usageFlushMs?: number;
  /** Trust X-Forwarded-For (behind a proxy); default false. */
  readonly trustProxy?: boolean;
  /** More authenticated route plugins to mount under /api/v2 (e.g. policies). */
  readonly apiPlugins?: readonly FastifyPluginAsync[];
}

const REDACT = ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'];

function loggerOption(logger: FastifyServerOptions["logger"]): FastifyServerOptions["logger"] {
  if (logger === undefined || logger === false) return false;
  const base = logger === true ? {} : (logger as Record<string, unknown>);
  return { ...base, redact: { paths: REDACT, censor: "[redacted]" } } as FastifyServerOptions["logger"];
}

/** Builds the Keygate HTTP app over a store (not listening yet; `app.close()` stops its timers). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOption(options.logger),
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    disableRequestLogging: false,
  });
  const metrics = new MetricsRegistry();
  const authenticator = new Authenticator(options.store, {
    ...(options.authFailureLimit !== undefined ? { failureLimit: options.authFailureLimit } : {}),
    ...(options.authFailureWindowMs !== undefined ? { failureWindowMs: options.authFailureWindowMs } : {}),
    ...(options.cacheMaxStalenessMs !== undefined ? { cacheMaxStalenessMs: options.cacheMaxStalenessMs } : {}),
    ...(options.usageFlushMs !== undefined ? { usageFlushMs: options.usageFlushMs } : {}),
    onFailure: (reason) => metrics.observeAuthFailure(reason),
    onUsageError: (error) => app.log.error({ err: error }, "recording token last-used-at failed"),
  });
  const cache = authenticator.cache.stats;
  metrics.registerValue(
    "keygate_token_cache_hits_total",
    "Token lookups served from memory.",
    "counter",
    () => cache.hits,
  );
  metrics.registerValue(
    "keygate_token_cache_misses_total",
    "Token lookups that went to the database.",
    "counter",
    () => cache.misses,
  );
  metrics.registerValue(
    "keygate_cache_invalidations_total",
    "Change events that invalidated caches.",
    "counter",
    () => cache.invalidations,
  );
  const services: KeygateServices = { store: options.store, authenticator, metrics, guard: options.guard };
  app.decorate("keygate", services);
  app.decorateRequest("startedAt", 0n);
  // Callback-style hooks: cheaper than async ones on every request.
  app.addHook("onRequest", (request, _reply, done) => {
    request.startedAt = process.hrtime.bigint();
    done();
  });
  // Each route observes its own latency with its URL captured once: `request.routeOptions` is a
  // getter that builds an object on every call, too dear for the hot path.
  app.addHook("onRoute", (route) => {
    const url = route.url ?? "unmatched";
    const observe: onResponseHookHandler = (request, reply, done) => {
      const seconds = Number(process.hrtime.bigint() - request.startedAt) / 1e9;
      metrics.observeRequest(request.method, url, reply.statusCode, seconds);
      done();
    };
    const existing = route.onResponse;
    route.onResponse =
      existing === undefined ? [observe] : [...(Array.isArray(existing) ? existing : [existing]), observe];
  });
  app.addHook("onResponse", (request, reply, done) => {
    if (request.is404) {
      const seconds = Number(process.hrtime.bigint() - request.startedAt) / 1e9;
      metrics.observeRequest(request.method, "unmatched", reply.statusCode, seconds);
    }
    done();
  });
  app.addHook("onClose", async () => {
    await authenticator.close();
  });
  app.addContentTypeParser(
    JSON_API_MEDIA_TYPE,
    { parseAs: "string" },
    app.getDefaultJsonParser("error", "ignore"),
  );
  installErrorHandler(app);
  installStrictBodyTypes(app);
  const openapi = collectOpenApi(app);
  await app.register(healthRoutes);
  await app.register(
    async (api) => {
      installAuthentication(api);
      api.get("/openapi.json", async (_request, reply) =>
        reply.type("application/json").send(openapi.document()),
      );
      for (const plugin of [
        organizationRoutes,
        spaceRoutes,
        userRoutes,
        serviceAccountRoutes,
        teamRoutes,
        roleRoutes,
        apiKeyRoutes,
        tokenRoutes,
        accountRoutes,
        accessRoutes,
        auditRoutes,
        // Governance (policy helper): Policies API (seed 002), policy sets, evaluations, simulation.
        policyRoutes,
        policySetRoutes,
        policyEvaluationRoutes,
        delegateRoutes, // Delegates (issue 5): delegate tokens, connected delegates, the WebSocket hub.
        ...(options.apiPlugins ?? []),
      ]) {
        await api.register(plugin);
      }
    },
    { prefix: "/api/v2" },
  );
  return app;
}
