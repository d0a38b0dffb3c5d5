// HTTP API, routes: organizations. A caller sees only its own organization.
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { requirePermission, rootSpaceIdOf } from "../../auth/permission-check.js";
import { callerOrganization } from "../../auth/resource-scope.js";
import { getOrganization, updateOrganization } from "../../domain/organizations/organization.js";
import { listDocumentOf, pageRequestOf } from "../jsonapi/json-api-document.js";
import {
  ERROR_RESPONSES,
  listDocument,
  OrgParams,
  PageQuery,
  singleDocument,
} from "../jsonapi/json-api-schemas.js";
import { callerOf, mutationContextOf } from "../plugins/keygate-services.js";
import {
  OrganizationResource,
  renderOrganization,
  UpdateOrganizationBody,
} from "../representations/organization-representation.js";

/** Registers the organization routes. */
export async function organizationRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  app.get<{ Querystring: Static<typeof PageQuery> }>(
    "/organizations",
    {
      schema: {
        summary: "List organizations (only the caller's)",
        tags: ["organizations"],
        querystring: PageQuery,
        response: { 200: listDocument(OrganizationResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const org = await getOrganization(store, caller.organizationId);
      const page = pageRequestOf(request.query);
      const items = page.pageNumber === 1 ? [renderOrganization(org, rootSpaceIdOf(caller.spaces))] : [];
      return listDocumentOf({ items, total: 1 }, items, page, "/api/v2/organizations", request.query);
    },
  );
  app.get<{ Params: Static<typeof OrgParams> }>(
    "/organizations/:org",
    {
      schema: {
        summary: "Show an organization",
        tags: ["organizations"],
        params: OrgParams,
        response: { 200: singleDocument(OrganizationResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const org = await callerOrganization(store, caller, request.params.org);
      return { data: renderOrganization(org, rootSpaceIdOf(caller.spaces)) };
    },
  );
  app.patch<{ Params: Static<typeof OrgParams>; Body: Static<typeof UpdateOrganizationBody> }>(
    "/organizations/:org",
    {
      schema: {
        summary: "Change an organization's display name",
        tags: ["organizations"],
        params: OrgParams,
        body: UpdateOrganizationBody,
        response: { 200: singleDocument(OrganizationResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "organizations.write");
      const attributes = request.body.data.attributes;
      const org = await updateOrganization(store, mutationContextOf(request), {
        ...(attributes["display-name"] !== undefined ? { displayName: attributes["display-name"] } : {}),
      });
      return { data: renderOrganization(org, rootSpaceIdOf(caller.spaces)) };
    },
  );
}
