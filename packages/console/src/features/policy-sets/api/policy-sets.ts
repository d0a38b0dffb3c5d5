// Policy sets, API: which policies apply where (global or per space) and to what (entities on
// save, or login).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";

/** The organization's policy sets. */
export function usePolicySets() {
  return useQuery({
    queryKey: ["policy-sets", currentOrganization()],
    queryFn: () =>
      ok(
        api.GET("/api/v2/organizations/{org}/policy-sets", {
          params: { path: { org: currentOrganization() }, query: { "page[size]": 100 } },
        }),
      ),
  });
}

/** What a new policy set is. */
export interface NewPolicySet {
  readonly name: string;
  readonly description: string;
  readonly global: boolean;
  readonly entityTypes: readonly string[];
  readonly policyIds: readonly string[];
  readonly spaceIds: readonly string[];
}

/** Creates a policy set. */
export function useCreatePolicySet() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: NewPolicySet) => {
      const login = input.entityTypes.includes("login");
      return ok(
        api.POST("/api/v2/organizations/{org}/policy-sets", {
          params: { path: { org: currentOrganization() } },
          body: {
            data: {
              type: "policy-sets",
              attributes: {
                name: input.name,
                kind: "opa",
                global: input.global,
                "entity-types": [...input.entityTypes],
                events: [login ? "onLogin" : "onSave"],
                ...(input.description ? { description: input.description } : {}),
              },
              relationships: {
                policies: { data: input.policyIds.map((id) => ({ type: "policies", id })) },
                ...(input.global
                  ? {}
                  : { spaces: { data: input.spaceIds.map((id) => ({ type: "spaces", id })) } }),
              },
            },
          },
        }),
      );
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["policy-sets"] });
      void client.invalidateQueries({ queryKey: ["policies"] });
    },
  });
}

/** Deletes a policy set. */
export function useDeletePolicySet() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => ok(api.DELETE("/api/v2/policy-sets/{id}", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["policy-sets"] }),
  });
}
