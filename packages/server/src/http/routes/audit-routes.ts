// HTTP API, routes: the audit log of an organization, filtered by actor, resource, action,
// outcome and time.
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { requirePermission } from "../../auth/permission-check.js";
import { callerOrganization } from "../../auth/resource-scope.js";
import { getAuditEvent, listAuditEvents } from "../../domain/audit/audit-event.js";
import { listDocumentOf, pageRequestOf } from "../jsonapi/json-api-document.js";
import {
  ERROR_RESPONSES,
  IdParams,
  listDocument,
  OrgParams,
  PageQuery,
  singleDocument,
} from "../jsonapi/json-api-schemas.js";
import { timeParameterOf } from "../jsonapi/query-parameters.js";
import { callerOf } from "../plugins/keygate-services.js";
import {
  AuditEventQuery,
  AuditEventResource,
  renderAuditEvent,
} from "../representations/audit-event-representation.js";
import { requireVisible } from "./permission-answers.js";

const AuditListQuery = Type.Composite([PageQuery, AuditEventQuery]);

/** Registers the audit routes. */
export async function auditRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.keygate;
  app.get<{ Params: Static<typeof OrgParams>; Querystring: Static<typeof AuditListQuery> }>(
    "/organizations/:org/audit-events",
    {
      schema: {
        summary: "List audit events, newest first",
        tags: ["audit"],
        params: OrgParams,
        querystring: AuditListQuery,
        response: { 200: listDocument(AuditEventResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      await callerOrganization(store, caller, request.params.org);
      requirePermission(caller, "audit.read");
      const q = request.query;
      const page = pageRequestOf(q);
      const since = timeParameterOf(q["filter[since]"], "filter[since]");
      const until = timeParameterOf(q["filter[until]"], "filter[until]");
      const result = await listAuditEvents(store, caller.organizationId, {
        page,
        ...(q["filter[actor]"] !== undefined ? { actor: q["filter[actor]"] } : {}),
        ...(q["filter[resource-type]"] !== undefined ? { resourceType: q["filter[resource-type]"] } : {}),
        ...(q["filter[resource-id]"] !== undefined ? { resourceId: q["filter[resource-id]"] } : {}),
        ...(q["filter[action]"] !== undefined ? { action: q["filter[action]"] } : {}),
        ...(q["filter[outcome]"] !== undefined ? { outcome: q["filter[outcome]"] } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
      });
      return listDocumentOf(
        result,
        result.items.map(renderAuditEvent),
        page,
        request.url.split("?")[0] ?? "",
        q,
      );
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    "/audit-events/:id",
    {
      schema: {
        summary: "Show one audit event",
        tags: ["audit"],
        params: IdParams,
        response: { 200: singleDocument(AuditEventResource), ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      const event = await getAuditEvent(store, caller.organizationId, request.params.id);
      requireVisible(caller, "audit.read");
      return { data: renderAuditEvent(event) };
    },
  );
}
