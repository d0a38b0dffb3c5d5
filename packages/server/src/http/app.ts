// HTTP API, the app factory: builds the Fastify instance with its infrastructure (error handler,
// JSON:API content type, metrics, OpenAPI, authentication) and one route plugin per domain.
import { monitorEventLoopDelay } from "node:perf_hooks";
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyServerOptions,
  type onResponseHookHandler,
} from "fastify";
import { Authenticator } from "../auth/authenticator.js";
import type { TrustProxySetting } from "../config/server-config.js";
import type { SaveGuard } from "../domain/governance/save-guard.js";
import type { PolicyEvaluator } from "../domain/policy-evaluations/policy-evaluator.js";
import { PolicyWorkerPool } from "../policy-workers/policy-worker-pool.js";
import { defaultPolicyWorkerSettings, type PolicyWorkerSettings } from "../policy-workers/policy-worker-settings.js";
import type { Store } from "../store/store.js";
import { MetricsRegistry, type RequestSeries } from "./metrics/metrics-registry.js";
import { installAuthentication } from "./plugins/authentication.js";
import { installConsole } from "./plugins/console-static.js";
import { answerClientError, installErrorHandler, sendFrameworkError } from "./plugins/error-handler.js";
import { installInputGuard } from "./plugins/input-guard.js";
import { installJsonBodyParser } from "./plugins/json-body-parser.js";
import { installRequestValidation } from "./plugins/request-validation.js";
import { installResponseBatching } from "./plugins/response-batching.js";
import { installResponseSerializer } from "./plugins/response-serializer.js";
import { installStrictBodyTypes } from "./plugins/strict-body-types.js";
import { keepTickObjectShape } from "./tick-object-shape.js";
import type { KeygateServices } from "./plugins/keygate-services.js";
import { collectOpenApi } from "./plugins/openapi-document.js";
import { accessRoutes } from "./routes/access-routes.js";
import { accountRoutes } from "./routes/account-routes.js";
import { apiDocsRoutes } from "./routes/api-docs-routes.js";
import { apiKeyRoutes } from "./routes/api-key-routes.js";
import { auditRoutes } from "./routes/audit-routes.js";
import { delegateEventRoutes } from "./routes/delegate-event-routes.js";
import { delegateRoutes } from "./routes/delegate-tokens/delegate-token-routes.js";
import { healthRoutes } from "./routes/health-routes.js";
import { invitationRoutes } from "./routes/invitation-routes.js";
import { organizationRoutes } from "./routes/organization-routes.js";
import { policyRoutes } from "./routes/policies/policy-routes.js";
import { policyEvaluationRoutes } from "./routes/policy-evaluations/policy-evaluation-routes.js";
import { policySetRoutes } from "./routes/policy-sets/policy-set-routes.js";
import { roleRoutes } from "./routes/role-routes.js";
import { serviceAccountRoutes } from "./routes/service-account-routes.js";
import { sessionRoutes } from "./routes/session-routes.js";
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
  /**
   * One log line per request (Fastify's "incoming request"/"request completed", with a request id
   * bound to every log line of the request). Off by default: it costs CPU on every request; the
   * default is `KEYGATE_ACCESS_LOG=1` in the environment.
   */
  readonly accessLog?: boolean;
  /** Failed authentications allowed per address per window before 429 (default 50 per 60 s). */
  readonly authFailureLimit?: number;
  readonly authFailureWindowMs?: number;
  /** How stale (ms) a cached token, principal or binding may be when used (default 5 s). */
  readonly cacheMaxStalenessMs?: number;
  /** How often last-used-at is written, in ms (default 1000). */
  readonly usageFlushMs?: number;
  /**
   * Which proxies to believe about the client's address (X-Forwarded-For), as Fastify's
   * `trustProxy`: true (any), false (none, the default), or addresses and CIDR ranges.
   */
  readonly trustProxy?: TrustProxySetting;
  /** Limits of the policy worker pool the app starts (and stops on close); default: the defaults. */
  readonly policyWorkers?: PolicyWorkerSettings;
  /** Evaluate policies here instead of in the app's own worker pool (the caller then owns it). */
  readonly policyEvaluator?: PolicyEvaluator;
  /** More authenticated route plugins to mount under /api/v2 (e.g. policies). */
  readonly apiPlugins?: readonly FastifyPluginAsync[];
}

const REDACT = ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'];

function loggerOption(logger: FastifyServerOptions["logger"]): FastifyServerOptions["logger"] {
  if (logger === undefined || logger === false) return false;
  const base = logger === true ? {} : (logger as Record<string, unknown>);
  return { ...base, redact: { paths: REDACT, censor: "[redacted]" } } as FastifyServerOptions["logger"];
}

function trustProxyOption(setting: TrustProxySetting | undefined): boolean | string[] {
  if (setting === undefined) return false;
  return typeof setting === "object" ? [...setting] : setting;
}

/** Builds the Keygate HTTP app over a store (not listening yet; `app.close()` stops its timers). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  keepTickObjectShape();
  const accessLog = options.accessLog ?? process.env.KEYGATE_ACCESS_LOG === "1";
  const app = Fastify({
    logger: loggerOption(options.logger),
    trustProxy: trustProxyOption(options.trustProxy),
    bodyLimit: 1024 * 1024,
    logController: new LogController({ disableRequestLogging: !accessLog }),
    // Without access lines a per-request child logger (its request id) ties nothing together, and
    // building it costs several µs per request: requests log through the app's logger.
    ...(accessLog ? {} : { childLoggerFactory: (logger: FastifyBaseLogger) => logger }),
    // Fastify's own answers to malformed requests become JSON:API error documents too.
    frameworkErrors: sendFrameworkError,
    clientErrorHandler: answerClientError,
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
  for (const figure of options.store.metrics) metrics.registerValue(figure.name, figure.help, figure.type, figure.read);
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
  // Tenants' policies (saves, simulations) are evaluated in worker threads, never on this event loop.
  let pool: PolicyWorkerPool | undefined;
  let policyEvaluator: PolicyEvaluator;
  if (options.policyEvaluator !== undefined) {
    policyEvaluator = options.policyEvaluator;
  } else {
    const own = new PolicyWorkerPool(options.policyWorkers ?? defaultPolicyWorkerSettings());
    const stats = own.stats;
    const counters: readonly [string, string, () => number][] = [
      ["keygate_policy_evaluations_total", "Policy evaluations completed in workers.", () => stats.completed],
      ["keygate_policy_evaluation_timeouts_total", "Policy evaluations stopped at their time limit.", () => stats.timedOut],
      ["keygate_policy_evaluation_out_of_memory_total", "Policy evaluations stopped at their memory limit.", () => stats.outOfMemory],
      ["keygate_policy_evaluation_failures_total", "Policy evaluations that failed otherwise.", () => stats.failed],
      ["keygate_policy_evaluations_refused_total", "Policy evaluations refused with 503 (queue full).", () => stats.refused],
    ];
    for (const [name, help, value] of counters) metrics.registerValue(name, help, "counter", value);
    metrics.registerValue("keygate_policy_evaluations_waiting", "Policy evaluations waiting for a worker.", "gauge", () => own.load.waiting);
    pool = own;
    policyEvaluator = own;
  }
  // How long the event loop was held up (what one request must never do to the others), as the
  // longest delay since the previous scrape.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  // Startup (compiling every route's schemas, about a second on a busy machine) happens before the
  // server listens: it holds up no request, so the first figure starts when listening does.
  app.addHook("onListen", (done) => {
    loopDelay.reset();
    done();
  });
  metrics.registerValue(
    "keygate_event_loop_delay_max_seconds",
    "Longest event loop delay since the previous scrape, or since the server started listening (10 ms resolution).",
    "gauge",
    () => {
      const max = loopDelay.max / 1e9;
      loopDelay.reset();
      return Number.isFinite(max) ? max : 0;
    },
  );
  const services: KeygateServices = { store: options.store, authenticator, metrics, guard: options.guard, policyEvaluator };
  app.decorate("keygate", services);
  // Latency from Fastify's own timing of each reply (`reply.elapsedTime`, ms: taken when the
  // response listeners are set up and when the response finished), so no hook of ours runs on every
  // request's way in. Each route observes its own latency with its URL captured once:
  // `request.routeOptions` is a getter that builds an object on every call, too dear for the hot path.
  app.addHook("onRoute", (route) => {
    const url = route.url ?? "unmatched";
    // The route's series, per method (a route is registered for one method, or a few).
    let series: RequestSeries | undefined;
    const observe: onResponseHookHandler = (request, reply, done) => {
      if (series === undefined || series.method !== request.method) series = metrics.requestSeries(request.method, url);
      metrics.observe(series, reply.statusCode, reply.elapsedTime / 1e3);
      done();
    };
    const existing = route.onResponse;
    route.onResponse =
      existing === undefined ? [observe] : [...(Array.isArray(existing) ? existing : [existing]), observe];
  });
  // Before /readyz answers: the first authenticated request should not pay for first runs.
  app.addHook("onReady", () => authenticator.warm());
  app.addHook("onClose", async () => {
    await authenticator.close();
    loopDelay.disable();
    await pool?.close();
  });
  installResponseBatching(app);
  installJsonBodyParser(app);
  // Requests no route matched are observed from the not-found handler, once answered (a global
  // onResponse hook would run on every request).
  installErrorHandler(app, (request, reply) => {
    reply.raw.once("finish", () =>
      metrics.observeRequest(request.method, "unmatched", reply.statusCode, reply.elapsedTime / 1e3),
    );
  });
  installRequestValidation(app);
  installResponseSerializer(app);
  installInputGuard(app);
  installStrictBodyTypes(app);
  const openapi = collectOpenApi(app);
  await app.register(healthRoutes);
  await app.register(apiDocsRoutes); // The API reference page (Redoc over the OpenAPI document).
  await installConsole(app); // The web console at / (packages/console), when built.
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
        sessionRoutes, // Console (issue 17): cookie sign-in, invitations, the delegate event stream.
        invitationRoutes,
        delegateEventRoutes,
        ...(options.apiPlugins ?? []),
      ]) {
        await api.register(plugin);
      }
    },
    { prefix: "/api/v2" },
  );
  return app;
}
