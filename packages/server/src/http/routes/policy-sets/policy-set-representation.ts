// HTTP API, routes for policy sets: the `policy-sets` resource (HCP Terraform's shape, with
// Keygate's `entity-types`, `events` and `spaces` in place of workspaces and projects).
import { NullableInput } from "../policies/policy-representation.js";
import { type Static, Type } from "@sinclair/typebox";
import type { PolicySet } from "../../../domain/policy-sets/policy-set.js";
import { isoTime } from "../../jsonapi/json-api-document.js";
import {
  Nullable,
  ResourceIdentifier,
  SelfLinks,
  ToManyRelationship,
  ToOneRelationship,
} from "../../jsonapi/json-api-schemas.js";
import { API_BASE } from "../policies/policy-representation.js";

/** A `policy-sets` resource object. */
export const PolicySetResource = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal("policy-sets"),
    attributes: Type.Object({
      name: Type.String(),
      description: Nullable(Type.String()),
      kind: Type.Literal("opa"),
      global: Type.Boolean(),
      "entity-types": Type.Array(Type.String()),
      events: Type.Array(Type.String()),
      "policy-count": Type.Integer(),
      "space-count": Type.Integer(),
      "created-at": Type.String(),
      "updated-at": Type.String(),
    }),
    relationships: Type.Object({
      organization: ToOneRelationship,
      policies: ToManyRelationship,
      spaces: ToManyRelationship,
    }),
    links: SelfLinks,
  },
  { title: "policy-sets" },
);

const Attributes = {
  name: Type.String(),
  description: Type.Optional(NullableInput),
  kind: Type.Optional(Type.Literal("opa")),
  global: Type.Optional(Type.Boolean()),
  "entity-types": Type.Optional(Type.Array(Type.String())),
  events: Type.Optional(Type.Array(Type.String())),
};

/** Body of `POST /organizations/:org/policy-sets`. */
export const CreatePolicySetBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("policy-sets"),
    attributes: Type.Object(Attributes),
    relationships: Type.Optional(
      Type.Object({
        policies: Type.Optional(Type.Object({ data: Type.Array(ResourceIdentifier) })),
        spaces: Type.Optional(Type.Object({ data: Type.Array(ResourceIdentifier) })),
      }),
    ),
  }),
});

/** Body of `PATCH /policy-sets/:id`. */
export const UpdatePolicySetBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("policy-sets"),
    attributes: Type.Optional(Type.Partial(Type.Object(Attributes))),
  }),
});

/** Body of the relationship endpoints: `{ data: [{ id, type }] }`. */
export const RelationshipBody = Type.Object({ data: Type.Array(ResourceIdentifier) });

/** Renders a policy set; `organizationName` is the id of the organization relationship. */
export function renderPolicySet(set: PolicySet, organizationName: string): Static<typeof PolicySetResource> {
  return {
    id: set.id,
    type: "policy-sets",
    attributes: {
      name: set.name,
      description: set.description,
      kind: "opa",
      global: set.global,
      "entity-types": [...set.entityTypes],
      events: [...set.events],
      "policy-count": set.policyIds.length,
      "space-count": set.spaceIds.length,
      "created-at": isoTime(set.createdAt) ?? "",
      "updated-at": isoTime(set.updatedAt) ?? "",
    },
    relationships: {
      organization: { data: { id: organizationName, type: "organizations" } },
      policies: { data: set.policyIds.map((id) => ({ id, type: "policies" })) },
      spaces: { data: set.spaceIds.map((id) => ({ id, type: "spaces" })) },
    },
    links: { self: `${API_BASE}/policy-sets/${set.id}` },
  };
}
