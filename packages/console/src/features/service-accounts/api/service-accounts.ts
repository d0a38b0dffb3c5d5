// Service accounts, API: service accounts, their API keys, and one key.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";

/** The organization's service accounts (a page of 100). */
export function useServiceAccounts() {
  return useQuery({
    queryKey: ["service-accounts", currentOrganization()],
    queryFn: () =>
      ok(
        api.GET("/api/v2/organizations/{org}/service-accounts", {
          params: { path: { org: currentOrganization() }, query: { "page[size]": 100 } },
        }),
      ),
  });
}

/** One service account. */
export function useServiceAccount(id: string) {
  return useQuery({
    queryKey: ["service-account", id],
    queryFn: () => ok(api.GET("/api/v2/service-accounts/{id}", { params: { path: { id } } })),
  });
}

/** Creates a service account in a space. */
export function useCreateServiceAccount() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; description: string; spaceId: string }) =>
      ok(
        api.POST("/api/v2/organizations/{org}/service-accounts", {
          params: { path: { org: currentOrganization() } },
          body: {
            data: {
              type: "service-accounts",
              attributes: {
                name: input.name,
                ...(input.description ? { description: input.description } : {}),
              },
              ...(input.spaceId ? { relationships: { space: { data: { id: input.spaceId } } } } : {}),
            },
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["service-accounts"] }),
  });
}

/** A service account's API keys. */
export function useApiKeys(serviceAccountId: string) {
  return useQuery({
    queryKey: ["api-keys", serviceAccountId],
    queryFn: () =>
      ok(
        api.GET("/api/v2/service-accounts/{id}/api-keys", {
          params: { path: { id: serviceAccountId }, query: { "page[size]": 100 } },
        }),
      ),
  });
}

/** Creates an API key for a service account. */
export function useCreateApiKey(serviceAccountId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; description: string }) =>
      ok(
        api.POST("/api/v2/service-accounts/{id}/api-keys", {
          params: { path: { id: serviceAccountId } },
          body: {
            data: {
              type: "api-keys",
              attributes: {
                name: input.name,
                ...(input.description ? { description: input.description } : {}),
              },
            },
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["api-keys", serviceAccountId] }),
  });
}
