// HTTP API, routes: liveness (/healthz), readiness (/readyz: the store answers) and Prometheus
// metrics (/metrics). None needs authentication.
import type { FastifyInstance } from "fastify";

/** Registers /healthz, /readyz and /metrics. */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get("/healthz", { logLevel: "warn" }, async () => ({ status: "ok" }));
  app.get("/readyz", { logLevel: "warn" }, async (_request, reply) => {
    try {
      await app.keygate.store.ping();
      return { status: "ready" };
    } catch {
      return reply.code(503).send({ status: "unavailable", detail: "the database does not answer" });
    }
  });
  app.get("/metrics", { logLevel: "warn" }, async (_request, reply) =>
    reply.type("text/plain; version=0.0.4; charset=utf-8").send(app.keygate.metrics.exposition()),
  );
}
