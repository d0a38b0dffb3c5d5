// HTTP API, routes: teams (IdP groups) and their members.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { requirePermission } from "../../auth/permission-check.js";
import { callerOrganization } from "../../auth/resource-scope.js";
import { DomainError } from "../../domain/domain-error.js";
import { createTeam, deleteTeam, getTeam, listTeams, updateTeam } from "../../domain/teams/team.js";
import { addTeamMember, listTeamMembers, removeTeamMember } from "../../domain/teams/team-membership.js";
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
import { PrincipalResource, renderPrincipal } from "../representations/principal-representation.js";
import {
  CreateTeamBody,
  renderTeam,
  TeamMembersBody,
  TeamResource,
  UpdateTeamBody,
} from "../representations/team-representation.js";
import { requireVisible } from "./permission-answers.js";

const MEMBER_TYPES = new Set(["users", "service-accounts"]);

/** Registers the team routes. */
export async function teamRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const tags = ["teams"];
  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof PageQuery> }>(
    "/organizations/:org/teams",
    {
      schema: {
        summary: "List teams",
        tags,
        params: OrgParams,
        querystring: PageQuery,
        response: { 200: listDocument(TeamResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "teams.read");
      const page = pageRequestOf(request.query);
      const result = await listTeams(store, caller.organizationId, { page });
      return listDocumentOf(
        result,
        result.items.map(renderTeam),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreateTeamBody> }>(
    "/organizations/:org/teams",
    {
      schema: {
        summary: "Create a team",
        tags,
        params: OrgParams,
        body: CreateTeamBody,
        response: { 201: singleDocument(TeamResource), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "teams.write");
      const a = request.body.data.attributes;
      const team = await createTeam(store, mutationContextOf(request), {
        name: a.name,
        ...(a.description !== undefined ? { description: a.description } : {}),
        ...(a["external-id"] !== undefined ? { externalId: a["external-id"] } : {}),
      });
      return reply.code(201).send({ data: renderTeam(team) });
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    "/teams/:id",
    {
      schema: {
        summary: "Show a team",
        tags,
        params: IdParams,
        response: { 200: singleDocument(TeamResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const team = await getTeam(store, caller.organizationId, request.params.id);
      requireVisible(caller, "teams.read");
      return { data: renderTeam(team) };
    },
  );
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateTeamBody> }>(
    "/teams/:id",
    {
      schema: {
        summary: "Update a team",
        tags,
        params: IdParams,
        body: UpdateTeamBody,
        response: { 200: singleDocument(TeamResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const team = await getTeam(store, caller.organizationId, request.params.id);
      requireVisible(caller, "teams.write");
      const a = request.body.data.attributes;
      const updated = await updateTeam(store, mutationContextOf(request), team.id, {
        ...(a.name !== undefined ? { name: a.name } : {}),
        ...(a.description !== undefined ? { description: a.description } : {}),
        ...(a["external-id"] !== undefined ? { externalId: a["external-id"] } : {}),
      });
      return { data: renderTeam(updated) };
    },
  );
  app.delete<{ Params: Static<typeof IdParams> }>(
    "/teams/:id",
    {
      schema: {
        summary: "Delete a team and its bindings",
        tags,
        params: IdParams,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const team = await getTeam(store, caller.organizationId, request.params.id);
      requireVisible(caller, "teams.write");
      await deleteTeam(store, mutationContextOf(request), team.id);
      return reply.code(204).send();
    },
  );
  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PageQuery> }>(
    "/teams/:id/members",
    {
      schema: {
        summary: "List a team's members",
        tags,
        params: IdParams,
        querystring: PageQuery,
        response: { 200: listDocument(PrincipalResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const team = await getTeam(store, caller.organizationId, request.params.id);
      requireVisible(caller, "teams.read");
      const page = pageRequestOf(request.query);
      const result = await listTeamMembers(store, caller.organizationId, team.id, { page });
      return listDocumentOf(
        result,
        result.items.map(renderPrincipal),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );
  for (const method of ["POST", "DELETE"] as const) {
    app.route<{ Params: Static<typeof IdParams>; Body: Static<typeof TeamMembersBody> }>({
      method,
      url: "/teams/:id/relationships/members",
      schema: {
        summary: method === "POST" ? "Add principals to a team" : "Remove principals from a team",
        tags,
        params: IdParams,
        body: TeamMembersBody,
        response: { 204: Type.Null(), ...ERROR_RESPONSES },
      },
      handler: async (request, reply) => {
        const caller = callerOf(request);
        const team = await getTeam(store, caller.organizationId, request.params.id);
        requireVisible(caller, "teams.write");
        const ctx = mutationContextOf(request);
        for (const [i, member] of request.body.data.entries()) {
          if (!MEMBER_TYPES.has(member.type)) {
            throw new DomainError(
              "invalid",
              `members must be of type users or service-accounts, got "${member.type}"`,
              {
                field: `/data/${i}/type`,
              },
            );
          }
          if (method === "POST") await addTeamMember(store, ctx, team.id, member.id);
          else await removeTeamMember(store, ctx, team.id, member.id);
        }
        return reply.code(204).send();
      },
    });
  }
}
