// Policies, API: policies (HCP Terraform's Policies API), their Rego text (upload, download), and
// policy sets and samples used by the editor and the simulator.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";
import { apiErrorOf } from "../../../shared/api/api-error";

/** One policy. */
export function usePolicy(id: string) {
  return useQuery({
    queryKey: ["policy", id],
    queryFn: () => ok(api.GET("/api/v2/policies/{id}", { params: { path: { id } } })),
  });
}

/** Downloads a policy's Rego text ("" when none was uploaded). */
export async function downloadPolicySource(id: string): Promise<string> {
  const { response } = await api.GET("/api/v2/policies/{id}/download", {
    params: { path: { id } },
    parseAs: "text",
  });
  if (response.status === 404) return "";
  if (!response.ok) throw apiErrorOf(response.status, undefined);
  return await response.clone().text();
}

/** A policy's Rego text ("" when none was uploaded). */
export function usePolicySource(id: string) {
  return useQuery({
    queryKey: ["policy-source", id],
    enabled: id !== "",
    queryFn: () => downloadPolicySource(id),
  });
}

/** Creates a policy (its text is uploaded next). */
export function useCreatePolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; description: string; enforcementLevel: string; query: string }) =>
      ok(
        api.POST("/api/v2/organizations/{org}/policies", {
          params: { path: { org: currentOrganization() } },
          body: {
            data: {
              type: "policies",
              attributes: {
                name: input.name,
                kind: "opa",
                "enforcement-level": input.enforcementLevel,
                ...(input.description ? { description: input.description } : {}),
                ...(input.query ? { query: input.query } : {}),
              },
            },
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["policies"] }),
  });
}

/** Changes a policy's description, query or enforcement level. */
export function useUpdatePolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({
      id,
      ...input
    }: {
      id: string;
      description: string;
      enforcementLevel: string;
      query: string;
    }) =>
      ok(
        api.PATCH("/api/v2/policies/{id}", {
          params: { path: { id } },
          body: {
            data: {
              type: "policies",
              attributes: {
                description: input.description || null,
                "enforcement-level": input.enforcementLevel,
                query: input.query || null,
              },
            },
          } as never,
        }),
      ),
    onSuccess: (_document, { id }) => client.invalidateQueries({ queryKey: ["policy", id] }),
  });
}

/** Uploads a policy's Rego text; answers the server's warnings. */
export function useUploadPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, source }: { id: string; source: string }) => {
      const document = await ok(
        api.PUT("/api/v2/policies/{id}/upload", {
          params: { path: { id } },
          body: source as never,
          bodySerializer: (body: unknown) => body as string,
          headers: { "content-type": "application/octet-stream" },
        }),
      );
      return ((document as { meta?: { warnings?: string[] } } | null)?.meta?.warnings ?? []) as string[];
    },
    onSuccess: (_warnings, { id }) => {
      void client.invalidateQueries({ queryKey: ["policy-source", id] });
      void client.invalidateQueries({ queryKey: ["policy", id] });
      void client.invalidateQueries({ queryKey: ["policies"] });
    },
  });
}
