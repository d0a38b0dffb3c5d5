// HTTP API, routes: invitations. An admin (users.write, and holding everything the invited user
// may do) invites a user and gets a one-time link; the link's holder previews it and accepts it,
// minting the user's first personal token (shown once). Unknown, used or revoked secrets answer
// 404, expired ones 410; each such attempt counts in the failed-authentication limit.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { requirePermission } from "../../auth/permission-check.js";
import { callerOrganization } from "../../auth/resource-scope.js";
import { resolveEffectiveAccess } from "../../domain/access/effective-access.js";
import type { Actor, MutationContext } from "../../domain/audit/actor.js";
import { DomainError } from "../../domain/domain-error.js";
import {
  type AcceptanceChange,
  acceptInvitation,
  createInvitation,
  getInvitation,
  type InvitationStatus,
  invitedUserOf,
  listInvitations,
  previewInvitation,
  revokeInvitation,
} from "../../domain/invitations/invitation.js";
import { createPolicySaveGuard } from "../../domain/policy-evaluations/enforcement.js";
import type { User } from "../../domain/principals/principal.js";
import { writeContext } from "../../write-path/write-path.js";
import { epochMsOf, isoTime, listDocumentOf, pageRequestOf, saveMeta } from "../jsonapi/json-api-document.js";
import {
  ERROR_RESPONSES,
  IdParams,
  listDocument,
  OrgParams,
  PageQuery,
  SaveMeta,
  singleDocument,
} from "../jsonapi/json-api-schemas.js";
import { RequestError } from "../jsonapi/request-error.js";
import { callerOf, mutationContextOf } from "../plugins/keygate-services.js";
import { cameOverTls } from "../plugins/session-cookie.js";
import {
  AcceptedTokenResource,
  CreatedInvitationResource,
  CreateInvitationBody,
  InvitationAcceptanceBody,
  InvitationPreviewBody,
  InvitationPreviewResource,
  InvitationResource,
  InvitationStatusSchema,
  renderAcceptedToken,
  renderCreatedInvitation,
  renderInvitation,
} from "../representations/invitation-representation.js";

const InvitationListQuery = Type.Composite([
  PageQuery,
  Type.Object({
    "filter[status]": Type.Optional(InvitationStatusSchema),
    "filter[user]": Type.Optional(Type.String({ maxLength: 200 })),
  }),
]);

/** The origin the console is reached at, as the client sees it (proto and host per trusted-proxy settings). */
function originOf(request: FastifyRequest): string {
  return `${cameOverTls(request) ? "https" : "http"}://${request.host}`;
}

/** Answers an unusable secret: 404 (unknown, used, revoked) or 410 (expired), counted as a failed authentication. */
function refuseSecret(request: FastifyRequest, outcome: "unknown" | "expired"): never {
  const error =
    outcome === "expired"
      ? new RequestError(410, "this invitation has expired; ask an admin for a new one", {
          pointer: "/data/attributes/secret",
        })
      : new RequestError(
          404,
          "no open invitation has this secret (it is unknown, was already used, or was revoked)",
          { pointer: "/data/attributes/secret" },
        );
  // Counted like a bad token, so secrets cannot be guessed at speed (throws 429 once over the limit).
  request.server.keygate.authenticator.recordFailure(
    new DomainError("unauthenticated", error.message, { details: { reason: `invitation-${outcome}` } }),
    request.ip,
  );
  throw error;
}

/** The invited user's own write context: the acceptance acts as them, judged by policies on save. */
async function invitedUserContext(
  request: FastifyRequest,
  user: User,
): Promise<MutationContext<AcceptanceChange>> {
  const { store, policyEvaluator, guard } = request.server.keygate;
  const actor: Actor = { principalId: user.id, ip: request.ip, via: "api" };
  const access = await resolveEffectiveAccess(store, user.organizationId, user.id);
  return writeContext(store, {
    organizationId: user.organizationId,
    actor,
    authority: { kind: "principal", principalId: user.id, access },
    saveGuard: guard ?? createPolicySaveGuard(store, actor, undefined, policyEvaluator),
  });
}

/** Registers the invitation routes. */
export async function invitationRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const tags = ["invitations"];

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreateInvitationBody> }>(
    "/organizations/:org/invitations",
    {
      schema: {
        summary:
          "Invite a user: a one-time link (secret shown once) to mint their first personal token; revokes their previous open invitation",
        tags,
        params: OrgParams,
        body: CreateInvitationBody,
        response: { 201: singleDocument(CreatedInvitationResource), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "users.write");
      const { data } = request.body;
      if (data.relationships.user.data.type !== "users") {
        throw new DomainError("invalid", "the invited principal must be a user (type users)", {
          field: "/data/relationships/user/data/type",
        });
      }
      const hours = data.attributes?.["expires-in-hours"];
      const created = await createInvitation(store, mutationContextOf(request), {
        userId: data.relationships.user.data.id,
        ...(hours !== undefined ? { expiresInHours: hours } : {}),
      });
      reply.header("cache-control", "no-store");
      const url = `${originOf(request)}/invite#${created.secret}`;
      return reply.code(201).send({ data: renderCreatedInvitation(created.invitation, created.secret, url) });
    },
  );

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof InvitationListQuery> }>(
    "/organizations/:org/invitations",
    {
      schema: {
        summary: "List the organization's invitations, newest first",
        tags,
        params: OrgParams,
        querystring: InvitationListQuery,
        response: { 200: listDocument(InvitationResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "users.read");
      const page = pageRequestOf(request.query);
      const status = request.query["filter[status]"] as InvitationStatus | undefined;
      const userId = request.query["filter[user]"];
      const result = await listInvitations(store, caller.organizationId, {
        page,
        ...(status !== undefined ? { status } : {}),
        ...(userId !== undefined ? { userId } : {}),
      });
      return listDocumentOf(
        result,
        result.items.map(renderInvitation),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/invitations/:id",
    {
      schema: {
        summary: "Show an invitation (never its secret)",
        tags,
        params: IdParams,
        response: { 200: singleDocument(InvitationResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const invitation = await getInvitation(store, caller.organizationId, request.params.id);
      requirePermission(caller, "users.read");
      return { data: renderInvitation(invitation) };
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    "/invitations/:id/actions/revoke",
    {
      schema: {
        summary: "Revoke an invitation: its link stops working (409 once accepted)",
        tags,
        params: IdParams,
        response: { 200: singleDocument(InvitationResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const invitation = await getInvitation(store, caller.organizationId, request.params.id);
      requirePermission(caller, "users.write");
      const revoked = await revokeInvitation(store, mutationContextOf(request), invitation.id);
      return { data: renderInvitation(revoked) };
    },
  );

  app.post<{ Body: Static<typeof InvitationPreviewBody> }>(
    "/invitation-previews",
    {
      schema: {
        summary:
          "What an invitation secret is for (no credential): the user's name, the organization, the expiry",
        tags,
        body: InvitationPreviewBody,
        response: { 200: Type.Object({ data: InvitationPreviewResource }), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const preview = await previewInvitation(store, request.body.data.attributes.secret.trim());
      reply.header("cache-control", "no-store");
      switch (preview.outcome) {
        case "unknown":
        case "expired":
          return refuseSecret(request, preview.outcome);
        case "pending":
          return {
            data: {
              id: preview.invitation.id,
              type: "invitation-previews" as const,
              attributes: {
                "user-name": preview.userName,
                organization: preview.organizationName,
                "expires-at": isoTime(preview.invitation.expiresAt) ?? "",
              },
            },
          };
      }
    },
  );

  app.post<{ Body: Static<typeof InvitationAcceptanceBody> }>(
    "/invitation-acceptances",
    {
      schema: {
        summary:
          "Accept an invitation (no credential): mints the invited user's personal token, shown once; single use",
        tags,
        body: InvitationAcceptanceBody,
        response: {
          201: Type.Object({ data: AcceptedTokenResource, meta: SaveMeta }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const a = request.body.data.attributes;
      const secret = a.secret.trim();
      const expiresAt = a["token-expires-at"];
      const invited = await invitedUserOf(store, secret);
      if (invited.outcome !== "pending") return refuseSecret(request, invited.outcome);
      const ctx = await invitedUserContext(request, invited.user);
      const accepted = await acceptInvitation(store, ctx, {
        secret,
        ...(a["token-description"] !== undefined ? { tokenDescription: a["token-description"] } : {}),
        ...(expiresAt !== undefined
          ? { tokenExpiresAt: epochMsOf(expiresAt, "/data/attributes/token-expires-at") }
          : {}),
      });
      switch (accepted.outcome) {
        case "unknown":
        case "expired":
          return refuseSecret(request, accepted.outcome);
        case "accepted":
          reply.header("cache-control", "no-store");
          return reply.code(201).send({
            data: renderAcceptedToken(accepted.issued.token, accepted.issued.value),
            meta: saveMeta(accepted.issued),
          });
      }
    },
  );
}
