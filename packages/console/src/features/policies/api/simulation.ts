// Policies, API: recent real inputs (samples) to simulate a draft on, and the server's simulation
// for drafts the browser cannot run (builtins that need node:crypto).
import { useMutation, useQuery } from "@tanstack/react-query";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";

/** Recent inputs of an entity type (token, api-key, service-account, delegate-token, login). */
export function usePolicySamples(entityType: string) {
  return useQuery({
    queryKey: ["policy-samples", currentOrganization(), entityType],
    queryFn: () =>
      ok(
        api.GET("/api/v2/organizations/{org}/policy-samples", {
          params: { path: { org: currentOrganization() }, query: { "filter[entity-type]": entityType } },
        }),
      ),
  });
}

/** Simulates a draft on the server (POST /policy-simulations). */
export function useServerSimulation() {
  return useMutation({
    mutationFn: (input: { entityType: string; source: string; query: string; policyId?: string }) =>
      ok(
        api.POST("/api/v2/organizations/{org}/policy-simulations", {
          params: { path: { org: currentOrganization() } },
          body: {
            data: {
              type: "policy-simulations",
              attributes: {
                "entity-type": input.entityType,
                source: input.source,
                ...(input.query ? { query: input.query } : {}),
              },
              ...(input.policyId ? { relationships: { policy: { data: { id: input.policyId } } } } : {}),
            },
          },
        }),
      ),
  });
}
