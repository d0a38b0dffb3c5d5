// HTTP API, representations: teams (`teams`) as JSON:API resources, and their request bodies.
import { type Static, Type } from "@sinclair/typebox";
import type { Team } from "../../domain/teams/team.js";
import { isoTime, toOne } from "../jsonapi/json-api-document.js";
import {
  Nullable,
  ResourceIdentifier,
  resourceSchema,
  ToOneRelationship,
} from "../jsonapi/json-api-schemas.js";

/** A team resource. */
export const TeamResource = resourceSchema(
  "teams",
  Type.Object({
    name: Type.String(),
    description: Type.String(),
    "external-id": Nullable(Type.String()),
    "created-at": Type.String(),
    "updated-at": Type.String(),
  }),
  Type.Object({ organization: ToOneRelationship }),
);

/** Body of `POST /organizations/:org/teams`. */
export const CreateTeamBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("teams"),
    attributes: Type.Object({
      name: Type.String({ minLength: 1 }),
      description: Type.Optional(Type.String()),
      "external-id": Type.Optional(Type.String()),
    }),
  }),
});

/** Body of `PATCH /teams/:id`. */
export const UpdateTeamBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("teams"),
    attributes: Type.Object({
      name: Type.Optional(Type.String()),
      description: Type.Optional(Type.String()),
      "external-id": Type.Optional(Nullable(Type.String())),
    }),
  }),
});

/** Body of `POST|DELETE /teams/:id/relationships/members`: the principals to add or remove. */
export const TeamMembersBody = Type.Object({ data: Type.Array(ResourceIdentifier, { minItems: 1 }) });

/** Renders a team. */
export function renderTeam(team: Team): Static<typeof TeamResource> {
  return {
    id: team.id,
    type: "teams",
    attributes: {
      name: team.name,
      description: team.description,
      "external-id": team.externalId,
      "created-at": isoTime(team.createdAt) ?? "",
      "updated-at": isoTime(team.updatedAt) ?? "",
    },
    relationships: { organization: toOne("organizations", team.organizationId) },
    links: { self: `/api/v2/teams/${team.id}` },
  };
}
