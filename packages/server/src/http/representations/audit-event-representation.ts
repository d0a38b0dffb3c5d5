// HTTP API, representations: audit events (`audit-events`) as JSON:API resources.
import { type Static, Type } from "@sinclair/typebox";
import type { AuditEvent } from "../../domain/audit/audit-event.js";
import { isoTime, toOne } from "../jsonapi/json-api-document.js";
import { Nullable, resourceSchema, ToOneRelationship } from "../jsonapi/json-api-schemas.js";

/** An audit event resource. */
export const AuditEventResource = resourceSchema(
  "audit-events",
  Type.Object({
    "occurred-at": Type.String(),
    action: Type.String(),
    "resource-type": Type.String(),
    "resource-id": Type.String(),
    outcome: Type.String(),
    via: Type.String(),
    "actor-ip": Nullable(Type.String()),
    "policy-evaluation-id": Nullable(Type.String()),
    details: Type.Record(Type.String(), Type.Unknown()),
  }),
  Type.Object({ actor: ToOneRelationship, "actor-token": ToOneRelationship }),
);

/** Query of `GET /organizations/:org/audit-events`. */
export const AuditEventQuery = Type.Object({
  "filter[actor]": Type.Optional(Type.String({ description: "Acting principal id" })),
  "filter[resource-type]": Type.Optional(Type.String()),
  "filter[resource-id]": Type.Optional(Type.String()),
  "filter[action]": Type.Optional(Type.String({ description: "e.g. token.revoke" })),
  "filter[outcome]": Type.Optional(
    Type.Union([Type.Literal("success"), Type.Literal("denied"), Type.Literal("failure")]),
  ),
  "filter[since]": Type.Optional(Type.String({ description: "ISO 8601 time or epoch ms, inclusive" })),
  "filter[until]": Type.Optional(Type.String({ description: "ISO 8601 time or epoch ms, exclusive" })),
});

/** Renders an audit event. */
export function renderAuditEvent(event: AuditEvent): Static<typeof AuditEventResource> {
  return {
    id: event.id,
    type: "audit-events",
    attributes: {
      "occurred-at": isoTime(event.occurredAt) ?? "",
      action: event.action,
      "resource-type": event.resourceType,
      "resource-id": event.resourceId,
      outcome: event.outcome,
      via: event.actor.via,
      "actor-ip": event.actor.ip ?? null,
      "policy-evaluation-id": event.policyEvaluationId,
      details: { ...event.details },
    },
    relationships: {
      actor: toOne("principals", event.actor.principalId),
      "actor-token": toOne("tokens", event.actor.tokenId ?? null),
    },
    links: { self: `/api/v2/audit-events/${event.id}` },
  };
}
