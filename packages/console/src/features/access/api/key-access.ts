// Access, API: what an API key may do: effective permissions per space, each with what granted it.
import { useQuery } from "@tanstack/react-query";
import { api, ok } from "../../../shared/api/api-client";

/** The effective access of an API key. */
export function useKeyAccess(apiKeyId: string) {
  return useQuery({
    queryKey: ["effective-access", apiKeyId],
    queryFn: () =>
      ok(api.GET("/api/v2/api-keys/{id}/effective-access", { params: { path: { id: apiKeyId } } })),
  });
}
