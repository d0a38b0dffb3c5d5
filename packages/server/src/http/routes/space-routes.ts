// HTTP API, routes: spaces (the tree of an organization).
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { requirePermission, rootSpaceIdOf } from "../../auth/permission-check.js";
import { callerOrganization } from "../../auth/resource-scope.js";
import { createSpace, deleteSpace, getSpace, listSpaces, updateSpace } from "../../domain/spaces/space.js";
import { listDocumentOf, pageRequestOf } from "../jsonapi/json-api-document.js";
import {
  ERROR_RESPONSES,
  IdParams,
  listDocument,
  OrgParams,
  PageQuery,
  singleDocument,
} from "../jsonapi/json-api-schemas.js";
import { callerOf, mutationContextOf } from "../plugins/keygate-services.js";
import {
  CreateSpaceBody,
  renderSpace,
  SpaceResource,
  UpdateSpaceBody,
} from "../representations/space-representation.js";
import { requireVisible } from "./permission-answers.js";

const SpaceListQuery = Type.Composite([
  PageQuery,
  Type.Object({
    "filter[parent]": Type.Optional(Type.String({ description: "Only children of this space" })),
  }),
]);

/** Registers the space routes. */
export async function spaceRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const tags = ["spaces"];
  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof SpaceListQuery> }>(
    "/organizations/:org/spaces",
    {
      schema: {
        summary: "List spaces",
        tags,
        params: OrgParams,
        querystring: SpaceListQuery,
        response: { 200: listDocument(SpaceResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      const parentId = request.query["filter[parent]"];
      if (parentId !== undefined) await getSpace(store, caller.organizationId, parentId);
      requirePermission(caller, "spaces.read", parentId);
      const page = pageRequestOf(request.query);
      const result = await listSpaces(store, caller.organizationId, {
        page,
        ...(parentId ? { parentId } : {}),
      });
      return listDocumentOf(
        result,
        result.items.map(renderSpace),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreateSpaceBody> }>(
    "/organizations/:org/spaces",
    {
      schema: {
        summary: "Create a space (under the root space unless a parent is given)",
        tags,
        params: OrgParams,
        body: CreateSpaceBody,
        response: { 201: singleDocument(SpaceResource), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      const { attributes, relationships } = request.body.data;
      const parentId = relationships?.parent?.data.id ?? rootSpaceIdOf(caller.spaces);
      await getSpace(store, caller.organizationId, parentId);
      requirePermission(caller, "spaces.write", parentId);
      const space = await createSpace(store, mutationContextOf(request), {
        parentId,
        name: attributes.name,
        ...(attributes.description !== undefined ? { description: attributes.description } : {}),
      });
      return reply.code(201).send({ data: renderSpace(space) });
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    "/spaces/:id",
    {
      schema: {
        summary: "Show a space",
        tags,
        params: IdParams,
        response: { 200: singleDocument(SpaceResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const space = await getSpace(store, caller.organizationId, request.params.id);
      requireVisible(caller, "spaces.read", space.id);
      return { data: renderSpace(space) };
    },
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateSpaceBody> }>(
    "/spaces/:id",
    {
      schema: {
        summary: "Rename or re-describe a space",
        tags,
        params: IdParams,
        body: UpdateSpaceBody,
        response: { 200: singleDocument(SpaceResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const space = await getSpace(store, caller.organizationId, request.params.id);
      requireVisible(caller, "spaces.write", space.id);
      const updated = await updateSpace(
        store,
        mutationContextOf(request),
        space.id,
        request.body.data.attributes,
      );
      return { data: renderSpace(updated) };
    },
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    "/spaces/:id",
    {
      schema: {
        summary:
          "Delete an empty space; 409 while it has child spaces, live tokens, service accounts, live delegate tokens or connected delegates",
        tags,
        params: IdParams,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const space = await getSpace(store, caller.organizationId, request.params.id);
      requireVisible(caller, "spaces.write", space.id);
      await deleteSpace(store, mutationContextOf(request), space.id);
      return reply.code(204).send();
    },
  );
}
