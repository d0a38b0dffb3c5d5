// HTTP API, routes for policy evaluations: list and open stored evaluations, list the kept
// samples, and simulate a draft policy against them ("sample and simulate"; nothing is written).
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { callerOrganization } from "../../../auth/resource-scope.js";
import { DomainError } from "../../../domain/domain-error.js";
import type { EvaluationOutcome } from "../../../domain/policy-evaluations/policy-decision.js";
import {
  getPolicyEvaluation,
  listPolicyEvaluations,
} from "../../../domain/policy-evaluations/policy-evaluation.js";
import { listPolicySamples } from "../../../domain/policy-evaluations/policy-sample.js";
import { simulatePolicy } from "../../../domain/policy-evaluations/simulation.js";
import { POLICY_ENTITY_TYPES, type PolicyEntityType } from "../../../domain/policy-sets/policy-set.js";
import { listDocumentOf, pageRequestOf } from "../../jsonapi/json-api-document.js";
import {
  ERROR_RESPONSES,
  IdParams,
  listDocument,
  OrgParams,
  PageQuery,
} from "../../jsonapi/json-api-schemas.js";
import { callerOf } from "../../plugins/keygate-services.js";
import { requireOrNotFound } from "../permission-answers.js";
import {
  PolicyEvaluationResource,
  PolicySampleResource,
  PolicySimulationResource,
  renderPolicyEvaluation,
  renderPolicySample,
  renderSimulation,
  SimulationBody,
} from "./policy-evaluation-representation.js";

const EvaluationListQuery = Type.Composite([
  PageQuery,
  Type.Object({
    "filter[entity-type]": Type.Optional(Type.String()),
    "filter[outcome]": Type.Optional(Type.String({ description: "allowed, warned or denied" })),
    "filter[resource]": Type.Optional(Type.String({ description: "The id of the judged entity" })),
    "filter[policy]": Type.Optional(
      Type.String({ description: "Only evaluations that evaluated this policy (its id)" }),
    ),
    "filter[policy-set]": Type.Optional(
      Type.String({ description: "Only evaluations that evaluated a policy of this set (its id)" }),
    ),
  }),
]);

const SampleListQuery = Type.Object({ "filter[entity-type]": Type.String() });

const OUTCOMES: readonly EvaluationOutcome[] = ["allowed", "warned", "denied"];

function entityTypeOf(value: string, parameter: string): PolicyEntityType {
  if (!POLICY_ENTITY_TYPES.includes(value as PolicyEntityType)) {
    throw new DomainError(
      "invalid",
      `${parameter} must be one of ${POLICY_ENTITY_TYPES.join(", ")}, got "${value}"`,
      {
        field: parameter,
      },
    );
  }
  return value as PolicyEntityType;
}

/** Registers the policy evaluation, sample and simulation routes (under the /api/v2 prefix). */
export async function policyEvaluationRoutes(app: FastifyInstance): Promise<void> {
  const { store, policyEvaluator } = app.keygate;
  const tags = ["policy-evaluations"];

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof EvaluationListQuery> }>(
    "/organizations/:org/policy-evaluations",
    {
      schema: {
        summary: "List policy evaluations, newest first",
        tags,
        params: OrgParams,
        querystring: EvaluationListQuery,
        response: { 200: listDocument(PolicyEvaluationResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requireOrNotFound(caller, "policy-evaluations.read");
      const q = request.query;
      const outcome = q["filter[outcome]"];
      if (outcome !== undefined && !OUTCOMES.includes(outcome as EvaluationOutcome)) {
        throw new DomainError(
          "invalid",
          `filter[outcome] must be one of ${OUTCOMES.join(", ")}, got "${outcome}"`,
          {
            field: "filter[outcome]",
          },
        );
      }
      const entityType = q["filter[entity-type]"];
      const page = pageRequestOf(q);
      const result = await listPolicyEvaluations(store, caller.organizationId, {
        page,
        ...(entityType !== undefined ? { entityType: entityTypeOf(entityType, "filter[entity-type]") } : {}),
        ...(outcome !== undefined ? { outcome: outcome as EvaluationOutcome } : {}),
        ...(q["filter[resource]"] !== undefined ? { resourceId: q["filter[resource]"] } : {}),
        ...(q["filter[policy]"] !== undefined ? { policyId: q["filter[policy]"] } : {}),
        ...(q["filter[policy-set]"] !== undefined ? { policySetId: q["filter[policy-set]"] } : {}),
      });
      return listDocumentOf(
        result,
        result.items.map(renderPolicyEvaluation),
        page,
        request.url.split("?")[0] ?? "",
        q,
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/policy-evaluations/:id",
    {
      schema: {
        summary: "Show a policy evaluation: input, policies, outcome per policy, messages, duration",
        tags,
        params: IdParams,
        response: { 200: Type.Object({ data: PolicyEvaluationResource }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const evaluation = await getPolicyEvaluation(store, caller.organizationId, request.params.id);
      requireOrNotFound(caller, "policy-evaluations.read");
      return { data: renderPolicyEvaluation(evaluation) };
    },
  );

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof SampleListQuery> }>(
    "/organizations/:org/policy-samples",
    {
      schema: {
        summary: "List the recent inputs kept for an entity type (never secrets)",
        tags,
        params: OrgParams,
        querystring: SampleListQuery,
        response: { 200: Type.Object({ data: Type.Array(PolicySampleResource) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requireOrNotFound(caller, "policy-evaluations.read");
      const entityType = entityTypeOf(request.query["filter[entity-type]"], "filter[entity-type]");
      const samples = await listPolicySamples(store, caller.organizationId, entityType);
      return { data: samples.map(renderPolicySample) };
    },
  );

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof SimulationBody> }>(
    "/organizations/:org/policy-simulations",
    {
      schema: {
        summary:
          "Run a draft policy against the kept samples: per sample, the outcome now and with the draft",
        tags,
        params: OrgParams,
        body: SimulationBody,
        response: { 200: Type.Object({ data: PolicySimulationResource }), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requireOrNotFound(caller, "policy-evaluations.read");
      const { attributes: a, relationships: r } = request.body.data;
      const result = await simulatePolicy(
        store,
        caller.organizationId,
        {
          entityType: a["entity-type"],
          source: a.source,
          query: a.query,
          enforcementLevel: a["enforcement-level"],
          ...(a.limit !== undefined ? { limit: a.limit } : {}),
          ...(r?.policy ? { policyId: r.policy.data.id } : {}),
          ...(r?.["policy-set"] ? { policySetId: r["policy-set"].data.id } : {}),
        },
        policyEvaluator,
      );
      return { data: renderSimulation(result) };
    },
  );
}
