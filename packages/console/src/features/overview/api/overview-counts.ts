// Overview, API: the counts on the overview page, each one list request read for its total. Each
// count stands alone: one that fails shows as unknown without hiding the others.
import { useQuery } from "@tanstack/react-query";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";

const DAY = 86_400_000;

/** A count, or the reason it is unknown. */
export type Count = { readonly value: number } | { readonly error: string };

/** One list's total count, from `meta.pagination.total-count` (a one-item page). */
async function count(call: Promise<{ meta?: { pagination?: Record<string, unknown> } }>): Promise<Count> {
  try {
    const document = await call;
    return { value: Number(document.meta?.pagination?.["total-count"] ?? 0) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** The organization's headline numbers, and its recent refusals. */
export function useOverviewCounts() {
  return useQuery({
    queryKey: ["overview", currentOrganization()],
    queryFn: async () => {
      const org = currentOrganization();
      const page = { "page[size]": 1 };
      const now = Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      const tokens = (query: {
        "filter[expires-before]"?: string;
        "filter[never-used]"?: boolean;
        "filter[last-used-before]"?: string;
      }) =>
        count(
          ok(
            api.GET("/api/v2/organizations/{org}/tokens", {
              params: { path: { org }, query: { ...page, "filter[status]": "active", ...query } },
            }),
          ),
        );
      const [
        serviceAccounts,
        users,
        activeTokens,
        expiringIn7Days,
        expiringIn30Days,
        neverUsed,
        unusedFor90Days,
        policies,
      ] = await Promise.all([
        count(
          ok(
            api.GET("/api/v2/organizations/{org}/service-accounts", {
              params: { path: { org }, query: page },
            }),
          ),
        ),
        count(ok(api.GET("/api/v2/organizations/{org}/users", { params: { path: { org }, query: page } }))),
        tokens({}),
        tokens({ "filter[expires-before]": iso(now + 7 * DAY) }),
        tokens({ "filter[expires-before]": iso(now + 30 * DAY) }),
        tokens({ "filter[never-used]": true }),
        tokens({ "filter[last-used-before]": iso(now - 90 * DAY) }),
        count(
          ok(api.GET("/api/v2/organizations/{org}/policies", { params: { path: { org }, query: page } })),
        ),
      ]);
      const [deniedSaves, deniedLogins] = await Promise.all([
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
        serviceAccounts,
        users,
        activeTokens,
        expiringIn7Days,
        expiringIn30Days,
        neverUsed,
        unusedFor90Days,
        policies,
        deniedSaves: deniedSaves.data,
        deniedLogins: deniedLogins.data,
      };
    },
  });
}
