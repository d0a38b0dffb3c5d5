// Overview, API: the counts on the overview page, each one list request read for its total.
import { useQuery } from "@tanstack/react-query";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";

const DAY = 86_400_000;

/** One list's total count, from `meta.pagination.total-count` (a one-item page). */
function total(document: { meta?: { pagination?: Record<string, unknown> } }): number {
  return Number(document.meta?.pagination?.["total-count"] ?? 0);
}

/** The organization's headline numbers. */
export function useOverviewCounts() {
  return useQuery({
    queryKey: ["overview", currentOrganization()],
    queryFn: async () => {
      const org = currentOrganization();
      const page = { "page[size]": 1 };
      const now = Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      const tokens = (query: Record<string, string | number>) =>
        ok(
          api.GET("/api/v2/organizations/{org}/tokens", {
            params: { path: { org }, query: { ...page, ...query } },
          }),
        );
      const [
        serviceAccounts,
        users,
        active,
        in7,
        in30,
        neverUsed,
        unused90,
        policies,
        deniedSaves,
        deniedLogins,
      ] = await Promise.all([
        ok(
          api.GET("/api/v2/organizations/{org}/service-accounts", { params: { path: { org }, query: page } }),
        ),
        ok(api.GET("/api/v2/organizations/{org}/users", { params: { path: { org }, query: page } })),
        tokens({ "filter[status]": "active" }),
        tokens({ "filter[status]": "active", "filter[expires-before]": iso(now + 7 * DAY) }),
        tokens({ "filter[status]": "active", "filter[expires-before]": iso(now + 30 * DAY) }),
        tokens({ "filter[status]": "active", "filter[never-used]": "true" }),
        tokens({ "filter[status]": "active", "filter[last-used-before]": iso(now - 90 * DAY) }),
        ok(api.GET("/api/v2/organizations/{org}/policies", { params: { path: { org }, query: page } })),
        ok(
          api.GET("/api/v2/organizations/{org}/policy-evaluations", {
            params: { path: { org }, query: { "page[size]": 5, "filter[outcome]": "denied" } },
          }),
        ),
        ok(
          api.GET("/api/v2/organizations/{org}/audit-events", {
            params: { path: { org }, query: { "page[size]": 5, "filter[action]": "login.denied" } },
          }),
        ),
      ]);
      return {
        serviceAccounts: total(serviceAccounts),
        users: total(users),
        activeTokens: total(active),
        expiringIn7Days: total(in7),
        expiringIn30Days: total(in30),
        neverUsed: total(neverUsed),
        unusedFor90Days: total(unused90),
        policies: total(policies),
        deniedSaves: deniedSaves.data,
        deniedLogins: deniedLogins.data,
      };
    },
  });
}
