// HTTP API, routes: service accounts (non-human principals living in a space) and their API keys.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { requirePermission, rootSpaceIdOf } from "../../auth/permission-check.js";
import { callerOrganization } from "../../auth/resource-scope.js";
import { createApiKey, listApiKeys } from "../../domain/api-keys/api-key.js";
import { DomainError } from "../../domain/domain-error.js";
import { createServiceAccountWithRoles } from "../../domain/principals/service-account-with-roles.js";
import {
  deleteServiceAccount,
  getServiceAccount,
  listServiceAccounts,
  updateServiceAccount,
} from "../../domain/principals/service-account.js";
import { getSpace } from "../../domain/spaces/space.js";
import { listDocumentOf, pageRequestOf, saveMeta } from "../jsonapi/json-api-document.js";
import { tagFilterOf } from "../jsonapi/query-parameters.js";
import {
  ERROR_RESPONSES,
  SaveMeta,
  IdParams,
  listDocument,
  OrgParams,
  PageQuery,
  singleDocument,
} from "../jsonapi/json-api-schemas.js";
import { callerOf, mutationContextOf } from "../plugins/keygate-services.js";
import {
  ApiKeyResource,
  CreateApiKeyBody,
  renderApiKey,
  TagFilterQuery,
} from "../representations/api-key-representation.js";
import {
  CreateServiceAccountBody,
  renderServiceAccount,
  ServiceAccountResource,
  UpdateServiceAccountBody,
} from "../representations/principal-representation.js";
import { renderRoleBinding, RoleBindingResource } from "../representations/role-representation.js";
import { requireVisible } from "./permission-answers.js";

/** The answer to a create: the account, with the role bindings made with it in `included`. */
const CreatedServiceAccountDocument = Type.Object({
  data: ServiceAccountResource,
  meta: Type.Optional(SaveMeta),
  included: Type.Optional(Type.Array(RoleBindingResource)),
});

const KeyListQuery = Type.Composite([PageQuery, TagFilterQuery]);

const ServiceAccountListQuery = Type.Composite([
  PageQuery,
  Type.Object({ "filter[space]": Type.Optional(Type.String({ description: "Only those in this space" })) }),
]);

/** Registers the service account routes. */
export async function serviceAccountRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const tags = ["service-accounts"];
  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof ServiceAccountListQuery> }>(
    "/organizations/:org/service-accounts",
    {
      schema: {
        summary: "List service accounts",
        tags,
        params: OrgParams,
        querystring: ServiceAccountListQuery,
        response: { 200: listDocument(ServiceAccountResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      const spaceId = request.query["filter[space]"];
      if (spaceId !== undefined) await getSpace(store, caller.organizationId, spaceId);
      requirePermission(caller, "service-accounts.read", spaceId);
      const page = pageRequestOf(request.query);
      const result = await listServiceAccounts(store, caller.organizationId, {
        page,
        ...(spaceId ? { spaceId } : {}),
      });
      return listDocumentOf(
        result,
        result.items.map(renderServiceAccount),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreateServiceAccountBody> }>(
    "/organizations/:org/service-accounts",
    {
      schema: {
        summary:
          "Create a service account in a space (default: the root space), with role bindings in that space (relationships.roles) in the same transaction",
        tags,
        params: OrgParams,
        body: CreateServiceAccountBody,
        response: { 201: CreatedServiceAccountDocument, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      const { attributes: a, relationships } = request.body.data;
      const spaceId = relationships?.space?.data.id ?? rootSpaceIdOf(caller.spaces);
      await getSpace(store, caller.organizationId, spaceId).catch(() => {
        throw new DomainError("invalid", `space ${spaceId} does not exist in this organization`, {
          field: "/data/relationships/space/data/id",
        });
      });
      requirePermission(caller, "service-accounts.write", spaceId);
      const roleIds = (relationships?.roles?.data ?? []).map((r) => r.id);
      if (roleIds.length > 0) requirePermission(caller, "role-bindings.write", spaceId);
      const saved = await createServiceAccountWithRoles(store, mutationContextOf(request), {
        spaceId,
        name: a.name,
        ...(a["display-name"] !== undefined ? { displayName: a["display-name"] } : {}),
        ...(a.description !== undefined ? { description: a.description } : {}),
        roleIds,
      });
      return reply.code(201).send({
        data: renderServiceAccount(saved.serviceAccount),
        meta: saveMeta(saved),
        ...(saved.bindings.length > 0 ? { included: saved.bindings.map(renderRoleBinding) } : {}),
      });
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    "/service-accounts/:id",
    {
      schema: {
        summary: "Show a service account",
        tags,
        params: IdParams,
        response: { 200: singleDocument(ServiceAccountResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const sa = await getServiceAccount(store, caller.organizationId, request.params.id);
      if (sa.id !== caller.principal.id) requireVisible(caller, "service-accounts.read", sa.spaceId);
      return { data: renderServiceAccount(sa) };
    },
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateServiceAccountBody> }>(
    "/service-accounts/:id",
    {
      schema: {
        summary:
          "Update a service account; disabled: true stops all its tokens at once on every instance (before this answers), false lets its live tokens work again",
        tags,
        params: IdParams,
        body: UpdateServiceAccountBody,
        response: { 200: singleDocument(ServiceAccountResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const sa = await getServiceAccount(store, caller.organizationId, request.params.id);
      requireVisible(caller, "service-accounts.write", sa.spaceId, sa.id === caller.principal.id);
      const a = request.body.data.attributes;
      const saved = await updateServiceAccount(store, mutationContextOf(request), sa.id, {
        ...(a.name !== undefined ? { name: a.name } : {}),
        ...(a["display-name"] !== undefined ? { displayName: a["display-name"] } : {}),
        ...(a.description !== undefined ? { description: a.description } : {}),
        ...(a.disabled !== undefined ? { disabled: a.disabled } : {}),
      });
      return { data: renderServiceAccount(saved.serviceAccount), meta: saveMeta(saved) };
    },
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    "/service-accounts/:id",
    {
      schema: {
        summary: "Delete a service account with its keys and tokens",
        tags,
        params: IdParams,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const sa = await getServiceAccount(store, caller.organizationId, request.params.id);
      requireVisible(caller, "service-accounts.write", sa.spaceId, sa.id === caller.principal.id);
      await deleteServiceAccount(store, mutationContextOf(request), sa.id);
      return reply.code(204).send();
    },
  );
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof KeyListQuery> }>(
    "/service-accounts/:id/api-keys",
    {
      schema: {
        summary: "List a service account's API keys",
        tags: ["api-keys"],
        params: IdParams,
        querystring: KeyListQuery,
        response: { 200: listDocument(ApiKeyResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const sa = await getServiceAccount(store, caller.organizationId, request.params.id);
      requireVisible(caller, "api-keys.read", sa.spaceId);
      const page = pageRequestOf(request.query);
      const tagFilter = tagFilterOf(request.query["filter[tag]"]);
      const result = await listApiKeys(store, caller.organizationId, {
        principalId: sa.id,
        page,
        ...(tagFilter ? { tags: tagFilter } : {}),
      });
      return listDocumentOf(
        result,
        result.items.map(renderApiKey),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CreateApiKeyBody> }>(
    "/service-accounts/:id/api-keys",
    {
      schema: {
        summary: "Create a SERVICE API key on a service account",
        tags: ["api-keys"],
        params: IdParams,
        body: CreateApiKeyBody,
        response: { 201: singleDocument(ApiKeyResource), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const sa = await getServiceAccount(store, caller.organizationId, request.params.id);
      requireVisible(caller, "api-keys.write", sa.spaceId);
      const a = request.body.data.attributes;
      const saved = await createApiKey(store, mutationContextOf(request), {
        principalId: sa.id,
        type: "SERVICE",
        name: a.name,
        ...(a.description !== undefined ? { description: a.description } : {}),
        ...(a.tags !== undefined ? { tags: a.tags } : {}),
      });
      return reply.code(201).send({ data: renderApiKey(saved.apiKey), meta: saveMeta(saved) });
    },
  );
}
