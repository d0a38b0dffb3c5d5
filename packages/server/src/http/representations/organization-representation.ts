// HTTP API, representations: organizations as JSON:API resources (`organizations`).
import { type Static, Type } from "@sinclair/typebox";
import type { Organization } from "../../domain/organizations/organization.js";
import { isoTime } from "../jsonapi/json-api-document.js";
import { resourceSchema, ToOneRelationship } from "../jsonapi/json-api-schemas.js";

/** An organization resource. */
export const OrganizationResource = resourceSchema(
  "organizations",
  Type.Object({ name: Type.String(), "display-name": Type.String(), "created-at": Type.String() }),
  Type.Object({ "root-space": ToOneRelationship }),
);

/** Renders an organization. */
export function renderOrganization(
  org: Organization,
  rootSpaceId: string,
): Static<typeof OrganizationResource> {
  return {
    id: org.name,
    type: "organizations",
    attributes: {
      name: org.name,
      "display-name": org.displayName,
      "created-at": isoTime(org.createdAt) ?? "",
    },
    relationships: { "root-space": { data: { id: rootSpaceId, type: "spaces" } } },
    links: { self: `/api/v2/organizations/${encodeURIComponent(org.name)}` },
  };
}

/** Body of PATCH /organizations/:org. */
export const UpdateOrganizationBody = Type.Object({
  data: Type.Object({
    type: Type.Literal("organizations"),
    attributes: Type.Object({ "display-name": Type.Optional(Type.String()) }),
  }),
});
