// HTTP API, routes for policy sets: create, list, show, update, delete; add and remove policies
// (`relationships/policies`), attach and detach spaces (`relationships/spaces`). Another
// organization's policy set is 404.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { requireOrNotFound } from "../permission-answers.js";
import { callerOrganization } from "../../../auth/resource-scope.js";
import { DomainError } from "../../../domain/domain-error.js";
import { getOrganization } from "../../../domain/organizations/organization.js";
import {
  addPoliciesToSet,
  attachPolicySetToSpaces,
  createPolicySet,
  deletePolicySet,
  detachPolicySetFromSpaces,
  getPolicySet,
  listPolicySets,
  removePoliciesFromSet,
  updatePolicySet,
} from "../../../domain/policy-sets/policy-set.js";
import { type AttributeRules, attributeGuard } from "../../jsonapi/attribute-guard.js";
import { listDocumentOf, pageRequestOf } from "../../jsonapi/json-api-document.js";
import { ERROR_RESPONSES, IdParams, listDocument, OrgParams, PageQuery } from "../../jsonapi/json-api-schemas.js";
import { callerOf, mutationContextOf } from "../../plugins/keygate-services.js";
import {
  CreatePolicySetBody,
  PolicySetResource,
  RelationshipBody,
  renderPolicySet,
  UpdatePolicySetBody,
} from "./policy-set-representation.js";

const PolicySetListQuery = Type.Composite([
  PageQuery,
  Type.Object({ "search[name]": Type.Optional(Type.String({ description: "Sets whose name contains this text" })) }),
]);

const PolicySetDocument = Type.Object({ data: PolicySetResource });

/** What `PATCH /policy-sets/:id` may change; any other attribute is refused by name. */
const POLICY_SET_UPDATE_RULES: AttributeRules = {
  type: "policy-sets",
  allowed: ["name", "description", "kind", "global", "entity-types", "events"],
  immutable: {},
};

function idsOfType(body: Static<typeof RelationshipBody>, type: string): string[] {
  return body.data.map((r, i) => {
    if (r.type !== type) {
      throw new DomainError("invalid", `data[${i}].type must be "${type}", got "${r.type}"`, { field: `/data/${i}/type` });
    }
    return r.id;
  });
}

/** Registers the policy set routes (under the /api/v2 prefix). */
export async function policySetRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const tags = ["policy-sets"];

  async function organizationName(organizationId: string): Promise<string> {
    return (await getOrganization(store, organizationId)).name;
  }

  // Existence before permission: another organization's set is 404, never 403.
  async function setOf(request: FastifyRequest, setId: string, permission: "policy-sets.read" | "policy-sets.write") {
    const caller = callerOf(request);
    const set = await getPolicySet(store, caller.organizationId, setId);
    requireOrNotFound(caller, permission);
    return { caller, set };
  }

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreatePolicySetBody> }>(
    "/organizations/:org/policy-sets",
    {
      schema: {
        summary: "Create a policy set (global, or attached to spaces) for entity types and events, or for login",
        tags,
        params: OrgParams,
        body: CreatePolicySetBody,
        response: { 201: PolicySetDocument, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const org = await callerOrganization(store, caller, request.params.org);
      requireOrNotFound(caller, "policy-sets.write");
      const { attributes: a, relationships: r } = request.body.data;
      const set = await createPolicySet(store, mutationContextOf(request), {
        name: a.name,
        description: a.description,
        global: a.global,
        entityTypes: a["entity-types"],
        events: a.events,
        policyIds: (r?.policies?.data ?? []).map((x) => x.id),
        spaceIds: (r?.spaces?.data ?? []).map((x) => x.id),
      });
      return reply.code(201).send({ data: renderPolicySet(set, org.name) });
    },
  );

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof PolicySetListQuery> }>(
    "/organizations/:org/policy-sets",
    {
      schema: {
        summary: "List policy sets",
        tags,
        params: OrgParams,
        querystring: PolicySetListQuery,
        response: { 200: listDocument(PolicySetResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const org = await callerOrganization(store, caller, request.params.org);
      requireOrNotFound(caller, "policy-sets.read");
      const page = pageRequestOf(request.query);
      const search = request.query["search[name]"];
      const result = await listPolicySets(store, caller.organizationId, { page, ...(search !== undefined ? { search } : {}) });
      return listDocumentOf(
        result,
        result.items.map((s) => renderPolicySet(s, org.name)),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/policy-sets/:id",
    { schema: { summary: "Show a policy set", tags, params: IdParams, response: { 200: PolicySetDocument, ...ERROR_RESPONSES } } },
    async (request) => {
      const { caller, set } = await setOf(request, request.params.id, "policy-sets.read");
      return { data: renderPolicySet(set, await organizationName(caller.organizationId)) };
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdatePolicySetBody> }>(
    "/policy-sets/:id",
    {
      schema: {
        summary: "Update a policy set's name, description, scope or targets",
        tags,
        params: IdParams,
        body: UpdatePolicySetBody,
        response: { 200: PolicySetDocument, ...ERROR_RESPONSES },
      },
      preValidation: attributeGuard(POLICY_SET_UPDATE_RULES),
    },
    async (request) => {
      const { caller } = await setOf(request, request.params.id, "policy-sets.write");
      const a = request.body.data.attributes ?? {};
      const set = await updatePolicySet(store, mutationContextOf(request), request.params.id, {
        ...(a.name !== undefined ? { name: a.name } : {}),
        ...(a.description !== undefined ? { description: a.description } : {}),
        ...(a.global !== undefined ? { global: a.global } : {}),
        ...(a["entity-types"] !== undefined ? { entityTypes: a["entity-types"] } : {}),
        ...(a.events !== undefined ? { events: a.events } : {}),
      });
      return { data: renderPolicySet(set, await organizationName(caller.organizationId)) };
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    "/policy-sets/:id",
    { schema: { summary: "Delete a policy set", tags, params: IdParams, response: { 204: Type.Null(), ...ERROR_RESPONSES } } },
    async (request, reply) => {
      await setOf(request, request.params.id, "policy-sets.write");
      await deletePolicySet(store, mutationContextOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  const relationship = (
    path: string,
    summary: string,
    type: string,
    change: typeof addPoliciesToSet,
    method: "post" | "delete",
  ) => {
    app[method]<{ Params: Static<typeof IdParams>; Body: Static<typeof RelationshipBody> }>(
      path,
      { schema: { summary, tags, params: IdParams, body: RelationshipBody, response: { 204: Type.Null(), ...ERROR_RESPONSES } } },
      async (request, reply) => {
        await setOf(request, request.params.id, "policy-sets.write");
        await change(store, mutationContextOf(request), request.params.id, idsOfType(request.body, type));
        return reply.code(204).send();
      },
    );
  };
  relationship("/policy-sets/:id/relationships/policies", "Add policies to a policy set", "policies", addPoliciesToSet, "post");
  relationship(
    "/policy-sets/:id/relationships/policies",
    "Remove policies from a policy set",
    "policies",
    removePoliciesFromSet,
    "delete",
  );
  relationship(
    "/policy-sets/:id/relationships/spaces",
    "Attach a policy set to spaces (it applies to each and everything below)",
    "spaces",
    attachPolicySetToSpaces,
    "post",
  );
  relationship(
    "/policy-sets/:id/relationships/spaces",
    "Detach a policy set from spaces",
    "spaces",
    detachPolicySetFromSpaces,
    "delete",
  );
}
