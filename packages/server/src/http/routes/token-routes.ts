// HTTP API, routes: a token: show, update, delete, and the rotate (with a grace period) and
// revoke actions. The token text appears only in the rotate response.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { getApiKey } from "../../domain/api-keys/api-key.js";
import type { Permission } from "../../domain/roles/permission-catalogue.js";
import {
  deleteToken,
  getHeldToken,
  getToken,
  revokeToken,
  rotateToken,
  type Token,
  updateToken,
} from "../../domain/tokens/token.js";
import type { Caller } from "../../auth/caller.js";
import { epochMsOf, saveMeta } from "../jsonapi/json-api-document.js";
import { ERROR_RESPONSES, IdParams, SaveMeta, singleDocument } from "../jsonapi/json-api-schemas.js";
import { callerOf, mutationContextOf } from "../plugins/keygate-services.js";
import {
  IssuedTokenResource,
  RotateTokenBody,
  renderIssuedToken,
  renderToken,
  TokenResource,
  UpdateTokenBody,
} from "../representations/token-representation.js";
import { requireVisibleOnApiKey, requireVisibleOnHeldApiKey } from "./permission-answers.js";

/** Registers the token item and action routes. */
export async function tokenRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const tags = ["tokens"];

  async function authorizedToken(caller: Caller, tokenId: string, permission: Permission): Promise<Token> {
    const token = await getToken(store, caller.organizationId, tokenId);
    const key = await getApiKey(store, caller.organizationId, token.apiKeyId);
    await requireVisibleOnApiKey(store, caller, key, permission);
    return token;
  }

  app.get<{ Params: Static<typeof IdParams> }>(
    "/tokens/:id",
    {
      schema: {
        summary: "Show a token (never its secret)",
        tags,
        params: IdParams,
        response: { 200: singleDocument(TokenResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const token = await authorizedToken(callerOf(request), request.params.id, "tokens.read");
      return { data: renderToken(token) };
    },
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateTokenBody> }>(
    "/tokens/:id",
    {
      schema: {
        summary: "Update a token's name, description, tags or expiry",
        tags,
        params: IdParams,
        body: UpdateTokenBody,
        response: { 200: singleDocument(TokenResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const token = await authorizedToken(callerOf(request), request.params.id, "tokens.update");
      const a = request.body.data.attributes;
      const validTo = a["valid-to"];
      const saved = await updateToken(store, mutationContextOf(request), token.id, {
        ...(a.name !== undefined ? { name: a.name } : {}),
        ...(a.description !== undefined ? { description: a.description } : {}),
        ...(a.tags !== undefined ? { tags: a.tags } : {}),
        ...(validTo !== undefined
          ? { validTo: validTo === null ? null : epochMsOf(validTo, "/data/attributes/valid-to") }
          : {}),
      });
      return { data: renderToken(saved.token), meta: saveMeta(saved) };
    },
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    "/tokens/:id",
    {
      schema: {
        summary: "Delete a revoked or expired token (409 while it still works)",
        tags,
        params: IdParams,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const token = await authorizedToken(callerOf(request), request.params.id, "tokens.delete");
      await deleteToken(store, mutationContextOf(request), token.id);
      return reply.code(204).send();
    },
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RotateTokenBody> }>(
    "/tokens/:id/actions/rotate",
    {
      schema: {
        summary:
          "Rotate a token: a new token (text shown once); the old one works until its scheduled-expire-time",
        tags,
        params: IdParams,
        body: RotateTokenBody,
        response: {
          201: Type.Object({
            data: IssuedTokenResource,
            included: Type.Array(TokenResource),
            meta: SaveMeta,
          }),
          ...ERROR_RESPONSES,
        },
      },
      // The body is optional: no body means no grace period and the same expiry.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request, reply) => {
      const token = await authorizedToken(callerOf(request), request.params.id, "tokens.rotate");
      const a = request.body?.data?.attributes ?? {};
      const validTo = a["valid-to"];
      const rotated = await rotateToken(store, mutationContextOf(request), token.id, {
        gracePeriodMs: (a["grace-period-seconds"] ?? 0) * 1000,
        ...(validTo !== undefined
          ? { validTo: validTo === null ? null : epochMsOf(validTo, "/data/attributes/valid-to") }
          : {}),
      });
      reply.header("cache-control", "no-store");
      return reply.code(201).send({
        data: renderIssuedToken(rotated.token, rotated.value),
        included: [renderToken(rotated.previous)],
        meta: saveMeta(rotated),
      });
    },
  );
  app.post<{ Params: Static<typeof IdParams> }>(
    "/tokens/:id/actions/revoke",
    {
      schema: {
        summary: "Revoke a token: every request with it fails from now on, on every instance",
        tags,
        params: IdParams,
        response: { 200: singleDocument(TokenResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      // The token, its key and principal, loaded once: the access check and then the write use them.
      const held = await getHeldToken(store, caller.organizationId, request.params.id);
      requireVisibleOnHeldApiKey(caller, held.apiKey, held.holder, "tokens.revoke");
      const revoked = await revokeToken(store, mutationContextOf(request), held.token.id, held);
      return { data: renderToken(revoked) };
    },
  );
}
