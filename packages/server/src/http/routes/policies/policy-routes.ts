// HTTP API, routes for policies: HCP Terraform's Policies API (seed 002) under /api/v2: create,
// list (pagination, `search[name]`, `filter[kind]`, `include=policy_sets`), show, update, delete,
// upload (octet-stream, 10 MB) and download of the Rego text. Another organization's policy is 404.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { requireOrNotFound } from "../permission-answers.js";
import { callerOrganization } from "../../../auth/resource-scope.js";
import { DomainError } from "../../../domain/domain-error.js";
import { getOrganization } from "../../../domain/organizations/organization.js";
import { createPolicy, deletePolicy, getPolicy, listPolicies, type Policy, updatePolicy } from "../../../domain/policies/policy.js";
import { downloadPolicySource, MAX_POLICY_BYTES, uploadPolicySource } from "../../../domain/policies/policy-source.js";
import { formatPolicyProblem } from "../../../domain/policies/policy-compilation.js";
import type { PolicyProblem } from "../../../domain/policies/policy-module.js";
import { storedPolicyWarnings } from "../../../domain/policies/policy-query-check.js";
import { getPolicySets } from "../../../domain/policy-sets/policy-set.js";
import { type AttributeRules, attributeGuard } from "../../jsonapi/attribute-guard.js";
import { listDocumentOf, pageRequestOf } from "../../jsonapi/json-api-document.js";
import {
  ERROR_RESPONSES,
  IdParams,
  JSON_API_MEDIA_TYPE,
  listDocument,
  OrgParams,
  PageQuery,
} from "../../jsonapi/json-api-schemas.js";
import { type ErrorObjectValue, sendErrors } from "../../plugins/error-handler.js";
import { callerOf, mutationContextOf } from "../../plugins/keygate-services.js";
import { PolicySetResource, renderPolicySet } from "../policy-sets/policy-set-representation.js";
import { CreatePolicyBody, PolicyResource, renderPolicy, UpdatePolicyBody } from "./policy-representation.js";

const IncludeQuery = Type.Object({
  include: Type.Optional(Type.String({ description: "`policy_sets`: the policy sets of the returned policies" })),
});

const PolicyListQuery = Type.Composite([
  PageQuery,
  IncludeQuery,
  Type.Object({
    "search[name]": Type.Optional(Type.String({ description: "Policies whose name contains this text" })),
    "filter[kind]": Type.Optional(Type.String({ description: "`opa` or `sentinel`" })),
  }),
]);

/** `meta.warnings`: what the author should hear about the policy's text and query (see policy-query-check.ts). */
const WarningsMeta = Type.Object({ warnings: Type.Array(Type.String()) });

const PolicyDocument = Type.Object({
  data: PolicyResource,
  included: Type.Optional(Type.Array(PolicySetResource)),
  meta: Type.Optional(WarningsMeta),
});

/** `{ meta: { warnings } }` when there are warnings, else nothing (the document stays HCP Terraform's shape). */
function warningsMeta(warnings: readonly string[]): { meta?: { warnings: string[] } } {
  return warnings.length > 0 ? { meta: { warnings: [...warnings] } } : {};
}

const ListWithIncluded = Type.Composite([
  listDocument(PolicyResource),
  Type.Object({ included: Type.Optional(Type.Array(PolicySetResource)) }),
]);

/** What `PATCH /policies/:id` may change (seed 002's Update a Policy); the rest is refused by name. */
const POLICY_UPDATE_RULES: AttributeRules = {
  type: "policies",
  allowed: ["description", "query", "enforcement-level", "enforce"],
  immutable: {
    name: "a policy's name is fixed at creation, as in HCP Terraform",
    kind: "a policy's framework is fixed at creation",
  },
};

/** The problems carried by a DomainError from compiling Rego, or undefined for any other error. */
function policyProblemsOf(error: unknown): readonly PolicyProblem[] | undefined {
  if (!(error instanceof DomainError) || error.code !== "invalid") return undefined;
  const errors = error.details?.errors;
  return Array.isArray(errors) && errors.length > 0 ? (errors as PolicyProblem[]) : undefined;
}

function problemErrorObject(problem: PolicyProblem): ErrorObjectValue {
  return {
    status: "422",
    title: "invalid policy",
    detail: formatPolicyProblem(problem),
    meta: {
      code: problem.code,
      ...(problem.location
        ? { file: problem.location.file, line: problem.location.row, column: problem.location.col }
        : {}),
    },
  };
}

function includesPolicySets(include: string | undefined): boolean {
  if (include === undefined || include === "") return false;
  const names = include.split(",").map((s) => s.trim());
  const unknown = names.find((n) => n !== "policy_sets" && n !== "policy-sets");
  if (unknown !== undefined) {
    throw new DomainError("invalid", `include supports only "policy_sets", got "${unknown}"`, { field: "include" });
  }
  return true;
}

/** Registers the policy routes (under the /api/v2 prefix). */
export async function policyRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  const tags = ["policies"];

  // Uploads are raw Rego text (HCP Terraform's upload does not use JSON:API).
  if (app.hasContentTypeParser("application/octet-stream")) app.removeContentTypeParser("application/octet-stream");
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer", bodyLimit: MAX_POLICY_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  async function organizationName(organizationId: string): Promise<string> {
    return (await getOrganization(store, organizationId)).name;
  }

  async function included(organizationId: string, policies: readonly Policy[], orgName: string) {
    const ids = [...new Set(policies.flatMap((p) => p.policySetIds))];
    return (await getPolicySets(store, organizationId, ids)).map((s) => renderPolicySet(s, orgName));
  }

  // Existence is checked before permission, so another organization's policy is 404, never 403.
  async function readablePolicy(request: FastifyRequest, policyId: string) {
    const caller = callerOf(request);
    const policy = await getPolicy(store, caller.organizationId, policyId);
    requireOrNotFound(caller, "policies.read");
    return { caller, policy };
  }

  app.post<{ Params: Static<typeof OrgParams>; Body: Static<typeof CreatePolicyBody> }>(
    "/organizations/:org/policies",
    {
      schema: {
        summary: "Create a policy (then upload its Rego text to links.upload)",
        tags,
        params: OrgParams,
        body: CreatePolicyBody,
        response: { 200: PolicyDocument, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const org = await callerOrganization(store, caller, request.params.org);
      requireOrNotFound(caller, "policies.write");
      const { attributes: a, relationships } = request.body.data;
      const policy = await createPolicy(store, mutationContextOf(request), {
        name: a.name,
        description: a.description,
        kind: a.kind,
        query: a.query,
        enforcementLevel: a["enforcement-level"],
        enforce: a.enforce,
        policySetIds: (relationships?.["policy-sets"]?.data ?? []).map((r, i) => {
          if (r.type !== "policy-sets") {
            const pointer = `/data/relationships/policy-sets/data/${i}/type`;
            throw new DomainError("invalid", `${pointer} must be "policy-sets", got ${JSON.stringify(r.type)}`, { field: pointer });
          }
          return r.id;
        }),
      });
      const warnings = await storedPolicyWarnings(store, caller.organizationId, policy.id);
      return reply.code(200).send({ data: renderPolicy(policy, org.name), ...warningsMeta(warnings) });
    },
  );

  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof PolicyListQuery> }>(
    "/organizations/:org/policies",
    {
      schema: {
        summary: "List policies",
        tags,
        params: OrgParams,
        querystring: PolicyListQuery,
        response: { 200: ListWithIncluded, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const org = await callerOrganization(store, caller, request.params.org);
      requireOrNotFound(caller, "policies.read");
      const withSets = includesPolicySets(request.query.include);
      const page = pageRequestOf(request.query);
      const search = request.query["search[name]"];
      const kind = request.query["filter[kind]"];
      if (kind !== undefined && kind !== "opa" && kind !== "sentinel") {
        throw new DomainError("invalid", `filter[kind] must be "opa" or "sentinel", got "${kind}"`, {
          field: "filter[kind]",
        });
      }
      const result = await listPolicies(store, caller.organizationId, {
        page,
        ...(search !== undefined ? { search } : {}),
        ...(kind !== undefined ? { kind } : {}),
      });
      const document = listDocumentOf(
        result,
        result.items.map((p) => renderPolicy(p, org.name)),
        page,
        request.url.split("?")[0] ?? "",
        request.query,
      );
      return withSets ? { ...document, included: await included(caller.organizationId, result.items, org.name) } : document;
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof IncludeQuery> }>(
    "/policies/:id",
    {
      schema: {
        summary: "Show a policy",
        tags,
        params: IdParams,
        querystring: IncludeQuery,
        response: { 200: PolicyDocument, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const withSets = includesPolicySets(request.query.include);
      const { caller, policy } = await readablePolicy(request, request.params.id);
      const orgName = await organizationName(caller.organizationId);
      const data = renderPolicy(policy, orgName);
      return withSets ? { data, included: await included(caller.organizationId, [policy], orgName) } : { data };
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdatePolicyBody> }>(
    "/policies/:id",
    {
      schema: {
        summary: "Update a policy's description, query or enforcement level",
        tags,
        params: IdParams,
        body: UpdatePolicyBody,
        response: { 200: PolicyDocument, ...ERROR_RESPONSES },
      },
      preValidation: attributeGuard(POLICY_UPDATE_RULES),
    },
    async (request) => {
      const caller = callerOf(request);
      await getPolicy(store, caller.organizationId, request.params.id);
      requireOrNotFound(caller, "policies.write");
      const a = request.body.data.attributes ?? {};
      const policy = await updatePolicy(store, mutationContextOf(request), request.params.id, {
        ...(a.description !== undefined ? { description: a.description } : {}),
        ...(a.query !== undefined ? { query: a.query } : {}),
        ...(a["enforcement-level"] !== undefined ? { enforcementLevel: a["enforcement-level"] } : {}),
        ...(a.enforce !== undefined ? { enforce: a.enforce } : {}),
      });
      const warnings = await storedPolicyWarnings(store, caller.organizationId, policy.id);
      return { data: renderPolicy(policy, await organizationName(caller.organizationId)), ...warningsMeta(warnings) };
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    "/policies/:id",
    {
      schema: { summary: "Delete a policy", tags, params: IdParams, response: { 204: Type.Null(), ...ERROR_RESPONSES } },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await getPolicy(store, caller.organizationId, request.params.id);
      requireOrNotFound(caller, "policies.write");
      await deletePolicy(store, mutationContextOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.put<{ Params: Static<typeof IdParams>; Body: Buffer | string }>(
    "/policies/:id/upload",
    {
      bodyLimit: MAX_POLICY_BYTES,
      schema: {
        summary: "Upload a policy's Rego text (application/octet-stream, at most 10 MB)",
        tags,
        params: IdParams,
        response: { 200: Type.Union([Type.Null(), Type.Object({ meta: WarningsMeta })]), 204: Type.Null(), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      await getPolicy(store, caller.organizationId, request.params.id);
      requireOrNotFound(caller, "policies.write");
      const body = request.body;
      if (!Buffer.isBuffer(body) && typeof body !== "string") {
        throw new DomainError("invalid", "send the Rego text as the request body with Content-Type application/octet-stream");
      }
      try {
        await uploadPolicySource(store, mutationContextOf(request), request.params.id, body);
      } catch (error) {
        const problems = policyProblemsOf(error);
        if (problems === undefined) throw error;
        // One error object per problem, each with its line and column.
        return sendErrors(reply, 422, problems.map(problemErrorObject));
      }
      // HCP Terraform answers an upload with no body; a body appears only to carry warnings.
      const warnings = await storedPolicyWarnings(store, caller.organizationId, request.params.id);
      if (warnings.length === 0) return reply.code(200).send();
      return reply.code(200).type(JSON_API_MEDIA_TYPE).send({ meta: { warnings } });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    "/policies/:id/download",
    { schema: { summary: "Download a policy's Rego text", tags, params: IdParams } },
    async (request, reply) => {
      const { caller } = await readablePolicy(request, request.params.id);
      const source = await downloadPolicySource(store, caller.organizationId, request.params.id);
      return reply.type("application/octet-stream").send(source);
    },
  );
}
