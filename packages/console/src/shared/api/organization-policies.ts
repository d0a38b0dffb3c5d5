// Shared, API: the organization's policies, read by the policies pages and to choose a policy
// set's members (one query, one cache entry).
import { useQuery } from "@tanstack/react-query";
import { api, currentOrganization, ok } from "./api-client";

/** The organization's policies (first 100). */
export function useOrganizationPolicies() {
  return useQuery({
    queryKey: ["policies", currentOrganization()],
    queryFn: () =>
      ok(
        api.GET("/api/v2/organizations/{org}/policies", {
          params: { path: { org: currentOrganization() }, query: { "page[size]": 100 } },
        }),
      ),
  });
}
