// HTTP API, representations: spaces as JSON:API resources (`spaces`) and their request bodies.
import { type Static, Type } from "@sinclair/typebox";
import type { Space } from "../../domain/spaces/space.js";
import { isoTime, toOne } from "../jsonapi/json-api-document.js";
import { resourceSchema, ToOneRelationship } from "../jsonapi/json-api-schemas.js";

/** A space resource. */
export const SpaceResource = resourceSchema(
  "spaces",
  Type.Object({
    name: Type.String(),
    description: Type.String(),
    "created-at": Type.String(),
    "updated-at": Type.String(),
  }),
  Type.Object({ organization: ToOneRelationship, parent: ToOneRelationship }),
);

/** Body of `POST /organizations/:org/spaces`; the parent defaults to the root space. */
export const CreateSpaceBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("spaces"),
    attributes: Type.Object({
      name: Type.String({ minLength: 1 }),
      description: Type.Optional(Type.String()),
    }),
    relationships: Type.Optional(
      Type.Object({ parent: Type.Optional(Type.Object({ data: Type.Object({ id: Type.String() }) })) }),
    ),
  }),
});

/** Body of `PATCH /spaces/:id`. */
export const UpdateSpaceBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("spaces"),
    attributes: Type.Object({
      name: Type.Optional(Type.String()),
      description: Type.Optional(Type.String()),
    }),
  }),
});

/** Renders a space. */
export function renderSpace(space: Space): Static<typeof SpaceResource> {
  return {
    id: space.id,
    type: "spaces",
    attributes: {
      name: space.name,
      description: space.description,
      "created-at": isoTime(space.createdAt) ?? "",
      "updated-at": isoTime(space.updatedAt) ?? "",
    },
    relationships: {
      organization: toOne("organizations", space.organizationId),
      parent: toOne("spaces", space.parentId),
    },
    links: { self: `/api/v2/spaces/${space.id}` },
  };
}
