// HTTP API, routes: API keys (shown, renamed, deleted) and the tokens hanging off them.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { requirePermission } from "../../auth/permission-check.js";
import { callerOrganization } from "../../auth/resource-scope.js";
import {
  deleteApiKey,
  getApiKey,
  getHeldApiKey,
  listApiKeys,
  updateApiKey,
} from "../../domain/api-keys/api-key.js";
import { createToken, listTokens } from "../../domain/tokens/token.js";
import { TOKEN_STATUSES, type TokenStatus } from "../../domain/tokens/token-status.js";
import { epochMsOf, listDocumentOf, pageRequestOf, saveMeta } from "../jsonapi/json-api-document.js";
import { tagFilterOf } from "../jsonapi/query-parameters.js";
import {
  ERROR_RESPONSES,
  IdParams,
  listDocument,
  OrgParams,
  PageQuery,
  singleDocument,
} from "../jsonapi/json-api-schemas.js";
import { TokenWindowQuery, tokenWindowOf } from "../jsonapi/token-list-parameters.js";
import { callerOf, mutationContextOf } from "../plugins/keygate-services.js";
import {
  ApiKeyResource,
  renderApiKey,
  TagFilterQuery,
  UpdateApiKeyBody,
} from "../representations/api-key-representation.js";
import {
  CreateTokenBody,
  IssuedTokenResource,
  renderIssuedToken,
  renderToken,
  TokenResource,
} from "../representations/token-representation.js";
import { requireVisibleOnApiKey, requireVisibleOnHeldApiKey } from "./permission-answers.js";

const StatusFilter = Type.Union(TOKEN_STATUSES.map((s) => Type.Literal(s)));

const TokenListQuery = Type.Composite([
  PageQuery,
  TagFilterQuery,
  Type.Object({ "filter[status]": Type.Optional(StatusFilter) }),
]);

const OrgTokenListQuery = Type.Composite([
  TokenListQuery,
  TokenWindowQuery,
  Type.Object({
    "filter[api-key]": Type.Optional(Type.String()),
    "filter[principal]": Type.Optional(Type.String()),
  }),
]);

const ApiKeyListQuery = Type.Composite([
  PageQuery,
  TagFilterQuery,
  Type.Object({
    "filter[principal]": Type.Optional(Type.String()),
    "filter[type]": Type.Optional(Type.Union([Type.Literal("USER"), Type.Literal("SERVICE")])),
  }),
]);

/** Registers the API key routes and the token collection routes. */
export async function apiKeyRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const tags = ["api-keys"];
  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof ApiKeyListQuery> }>(
    "/organizations/:org/api-keys",
    {
      schema: {
        summary: "List the organization's API keys",
        tags,
        params: OrgParams,
        querystring: ApiKeyListQuery,
        response: { 200: listDocument(ApiKeyResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "api-keys.read");
      const page = pageRequestOf(request.query);
      const principalId = request.query["filter[principal]"];
      const type = request.query["filter[type]"];
      const tagFilter = tagFilterOf(request.query["filter[tag]"]);
      const result = await listApiKeys(store, caller.organizationId, {
        page,
        ...(tagFilter ? { tags: tagFilter } : {}),
        ...(principalId !== undefined ? { principalId } : {}),
        ...(type !== undefined ? { type } : {}),
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
  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof OrgTokenListQuery> }>(
    "/organizations/:org/tokens",
    {
      schema: {
        summary: "List the organization's tokens",
        tags: ["tokens"],
        params: OrgParams,
        querystring: OrgTokenListQuery,
        response: { 200: listDocument(TokenResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "tokens.read");
      const page = pageRequestOf(request.query);
      const q = request.query;
      const tagFilter = tagFilterOf(q["filter[tag]"]);
      const result = await listTokens(store, caller.organizationId, {
        page,
        ...(tagFilter ? { tags: tagFilter } : {}),
        ...(q["filter[status]"] !== undefined ? { status: q["filter[status]"] as TokenStatus } : {}),
        ...(q["filter[api-key]"] !== undefined ? { apiKeyId: q["filter[api-key]"] } : {}),
        ...(q["filter[principal]"] !== undefined ? { principalId: q["filter[principal]"] } : {}),
        window: tokenWindowOf(q),
      });
      return listDocumentOf(
        result,
        result.items.map(renderToken),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    "/api-keys/:id",
    {
      schema: {
        summary: "Show an API key",
        tags,
        params: IdParams,
        response: { 200: singleDocument(ApiKeyResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const key = await getApiKey(store, caller.organizationId, request.params.id);
      await requireVisibleOnApiKey(store, caller, key, "api-keys.read");
      return { data: renderApiKey(key) };
    },
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateApiKeyBody> }>(
    "/api-keys/:id",
    {
      schema: {
        summary: "Rename or re-describe an API key",
        tags,
        params: IdParams,
        body: UpdateApiKeyBody,
        response: { 200: singleDocument(ApiKeyResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const key = await getApiKey(store, caller.organizationId, request.params.id);
      await requireVisibleOnApiKey(store, caller, key, "api-keys.write");
      const saved = await updateApiKey(
        store,
        mutationContextOf(request),
        key.id,
        request.body.data.attributes,
      );
      return { data: renderApiKey(saved.apiKey), meta: saveMeta(saved) };
    },
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    "/api-keys/:id",
    {
      schema: {
        summary: "Delete an API key whose tokens no longer work",
        tags,
        params: IdParams,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const key = await getApiKey(store, caller.organizationId, request.params.id);
      await requireVisibleOnApiKey(store, caller, key, "api-keys.write");
      await deleteApiKey(store, mutationContextOf(request), key.id);
      return reply.code(204).send();
    },
  );
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof TokenListQuery> }>(
    "/api-keys/:id/tokens",
    {
      schema: {
        summary: "List an API key's tokens (never their secrets)",
        tags: ["tokens"],
        params: IdParams,
        querystring: TokenListQuery,
        response: { 200: listDocument(TokenResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const key = await getApiKey(store, caller.organizationId, request.params.id);
      await requireVisibleOnApiKey(store, caller, key, "tokens.read");
      const page = pageRequestOf(request.query);
      const status = request.query["filter[status]"];
      const tagFilter = tagFilterOf(request.query["filter[tag]"]);
      const result = await listTokens(store, caller.organizationId, {
        apiKeyId: key.id,
        page,
        ...(tagFilter ? { tags: tagFilter } : {}),
        ...(status !== undefined ? { status: status as TokenStatus } : {}),
      });
      return listDocumentOf(
        result,
        result.items.map(renderToken),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CreateTokenBody> }>(
    "/api-keys/:id/tokens",
    {
      schema: {
        summary: "Create a token on an API key; the response holds its text, shown this once",
        tags: ["tokens"],
        params: IdParams,
        body: CreateTokenBody,
        response: { 201: singleDocument(IssuedTokenResource), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      // The key and its principal, loaded once: the access check and then the write use them.
      const held = await getHeldApiKey(store, caller.organizationId, request.params.id);
      requireVisibleOnHeldApiKey(caller, held.apiKey, held.holder, "tokens.create");
      const a = request.body.data.attributes;
      const validTo = a["valid-to"];
      const issued = await createToken(
        store,
        mutationContextOf(request),
        {
          apiKeyId: held.apiKey.id,
          name: a.name,
          ...(a.description !== undefined ? { description: a.description } : {}),
          ...(a.tags !== undefined ? { tags: a.tags } : {}),
          ...(a["valid-from"] !== undefined
            ? { validFrom: epochMsOf(a["valid-from"], "/data/attributes/valid-from") }
            : {}),
          ...(validTo !== undefined
            ? { validTo: validTo === null ? null : epochMsOf(validTo, "/data/attributes/valid-to") }
            : {}),
        },
        held,
      );
      reply.header("cache-control", "no-store");
      return reply
        .code(201)
        .send({ data: renderIssuedToken(issued.token, issued.value), meta: saveMeta(issued) });
    },
  );
}
