// HTTP API, representations: users (`users`) and service accounts (`service-accounts`) as
// JSON:API resources, and their request bodies.
import { type Static, Type } from "@sinclair/typebox";
import type { Principal, ServiceAccount, User } from "../../domain/principals/principal.js";
import { isoTime, toOne } from "../jsonapi/json-api-document.js";
import { Nullable, resourceSchema, ToOneRelationship } from "../jsonapi/json-api-schemas.js";

/** A user resource. */
export const UserResource = resourceSchema(
  "users",
  Type.Object({
    name: Type.String(),
    "display-name": Type.String(),
    email: Nullable(Type.String()),
    disabled: Type.Boolean(),
    "created-at": Type.String(),
    "updated-at": Type.String(),
  }),
  Type.Object({ organization: ToOneRelationship, "created-by": ToOneRelationship }),
);

/** A service account resource. */
export const ServiceAccountResource = resourceSchema(
  "service-accounts",
  Type.Object({
    name: Type.String(),
    "display-name": Type.String(),
    description: Type.String(),
    disabled: Type.Boolean(),
    "created-at": Type.String(),
    "updated-at": Type.String(),
  }),
  Type.Object({ organization: ToOneRelationship, space: ToOneRelationship, "created-by": ToOneRelationship }),
);

/** A user or a service account. */
export const PrincipalResource = Type.Union([UserResource, ServiceAccountResource]);

/** Body of `POST /organizations/:org/users`. */
export const CreateUserBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("users"),
    attributes: Type.Object({
      name: Type.String({ minLength: 1 }),
      email: Type.Optional(Type.String()),
      "display-name": Type.Optional(Type.String()),
    }),
  }),
});

/** Body of `PATCH /users/:id`. */
export const UpdateUserBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("users"),
    attributes: Type.Object({
      email: Type.Optional(Nullable(Type.String())),
      "display-name": Type.Optional(Type.String()),
      disabled: Type.Optional(Type.Boolean()),
    }),
  }),
});

/** Body of `POST /organizations/:org/service-accounts`; the space defaults to the root space. */
export const CreateServiceAccountBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("service-accounts"),
    attributes: Type.Object({
      name: Type.String({ minLength: 1 }),
      "display-name": Type.Optional(Type.String()),
      description: Type.Optional(Type.String()),
    }),
    relationships: Type.Optional(
      Type.Object({
        space: Type.Optional(Type.Object({ data: Type.Object({ id: Type.String() }) })),
        roles: Type.Optional(
          Type.Object(
            {
              data: Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), type: Type.Optional(Type.Literal("roles")) }), {
                maxItems: 50,
              }),
            },
            {
              description:
                "Roles (ids or names) to bind to the new service account in its space, in the same transaction: when one is refused, nothing is created",
            },
          ),
        ),
      }),
    ),
  }),
});

/** Body of `PATCH /service-accounts/:id`. */
export const UpdateServiceAccountBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("service-accounts"),
    attributes: Type.Object({
      name: Type.Optional(Type.String()),
      "display-name": Type.Optional(Type.String()),
      description: Type.Optional(Type.String()),
      disabled: Type.Optional(Type.Boolean()),
    }),
  }),
});

/** Renders a user. */
export function renderUser(user: User): Static<typeof UserResource> {
  return {
    id: user.id,
    type: "users",
    attributes: {
      name: user.name,
      "display-name": user.displayName,
      email: user.email,
      disabled: user.disabled,
      "created-at": isoTime(user.createdAt) ?? "",
      "updated-at": isoTime(user.updatedAt) ?? "",
    },
    relationships: {
      organization: toOne("organizations", user.organizationId),
      "created-by": toOne("principals", user.createdBy),
    },
    links: { self: `/api/v2/users/${user.id}` },
  };
}

/** Renders a service account. */
export function renderServiceAccount(sa: ServiceAccount): Static<typeof ServiceAccountResource> {
  return {
    id: sa.id,
    type: "service-accounts",
    attributes: {
      name: sa.name,
      "display-name": sa.displayName,
      description: sa.description,
      disabled: sa.disabled,
      "created-at": isoTime(sa.createdAt) ?? "",
      "updated-at": isoTime(sa.updatedAt) ?? "",
    },
    relationships: {
      organization: toOne("organizations", sa.organizationId),
      space: toOne("spaces", sa.spaceId),
      "created-by": toOne("principals", sa.createdBy),
    },
    links: { self: `/api/v2/service-accounts/${sa.id}` },
  };
}

/** Renders either kind of principal. */
export function renderPrincipal(principal: Principal): Static<typeof PrincipalResource> {
  switch (principal.kind) {
    case "user":
      return renderUser(principal);
    case "service-account":
      return renderServiceAccount(principal);
  }
}

/** The JSON:API type of a principal kind. */
export function principalResourceType(principal: Principal): "users" | "service-accounts" {
  return principal.kind === "user" ? "users" : "service-accounts";
}
