// HTTP API, routes: delegate tokens (create in a space, list, show, rename, rotate, revoke,
// delete once revoked) and the delegates connected with them, per token, per space or across
// the organization. Also starts this instance's delegate hub (WebSocket connections).
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { Caller } from "../../../auth/caller.js";
import { requirePermission, rootSpaceIdOf } from "../../../auth/permission-check.js";
import { callerOrganization } from "../../../auth/resource-scope.js";
import {
  createDelegateToken,
  DELEGATE_TOKEN_STATUSES,
  type DelegateToken,
  type DelegateTokenStatus,
  deleteDelegateToken,
  getDelegateToken,
  listDelegateTokens,
  revokeDelegateToken,
  rotateDelegateToken,
  updateDelegateToken,
} from "../../../domain/delegate-tokens/delegate-token.js";
import { getDelegate, listDelegates } from "../../../domain/delegates/delegate.js";
import { DomainError } from "../../../domain/domain-error.js";
import type { Permission } from "../../../domain/roles/permission-catalogue.js";
import { installDelegateHub } from "../../delegates/delegate-upgrade.js";
import { listDocumentOf, pageRequestOf, saveMeta } from "../../jsonapi/json-api-document.js";
import {
  ERROR_RESPONSES,
  IdParams,
  listDocument,
  OrgParams,
  PageQuery,
  SaveMeta,
  singleDocument,
} from "../../jsonapi/json-api-schemas.js";
import { callerOf, mutationContextOf } from "../../plugins/keygate-services.js";
import {
  CreateDelegateTokenBody,
  DelegateResource,
  DelegateTokenResource,
  IssuedDelegateTokenResource,
  renderDelegate,
  renderDelegateToken,
  renderIssuedDelegateToken,
  UpdateDelegateTokenBody,
} from "./delegate-token-representation.js";
import { requireVisible } from "../permission-answers.js";

const DelegateTokenListQuery = Type.Composite([
  PageQuery,
  Type.Object({
    "filter[space]": Type.Optional(Type.String()),
    "filter[status]": Type.Optional(Type.Union(DELEGATE_TOKEN_STATUSES.map((s) => Type.Literal(s)))),
  }),
]);

const DelegateListQuery = Type.Composite([
  PageQuery,
  Type.Object({
    "filter[space]": Type.Optional(Type.String()),
    "filter[delegate-token]": Type.Optional(Type.String()),
  }),
]);

/** A space named by a request, which must be one of the caller's organization (`invalid` otherwise). */
function knownSpace(caller: Caller, spaceId: string, field: string): string {
  if (!caller.spaces.spaces.has(spaceId)) {
    throw new DomainError("invalid", `space ${spaceId} does not exist in this organization`, { field });
  }
  return spaceId;
}

/** Registers the delegate token and delegate routes, and the delegate hub. */
export async function delegateRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const hub = installDelegateHub(app);
  const tags = ["delegate-tokens"];
  const liveSince = () => Date.now() - hub.settings.heartbeatTimeoutMs;

  async function authorizedToken(caller: Caller, id: string, permission: Permission): Promise<DelegateToken> {
    const token = await getDelegateToken(store, caller.organizationId, id);
    requireVisible(caller, permission, token.spaceId);
    return token;
  }

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof DelegateTokenListQuery> }>(
    "/organizations/:org/delegate-tokens",
    {
      schema: {
        summary: "List delegate tokens (never their values), of one space with filter[space]",
        tags,
        params: OrgParams,
        querystring: DelegateTokenListQuery,
        response: { 200: listDocument(DelegateTokenResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      const q = request.query;
      const spaceId = q["filter[space]"];
      if (spaceId !== undefined) knownSpace(caller, spaceId, "/filter[space]");
      requirePermission(caller, "delegate-tokens.read", spaceId);
      const page = pageRequestOf(q);
      const result = await listDelegateTokens(store, caller.organizationId, {
        page,
        ...(spaceId !== undefined ? { spaceId } : {}),
        ...(q["filter[status]"] !== undefined ? { status: q["filter[status]"] as DelegateTokenStatus } : {}),
      });
      return listDocumentOf(
        result,
        result.items.map(renderDelegateToken),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreateDelegateTokenBody> }>(
    "/organizations/:org/delegate-tokens",
    {
      schema: {
        summary: "Create a delegate token in a space (default the root space); its value is shown once",
        tags,
        params: OrgParams,
        body: CreateDelegateTokenBody,
        response: {
          201: Type.Object({ data: IssuedDelegateTokenResource, meta: SaveMeta }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      const { attributes, relationships } = request.body.data;
      const given = relationships?.space?.data.id;
      const spaceId =
        given === undefined
          ? rootSpaceIdOf(caller.spaces)
          : knownSpace(caller, given, "/data/relationships/space/data/id");
      requirePermission(caller, "delegate-tokens.write", spaceId);
      const issued = await createDelegateToken(store, mutationContextOf(request), {
        spaceId,
        name: attributes.name,
        ...(attributes.description !== undefined ? { description: attributes.description } : {}),
      });
      reply.header("cache-control", "no-store");
      return reply.code(201).send({
        data: renderIssuedDelegateToken(issued.delegateToken, issued.value),
        meta: saveMeta(issued),
      });
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    "/delegate-tokens/:id",
    {
      schema: {
        summary: "Show a delegate token (never its value)",
        tags,
        params: IdParams,
        response: { 200: singleDocument(DelegateTokenResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const token = await authorizedToken(callerOf(request), request.params.id, "delegate-tokens.read");
      return { data: renderDelegateToken(token) };
    },
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateDelegateTokenBody> }>(
    "/delegate-tokens/:id",
    {
      schema: {
        summary: "Rename or re-describe a delegate token",
        tags,
        params: IdParams,
        body: UpdateDelegateTokenBody,
        response: { 200: singleDocument(DelegateTokenResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const token = await authorizedToken(callerOf(request), request.params.id, "delegate-tokens.write");
      const a = request.body.data.attributes;
      const saved = await updateDelegateToken(store, mutationContextOf(request), token.id, {
        ...(a.name !== undefined ? { name: a.name } : {}),
        ...(a.description !== undefined ? { description: a.description } : {}),
      });
      return { data: renderDelegateToken(saved.delegateToken), meta: saveMeta(saved) };
    },
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    "/delegate-tokens/:id",
    {
      schema: {
        summary: "Delete a revoked delegate token (409 while it still works)",
        tags,
        params: IdParams,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const token = await authorizedToken(callerOf(request), request.params.id, "delegate-tokens.write");
      await deleteDelegateToken(store, mutationContextOf(request), token.id);
      return reply.code(204).send();
    },
  );
  app.post<{ Params: Static<typeof IdParams> }>(
    "/delegate-tokens/:id/actions/rotate",
    {
      schema: {
        summary: "Rotate a delegate token: a new token (value shown once); the old one works until revoked",
        tags,
        params: IdParams,
        response: {
          201: Type.Object({
            data: IssuedDelegateTokenResource,
            included: Type.Array(DelegateTokenResource),
            meta: SaveMeta,
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const token = await authorizedToken(callerOf(request), request.params.id, "delegate-tokens.write");
      const rotated = await rotateDelegateToken(store, mutationContextOf(request), token.id);
      reply.header("cache-control", "no-store");
      return reply.code(201).send({
        data: renderIssuedDelegateToken(rotated.delegateToken, rotated.value),
        included: [renderDelegateToken(rotated.previous)],
        meta: saveMeta(rotated),
      });
    },
  );
  app.post<{ Params: Static<typeof IdParams> }>(
    "/delegate-tokens/:id/actions/revoke",
    {
      schema: {
        summary: "Revoke a delegate token: its delegates are disconnected at once, on every instance",
        tags,
        params: IdParams,
        response: { 200: singleDocument(DelegateTokenResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const token = await authorizedToken(callerOf(request), request.params.id, "delegate-tokens.write");
      return {
        data: renderDelegateToken(await revokeDelegateToken(store, mutationContextOf(request), token.id)),
      };
    },
  );
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PageQuery> }>(
    "/delegate-tokens/:id/delegates",
    {
      schema: {
        summary: "List the delegates connected with a delegate token",
        tags: ["delegates"],
        params: IdParams,
        querystring: PageQuery,
        response: { 200: listDocument(DelegateResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const token = await authorizedToken(caller, request.params.id, "delegate-tokens.read");
      const page = pageRequestOf(request.query);
      const result = await listDelegates(store, caller.organizationId, {
        delegateTokenId: token.id,
        heartbeatSince: liveSince(),
        page,
      });
      return listDocumentOf(
        result,
        result.items.map(renderDelegate),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof DelegateListQuery> }>(
    "/organizations/:org/delegates",
    {
      schema: {
        summary:
          "List connected delegates, of one space or one token with filter[space] / filter[delegate-token]",
        tags: ["delegates"],
        params: OrgParams,
        querystring: DelegateListQuery,
        response: { 200: listDocument(DelegateResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      const q = request.query;
      const spaceId = q["filter[space]"];
      const tokenId = q["filter[delegate-token]"];
      if (spaceId !== undefined) knownSpace(caller, spaceId, "/filter[space]");
      if (tokenId !== undefined) await authorizedToken(caller, tokenId, "delegate-tokens.read");
      else requirePermission(caller, "delegate-tokens.read", spaceId);
      const page = pageRequestOf(q);
      const result = await listDelegates(store, caller.organizationId, {
        heartbeatSince: liveSince(),
        page,
        ...(spaceId !== undefined ? { spaceId } : {}),
        ...(tokenId !== undefined ? { delegateTokenId: tokenId } : {}),
      });
      return listDocumentOf(
        result,
        result.items.map(renderDelegate),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    "/delegates/:id",
    {
      schema: {
        summary: "Show a connected delegate",
        tags: ["delegates"],
        params: IdParams,
        response: { 200: singleDocument(DelegateResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const delegate = await getDelegate(store, caller.organizationId, request.params.id, liveSince());
      requireVisible(caller, "delegate-tokens.read", delegate.spaceId);
      return { data: renderDelegate(delegate) };
    },
  );
}
