// HTTP API, routes: the caller's own account: who am I (the hot path: served from the auth
// cache, no database), my effective access, and my personal (USER) API keys.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { summarizeEffectiveAccess } from "../../domain/access/effective-access.js";
import { createApiKey, listApiKeys } from "../../domain/api-keys/api-key.js";
import { loginPoliciesOf } from "../../domain/login-policies/login-policies.js";
import type { Principal } from "../../domain/principals/principal.js";
import type { Token } from "../../domain/tokens/token.js";
import { isoTime, listDocumentOf, pageRequestOf, saveMeta } from "../jsonapi/json-api-document.js";
import { tagFilterOf } from "../jsonapi/query-parameters.js";
import {
  ERROR_RESPONSES,
  listDocument,
  Nullable,
  PageQuery,
  singleDocument,
} from "../jsonapi/json-api-schemas.js";
import { callerOf, mutationContextOf } from "../plugins/keygate-services.js";
import { EffectiveAccessResource, renderEffectiveAccess } from "../representations/access-representation.js";
import {
  ApiKeyResource,
  CreateApiKeyBody,
  renderApiKey,
  TagFilterQuery,
} from "../representations/api-key-representation.js";
import { PrincipalResource, renderPrincipal } from "../representations/principal-representation.js";

/** The document of `GET /account/details`. */
export const AccountDetails = Type.Object({
  data: PrincipalResource,
  meta: Type.Object({
    organization: Type.String(),
    token: Type.Object({
      id: Type.String(),
      name: Type.String(),
      status: Type.String(),
      "api-key-id": Type.String(),
      "api-key-type": Type.String(),
      "valid-to": Nullable(Type.String()),
      "scheduled-expire-time": Nullable(Type.String()),
    }),
  }),
});

const AccountApiKeyQuery = Type.Composite([PageQuery, TagFilterQuery]);

/** Registers the account routes. */
export async function accountRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  // The caller's principal object is the cached one until a change replaces it, so its rendering
  // (dates, and its JSON text) is done once per principal version, not on every request.
  const rendered = new WeakMap<Principal, string>();
  const principalJson = (principal: Principal) => {
    let text = rendered.get(principal);
    if (text === undefined) {
      text = JSON.stringify(renderPrincipal(principal));
      rendered.set(principal, text);
    }
    return text;
  };
  const documents = new WeakMap<Token, { readonly principal: Principal; readonly text: string }>();
  const tags = ["account"];
  app.get(
    "/account/details",
    {
      schema: {
        summary: "The caller: principal and the token used",
        tags,
        response: { 200: AccountDetails, ...ERROR_RESPONSES },
      },
    },
    // Not async: the answer is at hand, and an async handler's promise costs a microtask turn.
    (request, reply) => {
      const caller = callerOf(request);
      // The cached token object stays the same while nothing about it changes (its key and
      // organization come with it), so the document is written once per token and principal version.
      const memo = documents.get(caller.token);
      if (memo !== undefined && memo.principal === caller.principal) {
        reply.send(memo.text);
        return;
      }
      const meta: Static<typeof AccountDetails>["meta"] = {
        organization: caller.organizationId,
        token: {
          id: caller.token.id,
          name: caller.token.name,
          status: caller.token.status,
          "api-key-id": caller.apiKey.id,
          "api-key-type": caller.apiKey.type,
          "valid-to": isoTime(caller.token.validTo),
          "scheduled-expire-time": isoTime(caller.token.scheduledExpireTime),
        },
      };
      // The hot path: sent as JSON text (typed by the schema above, which still documents it), so
      // the schema's serializer does not pick between the user and service-account resources
      // with an ajv check on every request.
      const text = `{"data":${principalJson(caller.principal)},"meta":${JSON.stringify(meta)}}`;
      documents.set(caller.token, { principal: caller.principal, text });
      reply.send(text);
    },
  );
  app.get(
    "/account/effective-access",
    {
      schema: {
        summary: "What the caller's key may do: permissions per space and why",
        tags,
        response: { 200: singleDocument(EffectiveAccessResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const spaces = summarizeEffectiveAccess(caller.access, caller.spaces);
      // The roles the caller's login policies named that granted nothing, from this address now.
      const { ignored } = await loginPoliciesOf(store).explainedAccess(
        { organizationId: caller.organizationId, principalId: caller.principal.id, tokenId: caller.token.id },
        { remoteIp: request.ip },
      );
      return {
        data: renderEffectiveAccess(
          caller.apiKey.id,
          caller.principal,
          spaces,
          caller.spaces,
          "/api/v2/account/effective-access",
          ignored,
        ),
      };
    },
  );
  app.get<{ Querystring: Static<typeof AccountApiKeyQuery> }>(
    "/account/api-keys",
    {
      schema: {
        summary: "The caller's own API keys",
        tags,
        querystring: AccountApiKeyQuery,
        response: { 200: listDocument(ApiKeyResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const page = pageRequestOf(request.query);
      const tagFilter = tagFilterOf(request.query["filter[tag]"]);
      const result = await listApiKeys(store, caller.organizationId, {
        principalId: caller.principal.id,
        page,
        ...(tagFilter ? { tags: tagFilter } : {}),
      });
      return listDocumentOf(
        result,
        result.items.map(renderApiKey),
        page,
        "/api/v2/account/api-keys",
        request.query,
      );
    },
  );
  app.post<{ Body: Static<typeof CreateApiKeyBody> }>(
    "/account/api-keys",
    {
      schema: {
        summary:
          "Create a personal (USER) API key on the caller; its tokens never exceed the caller's permissions",
        tags,
        body: CreateApiKeyBody,
        response: { 201: singleDocument(ApiKeyResource), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const a = request.body.data.attributes;
      const saved = await createApiKey(store, mutationContextOf(request), {
        principalId: caller.principal.id,
        type: "USER",
        name: a.name,
        ...(a.description !== undefined ? { description: a.description } : {}),
        ...(a.tags !== undefined ? { tags: a.tags } : {}),
      });
      return reply.code(201).send({ data: renderApiKey(saved.apiKey), meta: saveMeta(saved) });
    },
  );
}
