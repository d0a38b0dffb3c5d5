// HTTP API, routes for policy evaluations: the `policy-evaluations`, `policy-samples` and
// `policy-simulations` resources (kebab-case attributes, the stored input as it was judged).

import { type Static, Type } from "@sinclair/typebox";
import type { PolicyEvaluation } from "../../../domain/policy-evaluations/policy-evaluation.js";
import type { PolicySample } from "../../../domain/policy-evaluations/policy-sample.js";
import type { SimulatedOutcome, SimulationResult } from "../../../domain/policy-evaluations/simulation.js";
import { isoTime } from "../../jsonapi/json-api-document.js";
import { Nullable, SelfLinks, ToOneRelationship } from "../../jsonapi/json-api-schemas.js";
import { API_BASE, NullableInput } from "../policies/policy-representation.js";

const PolicyResultObject = Type.Object({
  "policy-id": Type.String(),
  "policy-name": Type.String(),
  "policy-set-id": Type.String(),
  "policy-set-name": Type.String(),
  "enforcement-level": Type.String(),
  outcome: Type.String(),
  messages: Type.Array(Type.String()),
  warnings: Type.Array(Type.String()),
  "duration-us": Type.Integer(),
});

/** A `policy-evaluations` resource object. */
export const PolicyEvaluationResource = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal("policy-evaluations"),
    attributes: Type.Object({
      "entity-type": Type.String(),
      event: Type.String(),
      action: Type.String(),
      "resource-id": Nullable(Type.String()),
      "actor-id": Nullable(Type.String()),
      outcome: Type.String(),
      input: Type.Unknown(),
      "policy-results": Type.Array(PolicyResultObject),
      messages: Type.Array(Type.String()),
      warnings: Type.Array(Type.String()),
      "duration-us": Type.Integer(),
      "created-at": Type.String(),
    }),
    relationships: Type.Object({ organization: ToOneRelationship }),
    links: SelfLinks,
  },
  { title: "policy-evaluations" },
);

/** A `policy-samples` resource object. */
export const PolicySampleResource = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal("policy-samples"),
    attributes: Type.Object({
      "entity-type": Type.String(),
      event: Type.String(),
      action: Type.String(),
      "space-id": Nullable(Type.String()),
      input: Type.Unknown(),
      "policy-evaluation-id": Nullable(Type.String()),
      "created-at": Type.String(),
    }),
  },
  { title: "policy-samples" },
);

const OutcomeObject = Type.Object({
  kind: Type.String(),
  outcome: Type.Optional(Type.String()),
  allowed: Type.Optional(Type.Boolean()),
  denied: Type.Optional(Type.Boolean()),
  messages: Type.Array(Type.String()),
  warnings: Type.Optional(Type.Array(Type.String())),
  roles: Type.Optional(Type.Array(Type.String())),
});

/** A `policy-simulations` resource object: per sample, the outcome now and with the draft. */
export const PolicySimulationResource = Type.Object(
  {
    type: Type.Literal("policy-simulations"),
    attributes: Type.Object({
      "entity-type": Type.String(),
      package: Type.String(),
      "sample-count": Type.Integer(),
      "changed-count": Type.Integer(),
      samples: Type.Array(
        Type.Object({
          "sample-id": Type.String(),
          "created-at": Type.String(),
          action: Type.String(),
          input: Type.Unknown(),
          current: OutcomeObject,
          draft: OutcomeObject,
          changed: Type.Boolean(),
        }),
      ),
    }),
  },
  { title: "policy-simulations" },
);

/** Body of `POST /organizations/:org/policy-simulations`. */
export const SimulationBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("policy-simulations"),
    attributes: Type.Object({
      "entity-type": Type.String(),
      source: Type.String(),
      query: Type.Optional(NullableInput),
      "enforcement-level": Type.Optional(Type.String()),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    }),
    relationships: Type.Optional(
      Type.Object({
        policy: Type.Optional(Type.Object({ data: Type.Object({ id: Type.String() }) })),
        "policy-set": Type.Optional(Type.Object({ data: Type.Object({ id: Type.String() }) })),
      }),
    ),
  }),
});

/** Renders a stored evaluation. */
export function renderPolicyEvaluation(e: PolicyEvaluation): Static<typeof PolicyEvaluationResource> {
  return {
    id: e.id,
    type: "policy-evaluations",
    attributes: {
      "entity-type": e.entityType,
      event: e.event,
      action: e.action,
      "resource-id": e.resourceId,
      "actor-id": e.actorPrincipalId,
      outcome: e.outcome,
      input: e.input,
      "policy-results": e.results.map((r) => ({
        "policy-id": r.policyId,
        "policy-name": r.policyName,
        "policy-set-id": r.policySetId,
        "policy-set-name": r.policySetName,
        "enforcement-level": r.enforcementLevel,
        outcome: r.outcome,
        messages: [...r.messages],
        warnings: [...r.warnings],
        "duration-us": r.durationUs,
      })),
      messages: [...e.messages],
      warnings: [...e.warnings],
      "duration-us": e.durationUs,
      "created-at": isoTime(e.createdAt) ?? "",
    },
    relationships: { organization: { data: { id: e.organizationId, type: "organizations" } } },
    links: { self: `${API_BASE}/policy-evaluations/${e.id}` },
  };
}

/** Renders a sample. */
export function renderPolicySample(s: PolicySample): Static<typeof PolicySampleResource> {
  return {
    id: s.id,
    type: "policy-samples",
    attributes: {
      "entity-type": s.entityType,
      event: s.event,
      action: s.action,
      "space-id": s.spaceId,
      input: s.input,
      "policy-evaluation-id": s.evaluationId,
      "created-at": isoTime(s.createdAt) ?? "",
    },
  };
}

function renderOutcome(o: SimulatedOutcome): Static<typeof OutcomeObject> {
  switch (o.kind) {
    case "save":
      return { kind: o.kind, outcome: o.outcome, messages: [...o.messages], warnings: [...o.warnings] };
    case "login":
      return {
        kind: o.kind,
        allowed: o.allowed,
        denied: o.denied,
        messages: [...o.messages],
        roles: [...o.roles],
      };
  }
}

/** Renders a simulation. */
export function renderSimulation(r: SimulationResult): Static<typeof PolicySimulationResource> {
  return {
    type: "policy-simulations",
    attributes: {
      "entity-type": r.entityType,
      package: r.packagePath,
      "sample-count": r.samples.length,
      "changed-count": r.samples.filter((s) => s.changed).length,
      samples: r.samples.map((s) => ({
        "sample-id": s.sampleId,
        "created-at": isoTime(s.createdAt) ?? "",
        action: s.action,
        input: s.input,
        current: renderOutcome(s.current),
        draft: renderOutcome(s.draft),
        changed: s.changed,
      })),
    },
  };
}
