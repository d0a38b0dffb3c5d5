// HTTP API, routes for policies: the `policies` resource exactly as HCP Terraform's Policies API
// shapes it (seed 002): attributes with the deprecated `enforce` array, `policy-set-count`,
// `updated-at`, the organization and policy-sets relationships, and `self`/`upload`/`download` links.
import { type Static, Type } from "@sinclair/typebox";
import type { Policy } from "../../../domain/policies/policy.js";
import { policyFileName } from "../../../domain/policies/policy-compilation.js";
import { isoTime } from "../../jsonapi/json-api-document.js";
import { Nullable, ResourceIdentifier, ToManyRelationship, ToOneRelationship } from "../../jsonapi/json-api-schemas.js";

/** The base path of every link. */
export const API_BASE = "/api/v2";

/** A `policies` resource object. */
export const PolicyResource = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal("policies"),
    attributes: Type.Object({
      name: Type.String(),
      description: Nullable(Type.String()),
      kind: Type.Literal("opa"),
      query: Nullable(Type.String()),
      "enforcement-level": Type.String(),
      enforce: Type.Array(Type.Object({ path: Type.String(), mode: Type.String() })),
      "policy-set-count": Type.Integer(),
      "updated-at": Nullable(Type.String()),
    }),
    relationships: Type.Object({
      organization: ToOneRelationship,
      "policy-sets": Type.Optional(ToManyRelationship),
    }),
    links: Type.Object({
      self: Type.String(),
      upload: Type.String(),
      download: Type.Optional(Type.String()),
    }),
  },
  { title: "policies" },
);

/** A nullable string in a request body; null listed first so that Ajv's type coercion keeps it null. */
export const NullableInput = Type.Union([Type.Null(), Type.String()]);

const EnforceInput = Type.Array(
  Type.Object({ path: Type.Optional(Type.String()), mode: Type.Optional(Type.String()) }),
);

/** Body of `POST /organizations/:org/policies` (validated further by the domain, with pointers). */
export const CreatePolicyBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("policies"),
    attributes: Type.Object({
      name: Type.String(),
      description: Type.Optional(NullableInput),
      kind: Type.Optional(Type.String()),
      query: Type.Optional(NullableInput),
      "enforcement-level": Type.Optional(Type.String()),
      enforce: Type.Optional(EnforceInput),
    }),
    relationships: Type.Optional(
      Type.Object({
        "policy-sets": Type.Optional(Type.Object({ data: Type.Array(ResourceIdentifier) })),
      }),
    ),
  }),
});

/** Body of `PATCH /policies/:id`. */
export const UpdatePolicyBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("policies"),
    attributes: Type.Optional(
      Type.Object({
        description: Type.Optional(NullableInput),
        query: Type.Optional(NullableInput),
        "enforcement-level": Type.Optional(Type.String()),
        enforce: Type.Optional(EnforceInput),
      }),
    ),
  }),
});

/** Renders a policy; `organizationName` is the id of the organization relationship, as in HCP Terraform. */
export function renderPolicy(policy: Policy, organizationName: string): Static<typeof PolicyResource> {
  const self = `${API_BASE}/policies/${policy.id}`;
  return {
    id: policy.id,
    type: "policies",
    attributes: {
      name: policy.name,
      description: policy.description,
      kind: policy.kind,
      query: policy.query,
      "enforcement-level": policy.enforcementLevel,
      enforce: [{ path: policyFileName(policy.name), mode: policy.enforcementLevel }],
      "policy-set-count": policy.policySetIds.length,
      "updated-at": isoTime(policy.updatedAt),
    },
    relationships: {
      organization: { data: { id: organizationName, type: "organizations" } },
      ...(policy.policySetIds.length > 0
        ? { "policy-sets": { data: policy.policySetIds.map((id) => ({ id, type: "policy-sets" })) } }
        : {}),
    },
    links: {
      self,
      upload: `${self}/upload`,
      ...(policy.uploaded ? { download: `${self}/download` } : {}),
    },
  };
}
