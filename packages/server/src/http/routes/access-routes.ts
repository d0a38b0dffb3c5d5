// HTTP API, routes: "what may this key do" for an API key or a token: effective roles and
// permissions per space, with the binding, team or policy rule behind each (scenario C.6).
import type { Static } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { describeApiKeyAccess } from "../../domain/access/api-key-access.js";
import { getApiKey } from "../../domain/api-keys/api-key.js";
import { loadSpaceTree } from "../../domain/spaces/space.js";
import { getToken } from "../../domain/tokens/token.js";
import { ERROR_RESPONSES, IdParams, singleDocument } from "../jsonapi/json-api-schemas.js";
import { callerOf } from "../plugins/keygate-services.js";
import { EffectiveAccessResource, renderEffectiveAccess } from "../representations/access-representation.js";
import { requireVisibleOnApiKey } from "./permission-answers.js";

/** Registers the effective access routes. */
export async function accessRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const tags = ["access"];
  const response = { 200: singleDocument(EffectiveAccessResource), ...ERROR_RESPONSES };

  async function accessOfKey(organizationId: string, apiKeyId: string, self: string, remoteIp: string) {
    // Governance (policy helper): login-policy roles as they hold now, from the asking address.
    const described = await describeApiKeyAccess(store, organizationId, apiKeyId, { remoteIp });
    const tree = await loadSpaceTree(store, organizationId);
    return {
      data: renderEffectiveAccess(
        apiKeyId,
        described.principal,
        described.spaces,
        tree,
        self,
        described.ignoredLoginRoles,
      ),
    };
  }

  app.get<{ Params: Static<typeof IdParams> }>(
    "/api-keys/:id/effective-access",
    { schema: { summary: "What an API key may do, per space and why", tags, params: IdParams, response } },
    async (request) => {
      const caller = callerOf(request);
      const key = await getApiKey(store, caller.organizationId, request.params.id);
      await requireVisibleOnApiKey(store, caller, key, "api-keys.read");
      return accessOfKey(
        caller.organizationId,
        key.id,
        `/api/v2/api-keys/${key.id}/effective-access`,
        request.ip,
      );
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    "/tokens/:id/effective-access",
    {
      schema: {
        summary: "What a token may do (its key's principal's access), per space and why",
        tags,
        params: IdParams,
        response,
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const token = await getToken(store, caller.organizationId, request.params.id);
      const key = await getApiKey(store, caller.organizationId, token.apiKeyId);
      await requireVisibleOnApiKey(store, caller, key, "tokens.read");
      return accessOfKey(
        caller.organizationId,
        key.id,
        `/api/v2/tokens/${token.id}/effective-access`,
        request.ip,
      );
    },
  );
}
