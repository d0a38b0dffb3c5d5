// Audit, API: the audit log (filters: actor, action, resource, outcome, time range; paging) and one event.
import { useQuery } from "@tanstack/react-query";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";

/** Filters of the audit log, as the API names them. */
export interface AuditFilters {
  readonly actor?: string;
  readonly action?: string;
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly outcome?: string;
  readonly since?: string;
  readonly until?: string;
  readonly page?: number;
}

/** A page of audit events, newest first. */
export function useAuditEvents(filters: AuditFilters) {
  return useQuery({
    queryKey: ["audit-events", currentOrganization(), filters],
    queryFn: () =>
      ok(
        api.GET("/api/v2/organizations/{org}/audit-events", {
          params: {
            path: { org: currentOrganization() },
            query: {
              "page[size]": 25,
              "page[number]": filters.page ?? 1,
              ...(filters.actor ? { "filter[actor]": filters.actor } : {}),
              ...(filters.action ? { "filter[action]": filters.action } : {}),
              ...(filters.resourceType ? { "filter[resource-type]": filters.resourceType } : {}),
              ...(filters.resourceId ? { "filter[resource-id]": filters.resourceId } : {}),
              ...(filters.outcome
                ? { "filter[outcome]": filters.outcome as "success" | "denied" | "failure" }
                : {}),
              ...(filters.since ? { "filter[since]": filters.since } : {}),
              ...(filters.until ? { "filter[until]": filters.until } : {}),
            },
          },
        }),
      ),
  });
}

/** One audit event. */
export function useAuditEvent(id: string) {
  return useQuery({
    queryKey: ["audit-event", id],
    queryFn: () => ok(api.GET("/api/v2/audit-events/{id}", { params: { path: { id } } })),
  });
}
