// Shared, API: the organization's users by id (to show who created or did something).
import { useQuery } from "@tanstack/react-query";
import { allPages } from "./all-pages";
import { api, currentOrganization, ok } from "./api-client";

/** A map from user id to user name. */
export function useUserNames() {
  return useQuery({
    queryKey: ["user-names", currentOrganization()],
    staleTime: 60_000,
    queryFn: async () => {
      const org = currentOrganization();
      const users = await allPages((page) =>
        ok(
          api.GET("/api/v2/organizations/{org}/users", {
            params: { path: { org }, query: { "page[number]": page, "page[size]": 100 } },
          }),
        ),
      );
      return new Map(users.map((u) => [u.id, u.attributes.name]));
    },
  });
}
