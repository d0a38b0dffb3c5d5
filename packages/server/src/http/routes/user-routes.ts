// HTTP API, routes: users (humans) of an organization.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { requirePermission } from "../../auth/permission-check.js";
import { callerOrganization } from "../../auth/resource-scope.js";
import { createUser, deleteUser, getUser, listUsers, updateUser } from "../../domain/principals/user.js";
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
  CreateUserBody,
  renderUser,
  UpdateUserBody,
  UserResource,
} from "../representations/principal-representation.js";
import { requireVisible } from "./permission-answers.js";

/** Registers the user routes. */
export async function userRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const tags = ["users"];
  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof PageQuery> }>(
    "/organizations/:org/users",
    {
      schema: {
        summary: "List users",
        tags,
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: listDocument(UserResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "users.read");
      const page = pageRequestOf(request.query);
      const result = await listUsers(store, caller.organizationId, { page });
      return listDocumentOf(
        result,
        result.items.map(renderUser),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreateUserBody> }>(
    "/organizations/:org/users",
    {
      schema: {
        summary: "Create a user",
        tags,
        params: OrgParams,
        body: CreateUserBody,
        response: { 201: singleDocument(UserResource), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "users.write");
      const a = request.body.data.attributes;
      const user = await createUser(store, mutationContextOf(request), {
        name: a.name,
        ...(a.email !== undefined ? { email: a.email } : {}),
        ...(a["display-name"] !== undefined ? { displayName: a["display-name"] } : {}),
      });
      return reply.code(201).send({ data: renderUser(user) });
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    "/users/:id",
    {
      schema: {
        summary: "Show a user",
        tags,
        params: IdParams,
        response: { 200: singleDocument(UserResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const user = await getUser(store, caller.organizationId, request.params.id);
      if (user.id !== caller.principal.id) requireVisible(caller, "users.read");
      return { data: renderUser(user) };
    },
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateUserBody> }>(
    "/users/:id",
    {
      schema: {
        summary: "Update a user",
        tags,
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: singleDocument(UserResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const user = await getUser(store, caller.organizationId, request.params.id);
      requireVisible(caller, "users.write", undefined, user.id === caller.principal.id);
      const a = request.body.data.attributes;
      const updated = await updateUser(store, mutationContextOf(request), user.id, {
        ...(a.email !== undefined ? { email: a.email } : {}),
        ...(a["display-name"] !== undefined ? { displayName: a["display-name"] } : {}),
        ...(a.disabled !== undefined ? { disabled: a.disabled } : {}),
      });
      return { data: renderUser(updated) };
    },
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    "/users/:id",
    {
      schema: {
        summary: "Delete a user with their keys and tokens",
        tags,
        params: IdParams,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const user = await getUser(store, caller.organizationId, request.params.id);
      requireVisible(caller, "users.write", undefined, user.id === caller.principal.id);
      await deleteUser(store, mutationContextOf(request), user.id);
      return reply.code(204).send();
    },
  );
}
