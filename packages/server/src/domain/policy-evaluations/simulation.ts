// Domain layer, policy evaluation: "sample and simulate". Runs a draft policy (not saved) against
// the kept samples of an entity type and shows, per sample, the outcome now and with the draft:
// the draft replaces a policy where that policy is used, joins a given set, or else applies as an
// extra policy everywhere. Nothing is written. This half checks the request and gathers the
// policies and samples; the evaluation runs in a policy worker (simulation-run.ts).
import type { Store } from "../../store/store.js";
import { DomainError } from "../domain-error.js";
import { loginPoliciesOf } from "../login-policies/login-policies.js";
import type { EnforcementLevel } from "../policies/policy.js";
import { policyProblemsError } from "../policies/policy-compilation.js";
import { POLICY_ENTITY_TYPES, type PolicyEntityType } from "../policy-sets/policy-set.js";
import type { Role } from "../roles/built-in-roles.js";
import { type GovernanceSnapshot, type PolicyText, policyCacheOf } from "./compiled-policy-sets.js";
import { setTextsOf, withContentHash } from "./policy-compile-cache.js";
import { type PolicyEvaluator, PolicyEvaluationFailure } from "./policy-evaluator.js";
import { listPolicySamples, SAMPLES_KEPT } from "./policy-sample.js";
import { DRAFT_ID, type SampleSimulation, type SimulationTask } from "./simulation-run.js";

export type { SampleSimulation, SimulatedOutcome } from "./simulation-run.js";

/** A draft to simulate. */
export interface SimulationRequest {
  /** Whose samples: a save entity type, or `login`. */
  readonly entityType: unknown;
  /** The draft's Rego text. */
  readonly source: unknown;
  readonly query?: unknown;
  /** Default `mandatory`. */
  readonly enforcementLevel?: unknown;
  /** The draft replaces this policy wherever it is used. */
  readonly policyId?: string;
  /** Or: the draft joins this policy set. */
  readonly policySetId?: string;
  /** How many of the most recent samples (default and at most SAMPLES_KEPT). */
  readonly limit?: number;
}

/** The simulation of a draft over the samples. */
export interface SimulationResult {
  readonly entityType: PolicyEntityType;
  readonly packagePath: string;
  readonly samples: readonly SampleSimulation[];
}

function checkEntityType(value: unknown): PolicyEntityType {
  if (!POLICY_ENTITY_TYPES.includes(value as PolicyEntityType)) {
    throw new DomainError(
      "invalid",
      `entity type must be one of ${POLICY_ENTITY_TYPES.join(", ")}; got ${JSON.stringify(value ?? null)}`,
      { field: "/data/attributes/entity-type" },
    );
  }
  return value as PolicyEntityType;
}

function checkDraft(request: SimulationRequest): PolicyText {
  if (typeof request.source !== "string" || request.source.trim() === "") {
    throw new DomainError("invalid", "source must be the draft policy's Rego text", {
      field: "/data/attributes/source",
    });
  }
  const level = request.enforcementLevel ?? "mandatory";
  if (level !== "mandatory" && level !== "advisory") {
    throw new DomainError("invalid", 'enforcement level must be "mandatory" or "advisory"', {
      field: "/data/attributes/enforcement-level",
    });
  }
  if (request.query !== undefined && request.query !== null && typeof request.query !== "string") {
    throw new DomainError("invalid", "query must be a string", { field: "/data/attributes/query" });
  }
  return {
    policyId: DRAFT_ID,
    policyName: "draft",
    enforcementLevel: level as EnforcementLevel,
    query: typeof request.query === "string" ? request.query : null,
    source: request.source,
  };
}

/** The domain error a failed simulation answers: 503 to retry when busy, else 422 on the draft. */
function simulationFailureError(error: unknown): unknown {
  if (!(error instanceof PolicyEvaluationFailure)) return error;
  switch (error.kind) {
    case "busy":
      return new DomainError("unavailable", error.message, {
        details: { retryAfterSeconds: error.retryAfterSeconds ?? 1 },
      });
    case "timeout":
    case "out_of_memory":
    case "failed":
      return new DomainError(
        "invalid",
        `the simulation could not be evaluated (the draft or a current policy): ${error.message}`,
        { field: "/data/attributes/source" },
      );
  }
}

/**
 * Runs a draft policy against the most recent samples of an entity type, evaluated by `evaluator`
 * (the server's worker pool); writes nothing.
 */
export async function simulatePolicy(
  store: Store,
  organizationId: string,
  request: SimulationRequest,
  evaluator: PolicyEvaluator,
): Promise<SimulationResult> {
  const entityType = checkEntityType(request.entityType);
  const draft = checkDraft(request);
  const snapshot: GovernanceSnapshot = await policyCacheOf(store).snapshot(store, organizationId);
  for (const [id, kind] of [
    [request.policyId, "policies"],
    [request.policySetId, "policy_sets"],
  ] as const) {
    if (id === undefined) continue;
    const found = await store.db
      .selectFrom(kind)
      .select("id")
      .where("id", "=", id)
      .where("organization_id", "=", organizationId)
      .executeTakeFirst();
    if (!found) throw new DomainError("not_found", `${kind === "policies" ? "policy" : "policy set"} ${id} not found`);
  }
  const samples = await listPolicySamples(store, organizationId, entityType, request.limit ?? SAMPLES_KEPT);
  const roles =
    entityType === "login" ? await loginPoliciesOf(store).roleIndex(organizationId) : new Map<string, Role>();
  const task: SimulationTask = {
    kind: "simulation",
    organizationId,
    entityType,
    sets: setTextsOf(snapshot.sets),
    spaces: [...snapshot.tree.spaces.values()],
    roles,
    draft: withContentHash(draft),
    ...(request.policyId !== undefined ? { policyId: request.policyId } : {}),
    ...(request.policySetId !== undefined ? { policySetId: request.policySetId } : {}),
    samples,
  };
  const outcome = await evaluator.run(organizationId, task).catch((error: unknown) => {
    throw simulationFailureError(error);
  });
  if (!outcome.ok) throw policyProblemsError(outcome.problems, "/data/attributes/source");
  return { entityType, packagePath: outcome.packagePath, samples: outcome.samples };
}
