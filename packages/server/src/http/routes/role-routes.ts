// HTTP API, routes: roles (built-in and custom) and role bindings (principal or team x role x space).
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { requirePermission, rootSpaceIdOf } from "../../auth/permission-check.js";
import { callerOrganization } from "../../auth/resource-scope.js";
import { DomainError } from "../../domain/domain-error.js";
import {
  type BindingSubject,
  createRoleBinding,
  deleteRoleBinding,
  getRoleBinding,
  listRoleBindings,
} from "../../domain/role-bindings/role-binding.js";
import { createRole, deleteRole, getRole, listRoles, updateRole } from "../../domain/roles/role.js";
import { getSpace } from "../../domain/spaces/space.js";
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
  CreateRoleBindingBody,
  CreateRoleBody,
  RoleBindingResource,
  RoleResource,
  renderRole,
  renderRoleBinding,
  UpdateRoleBody,
} from "../representations/role-representation.js";
import { requireVisible } from "./permission-answers.js";

const BindingListQuery = Type.Composite([
  PageQuery,
  Type.Object({
    "filter[principal]": Type.Optional(Type.String()),
    "filter[team]": Type.Optional(Type.String()),
    "filter[role]": Type.Optional(Type.String()),
    "filter[space]": Type.Optional(Type.String()),
  }),
]);

/** Registers the role and role binding routes. */
export async function roleRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const tags = ["roles"];
  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof PageQuery> }>(
    "/organizations/:org/roles",
    {
      schema: {
        summary: "List built-in and custom roles",
        tags,
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: listDocument(RoleResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "roles.read");
      const page = pageRequestOf(request.query);
      const result = await listRoles(store, caller.organizationId, { page });
      return listDocumentOf(
        result,
        result.items.map(renderRole),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreateRoleBody> }>(
    "/organizations/:org/roles",
    {
      schema: {
        summary: "Create a custom role",
        tags,
        params: OrgParams,
        body: CreateRoleBody,
        response: { 201: singleDocument(RoleResource), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "roles.write");
      const a = request.body.data.attributes;
      const role = await createRole(store, mutationContextOf(request), {
        name: a.name,
        permissions: a.permissions,
        ...(a.description !== undefined ? { description: a.description } : {}),
        ...(a["principal-kinds"] !== undefined ? { principalKinds: a["principal-kinds"] } : {}),
      });
      return reply.code(201).send({ data: renderRole(role) });
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    "/roles/:id",
    {
      schema: {
        summary: "Show a role (by id or name)",
        tags,
        params: IdParams,
        response: { 200: singleDocument(RoleResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const role = await getRole(store, caller.organizationId, request.params.id);
      requireVisible(caller, "roles.read");
      return { data: renderRole(role) };
    },
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateRoleBody> }>(
    "/roles/:id",
    {
      schema: {
        summary: "Update a custom role",
        tags,
        params: IdParams,
        body: UpdateRoleBody,
        response: { 200: singleDocument(RoleResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const role = await getRole(store, caller.organizationId, request.params.id);
      requireVisible(caller, "roles.write");
      const a = request.body.data.attributes;
      const updated = await updateRole(store, mutationContextOf(request), role.id, {
        ...(a.description !== undefined ? { description: a.description } : {}),
        ...(a.permissions !== undefined ? { permissions: a.permissions } : {}),
        ...(a["principal-kinds"] !== undefined ? { principalKinds: a["principal-kinds"] } : {}),
      });
      return { data: renderRole(updated) };
    },
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    "/roles/:id",
    {
      schema: {
        summary: "Delete an unused custom role",
        tags,
        params: IdParams,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const role = await getRole(store, caller.organizationId, request.params.id);
      requireVisible(caller, "roles.write");
      await deleteRole(store, mutationContextOf(request), role.id);
      return reply.code(204).send();
    },
  );

  const bindingTags = ["role-bindings"];
  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof BindingListQuery> }>(
    "/organizations/:org/role-bindings",
    {
      schema: {
        summary: "List role bindings",
        tags: bindingTags,
        params: OrgParams,
        querystring: BindingListQuery,
        response: { 200: listDocument(RoleBindingResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      const q = request.query;
      const spaceId = q["filter[space]"];
      if (spaceId !== undefined) await getSpace(store, caller.organizationId, spaceId);
      requirePermission(caller, "role-bindings.read", spaceId);
      const page = pageRequestOf(q);
      const result = await listRoleBindings(store, caller.organizationId, {
        page,
        ...(q["filter[principal]"] !== undefined ? { principalId: q["filter[principal]"] } : {}),
        ...(q["filter[team]"] !== undefined ? { teamId: q["filter[team]"] } : {}),
        ...(q["filter[role]"] !== undefined ? { roleId: q["filter[role]"] } : {}),
        ...(spaceId !== undefined ? { spaceId } : {}),
      });
      return listDocumentOf(
        result,
        result.items.map(renderRoleBinding),
        page,
        request.url.split("?")[0] ?? "",
        q,
      );
    },
  );
  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreateRoleBindingBody> }>(
    "/organizations/:org/role-bindings",
    {
      schema: {
        summary:
          "Bind a role to a user, service account or team in a space (default: root); effective on the next request",
        tags: bindingTags,
        params: OrgParams,
        body: CreateRoleBindingBody,
        response: { 201: singleDocument(RoleBindingResource), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      const r = request.body.data.relationships;
      const spaceId = r.space?.data.id ?? rootSpaceIdOf(caller.spaces);
      await getSpace(store, caller.organizationId, spaceId).catch(() => {
        throw new DomainError("invalid", `space ${spaceId} does not exist in this organization`, {
          field: "/data/relationships/space/data/id",
        });
      });
      requirePermission(caller, "role-bindings.write", spaceId);
      const subject: BindingSubject =
        r.subject.data.type === "teams"
          ? { kind: "team", teamId: r.subject.data.id }
          : { kind: "principal", principalId: r.subject.data.id };
      const binding = await createRoleBinding(store, mutationContextOf(request), {
        subject,
        roleId: r.role.data.id,
        spaceId,
      });
      return reply.code(201).send({ data: renderRoleBinding(binding) });
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    "/role-bindings/:id",
    {
      schema: {
        summary: "Show a role binding",
        tags: bindingTags,
        params: IdParams,
        response: { 200: singleDocument(RoleBindingResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const binding = await getRoleBinding(store, caller.organizationId, request.params.id);
      requireVisible(caller, "role-bindings.read", binding.spaceId);
      return { data: renderRoleBinding(binding) };
    },
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    "/role-bindings/:id",
    {
      schema: {
        summary: "Remove a role binding; effective on the next request",
        tags: bindingTags,
        params: IdParams,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const binding = await getRoleBinding(store, caller.organizationId, request.params.id);
      requireVisible(caller, "role-bindings.write", binding.spaceId);
      await deleteRoleBinding(store, mutationContextOf(request), binding.id);
      return reply.code(204).send();
    },
  );
}
