// HTTP API, infrastructure: the services every route uses (store, authenticator, save guard,
// metrics), attached to the Fastify instance, and the caller attached to each request.
import type { FastifyRequest } from "fastify";
import type { Authenticator } from "../../auth/authenticator.js";
import type { Caller } from "../../auth/caller.js";
import type { Actor, MutationContext } from "../../domain/audit/actor.js";
import { DomainError } from "../../domain/domain-error.js";
import type { SaveGuard } from "../../domain/governance/save-guard.js";
import { createPolicySaveGuard } from "../../domain/policy-evaluations/enforcement.js";
import type { PolicyEvaluator } from "../../domain/policy-evaluations/policy-evaluator.js";
import type { Store } from "../../store/store.js";
import type { MetricsRegistry } from "../metrics/metrics-registry.js";

/** What routes need besides the request. */
export interface KeygateServices {
  readonly store: Store;
  readonly authenticator: Authenticator;
  readonly metrics: MetricsRegistry;
  /** Policies on save, when governance is configured. */
  readonly guard: SaveGuard | undefined;
  /** Where tenants' policies are evaluated for saves and simulations: the worker pool. */
  readonly policyEvaluator: PolicyEvaluator;
}

declare module "fastify" {
  interface FastifySchema {
    /** One line for the OpenAPI document. */
    summary?: string;
    /** OpenAPI tags. */
    tags?: string[];
  }
  interface FastifyInstance {
    /** Keygate's services. */
    keygate: KeygateServices;
  }
  interface FastifyRequest {
    /** The authenticated caller (set by the authentication hook of /api/v2). */
    caller: Caller | null;
    /** High-resolution start time, for the latency histogram. */
    startedAt: bigint;
  }
}

/** The authenticated caller of a request under /api/v2 (the hook guarantees one). */
export function callerOf(request: FastifyRequest): Caller {
  if (request.caller === null) throw new DomainError("unauthenticated", "this endpoint needs a bearer token");
  return request.caller;
}

/** The mutation context of a request: the caller's organization, the actor and the save guard. */
export function mutationContextOf(request: FastifyRequest): MutationContext {
  const caller = callerOf(request);
  const agent = request.headers["user-agent"];
  const via = typeof agent === "string" && agent.startsWith("keygate-cli") ? "cli" : "api";
  const actor: Actor = { principalId: caller.principal.id, tokenId: caller.token.id, ip: request.ip, via };
  // Governance (policy helper): policies on save are enforced on every change made through the
  // API, with this request's actor in the policy input, unless the app was given its own guard.
  const { store, policyEvaluator } = request.server.keygate;
  const guard = request.server.keygate.guard ?? createPolicySaveGuard(store, actor, undefined, policyEvaluator);
  return { organizationId: caller.organizationId, actor, guard };
}
