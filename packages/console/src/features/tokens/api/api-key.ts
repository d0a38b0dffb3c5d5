// Tokens, API: the API key whose tokens a page shows.
import { useQuery } from "@tanstack/react-query";
import { api, ok } from "../../../shared/api/api-client";

/** One API key. */
export function useApiKey(id: string) {
  return useQuery({
    queryKey: ["api-key", id],
    queryFn: () => ok(api.GET("/api/v2/api-keys/{id}", { params: { path: { id } } })),
  });
}
