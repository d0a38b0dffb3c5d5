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
import type { PendingChange } from "../../write-path/pending-change.js";
import { writeContext } from "../../write-path/write-path.js";
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
  }
}

/** The authenticated caller of a request under /api/v2 (the hook guarantees one). */
export function callerOf(request: FastifyRequest): Caller {
  if (request.caller === null) throw new DomainError("unauthenticated", "this endpoint needs a bearer token");
  return request.caller;
}

/**
 * The mutation context of a request, from the write path: the caller's organization, the actor,
 * and the guard that authorizes each change on the caller's authority (escalation rule) and then
 * runs the save guard.
 */
export function mutationContextOf(request: FastifyRequest): MutationContext<PendingChange> {
  const caller = callerOf(request);
  const agent = request.headers["user-agent"];
  const via = typeof agent === "string" && agent.startsWith("keygate-cli") ? "cli" : "api";
  const actor: Actor = { principalId: caller.principal.id, tokenId: caller.token.id, ip: request.ip, via };
  const { store, policyEvaluator } = request.server.keygate;
  // Policies on save are enforced on every change made through the API, with this request's actor
  // in the policy input, unless the app was given its own guard.
  const saveGuard = request.server.keygate.guard ?? createPolicySaveGuard(store, actor, undefined, policyEvaluator);
  return writeContext(store, {
    organizationId: caller.organizationId,
    actor,
    authority: {
      kind: "principal",
      principalId: caller.principal.id,
      access: caller.access,
      spaces: caller.spaces,
    },
    saveGuard,
  });
}
