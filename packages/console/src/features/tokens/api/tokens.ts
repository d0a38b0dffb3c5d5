// Tokens, API: lists (of a key, of the organization with filters and sort), create, rotate, revoke, delete.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";

/** The orders the token list can be sorted in (`-` for descending). */
export type TokenSort =
  | "created-at"
  | "-created-at"
  | "expires-at"
  | "-expires-at"
  | "last-used-at"
  | "-last-used-at";

/** The filters and sort of the organization's token list (as the API names them). */
export interface TokenFilters {
  readonly status?: string;
  readonly expiresBefore?: string;
  readonly expiresAfter?: string;
  readonly lastUsedBefore?: string;
  readonly neverUsed?: boolean;
  readonly sort?: string;
  readonly page?: number;
}

/** The organization's tokens, filtered and sorted, 25 per page. */
export function useOrganizationTokens(filters: TokenFilters) {
  return useQuery({
    queryKey: ["tokens", currentOrganization(), filters],
    queryFn: () =>
      ok(
        api.GET("/api/v2/organizations/{org}/tokens", {
          params: {
            path: { org: currentOrganization() },
            query: {
              "page[size]": 25,
              "page[number]": filters.page ?? 1,
              ...(filters.status
                ? { "filter[status]": filters.status as "active" | "rotated" | "expired" | "revoked" }
                : {}),
              ...(filters.expiresBefore ? { "filter[expires-before]": filters.expiresBefore } : {}),
              ...(filters.expiresAfter ? { "filter[expires-after]": filters.expiresAfter } : {}),
              ...(filters.lastUsedBefore ? { "filter[last-used-before]": filters.lastUsedBefore } : {}),
              ...(filters.neverUsed ? { "filter[never-used]": true } : {}),
              ...(filters.sort ? { sort: filters.sort as TokenSort } : {}),
            },
          },
        }),
      ),
  });
}

/** An API key's tokens. */
export function useKeyTokens(apiKeyId: string) {
  return useQuery({
    queryKey: ["tokens", "key", apiKeyId],
    queryFn: () =>
      ok(
        api.GET("/api/v2/api-keys/{id}/tokens", {
          params: { path: { id: apiKeyId }, query: { "page[size]": 100 } },
        }),
      ),
  });
}

/** What a new token gets. */
export interface NewToken {
  readonly name: string;
  readonly description: string;
  readonly validTo: string | null;
  readonly tags: Readonly<Record<string, string>>;
}

/** Creates a token under a key; the answer holds its secret, shown once. */
export function useCreateToken(apiKeyId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: NewToken) =>
      ok(
        api.POST("/api/v2/api-keys/{id}/tokens", {
          params: { path: { id: apiKeyId } },
          body: {
            data: {
              type: "tokens",
              attributes: {
                name: input.name,
                ...(input.description ? { description: input.description } : {}),
                tags: { ...input.tags },
                "valid-to": input.validTo,
              },
            },
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["tokens"] }),
  });
}

/** Rotates a token: a new secret (shown once); the old one works for the grace period. */
export function useRotateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; graceSeconds: number }) =>
      ok(
        api.POST("/api/v2/tokens/{id}/actions/rotate", {
          params: { path: { id: input.id } },
          body: { data: { type: "tokens", attributes: { "grace-period-seconds": input.graceSeconds } } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["tokens"] }),
  });
}

/** Revokes a token everywhere at once. */
export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      ok(api.POST("/api/v2/tokens/{id}/actions/revoke", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["tokens"] }),
  });
}

/** Deletes a token (the API allows it only once revoked). */
export function useDeleteToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => ok(api.DELETE("/api/v2/tokens/{id}", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["tokens"] }),
  });
}
