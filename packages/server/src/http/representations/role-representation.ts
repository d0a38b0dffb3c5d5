// HTTP API, representations: roles (`roles`) and role bindings (`role-bindings`) as JSON:API
// resources, and their request bodies.
import { type Static, Type } from "@sinclair/typebox";
import type { RoleBinding } from "../../domain/role-bindings/role-binding.js";
import type { Role } from "../../domain/roles/built-in-roles.js";
import { isoTime, toOne } from "../jsonapi/json-api-document.js";
import { Nullable, resourceSchema, ToOneRelationship } from "../jsonapi/json-api-schemas.js";

/** A role resource. */
export const RoleResource = resourceSchema(
  "roles",
  Type.Object({
    name: Type.String(),
    description: Type.String(),
    "built-in": Type.Boolean(),
    permissions: Type.Array(Type.String()),
    "principal-kinds": Nullable(Type.Array(Type.String())),
  }),
  Type.Object({ organization: ToOneRelationship }),
);

/** Body of `POST /organizations/:org/roles`. */
export const CreateRoleBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("roles"),
    attributes: Type.Object({
      name: Type.String({ minLength: 1 }),
      description: Type.Optional(Type.String()),
      permissions: Type.Array(Type.String()),
      "principal-kinds": Type.Optional(Nullable(Type.Array(Type.String()))),
    }),
  }),
});

/** Body of `PATCH /roles/:id`. */
export const UpdateRoleBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("roles"),
    attributes: Type.Object({
      description: Type.Optional(Type.String()),
      permissions: Type.Optional(Type.Array(Type.String())),
      "principal-kinds": Type.Optional(Nullable(Type.Array(Type.String()))),
    }),
  }),
});

/** A role binding resource. */
export const RoleBindingResource = resourceSchema(
  "role-bindings",
  Type.Object({ "created-at": Type.String() }),
  Type.Object({
    role: ToOneRelationship,
    space: ToOneRelationship,
    subject: ToOneRelationship,
    "created-by": ToOneRelationship,
  }),
);

const RelatedId = Type.Object({
  data: Type.Object({ id: Type.String({ minLength: 1 }), type: Type.Optional(Type.String()) }),
});

/** Body of `POST /organizations/:org/role-bindings`: role (id or name), subject (principal or team), space (default root). */
export const CreateRoleBindingBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("role-bindings"),
    relationships: Type.Object({
      role: RelatedId,
      subject: Type.Object({
        data: Type.Object({
          id: Type.String({ minLength: 1 }),
          type: Type.Union([Type.Literal("users"), Type.Literal("service-accounts"), Type.Literal("teams")]),
        }),
      }),
      space: Type.Optional(RelatedId),
    }),
  }),
});

/** Renders a role. */
export function renderRole(role: Role): Static<typeof RoleResource> {
  return {
    id: role.id,
    type: "roles",
    attributes: {
      name: role.name,
      description: role.description,
      "built-in": role.builtIn,
      permissions: [...role.permissions],
      "principal-kinds": role.principalKinds === null ? null : [...role.principalKinds],
    },
    relationships: { organization: toOne("organizations", role.organizationId) },
    links: { self: `/api/v2/roles/${role.id}` },
  };
}

/** Renders a role binding. */
export function renderRoleBinding(binding: RoleBinding): Static<typeof RoleBindingResource> {
  const subject =
    binding.subject.kind === "team"
      ? toOne("teams", binding.subject.teamId)
      : toOne(
          binding.subject.principalId.startsWith("sa-") ? "service-accounts" : "users",
          binding.subject.principalId,
        );
  return {
    id: binding.id,
    type: "role-bindings",
    attributes: { "created-at": isoTime(binding.createdAt) ?? "" },
    relationships: {
      role: toOne("roles", binding.roleId),
      space: toOne("spaces", binding.spaceId),
      subject,
      "created-by": toOne("principals", binding.createdBy),
    },
    links: { self: `/api/v2/role-bindings/${binding.id}` },
  };
}
