// HTTP API, routes for policy sets: create, list, show, update, delete; add and remove policies
// (`relationships/policies`), attach and detach spaces (`relationships/spaces`). Another
// organization's policy set is 404.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { requireOrNotFound } from "../permission-answers.js";
import { callerOrganization } from "../../../auth/resource-scope.js";
import { DomainError } from "../../../domain/domain-error.js";
import { getOrganization } from "../../../domain/organizations/organization.js";
import { getPolicies } from "../../../domain/policies/policy.js";
import {
  addPoliciesToSet,
  attachPolicySetToSpaces,
  createPolicySet,
  deletePolicySet,
  detachPolicySetFromSpaces,
  getPolicySet,
  listPolicySets,
  type PolicySet,
  removePoliciesFromSet,
  updatePolicySet,
} from "../../../domain/policy-sets/policy-set.js";
import { type AttributeRules, attributeGuard } from "../../jsonapi/attribute-guard.js";
import { listDocumentOf, pageRequestOf } from "../../jsonapi/json-api-document.js";
import { ERROR_RESPONSES, IdParams, listDocument, OrgParams, PageQuery } from "../../jsonapi/json-api-schemas.js";
import { callerOf, mutationContextOf } from "../../plugins/keygate-services.js";
import { PolicyResource, renderPolicy } from "../policies/policy-representation.js";
import {
  CreatePolicySetBody,
  PolicySetResource,
  RelationshipBody,
  renderPolicySet,
  UpdatePolicySetBody,
} from "./policy-set-representation.js";

const IncludeQuery = Type.Object({
  include: Type.Optional(Type.String({ description: "`policies`: the policies of the returned policy sets" })),
});

const PolicySetListQuery = Type.Composite([
  PageQuery,
  IncludeQuery,
  Type.Object({ "search[name]": Type.Optional(Type.String({ description: "Sets whose name contains this text" })) }),
]);

const PolicySetDocument = Type.Object({ data: PolicySetResource, included: Type.Optional(Type.Array(PolicyResource)) });

const ListWithIncluded = Type.Composite([
  listDocument(PolicySetResource),
  Type.Object({ included: Type.Optional(Type.Array(PolicyResource)) }),
]);

/** True when `include` asks for the policies (the only related resource offered); 422 naming any other. */
function includesPolicies(include: string | undefined): boolean {
  if (include === undefined || include === "") return false;
  const unknown = include
    .split(",")
    .map((s) => s.trim())
    .find((n) => n !== "policies");
  if (unknown !== undefined) {
    throw new DomainError("invalid", `include supports only "policies", got "${unknown}"`, { field: "include" });
  }
  return true;
}

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

  async function included(organizationId: string, sets: readonly PolicySet[], orgName: string) {
    const ids = [...new Set(sets.flatMap((s) => s.policyIds))];
    return (await getPolicies(store, organizationId, ids)).map((p) => renderPolicy(p, orgName));
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
        response: { 200: ListWithIncluded, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const org = await callerOrganization(store, caller, request.params.org);
      requireOrNotFound(caller, "policy-sets.read");
      const withPolicies = includesPolicies(request.query.include);
      const page = pageRequestOf(request.query);
      const search = request.query["search[name]"];
      const result = await listPolicySets(store, caller.organizationId, { page, ...(search !== undefined ? { search } : {}) });
      const document = listDocumentOf(
        result,
        result.items.map((s) => renderPolicySet(s, org.name)),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
      return withPolicies ? { ...document, included: await included(caller.organizationId, result.items, org.name) } : document;
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof IncludeQuery> }>(
    "/policy-sets/:id",
    {
      schema: {
        summary: "Show a policy set",
        tags,
        params: IdParams,
        querystring: IncludeQuery,
        response: { 200: PolicySetDocument, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const withPolicies = includesPolicies(request.query.include);
      const { caller, set } = await setOf(request, request.params.id, "policy-sets.read");
      const orgName = await organizationName(caller.organizationId);
      const data = renderPolicySet(set, orgName);
      return withPolicies ? { data, included: await included(caller.organizationId, [set], orgName) } : { data };
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
