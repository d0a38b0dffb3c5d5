// Users, API: the organization's users, and invitations (a one-time link to a first personal token).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";

/** The organization's users (first 100). */
export function useUsers() {
  return useQuery({
    queryKey: ["users", currentOrganization()],
    queryFn: () =>
      ok(
        api.GET("/api/v2/organizations/{org}/users", {
          params: { path: { org: currentOrganization() }, query: { "page[size]": 100 } },
        }),
      ),
  });
}

/** Creates a user (who then needs an invitation to get a credential). */
export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; email: string }) =>
      ok(
        api.POST("/api/v2/organizations/{org}/users", {
          params: { path: { org: currentOrganization() } },
          body: {
            data: {
              type: "users",
              attributes: { name: input.name, ...(input.email ? { email: input.email } : {}) },
            },
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["users"] }),
  });
}

/** The organization's invitations, newest first. */
export function useInvitations(status: string) {
  return useQuery({
    queryKey: ["invitations", currentOrganization(), status],
    queryFn: () =>
      ok(
        api.GET("/api/v2/organizations/{org}/invitations", {
          params: {
            path: { org: currentOrganization() },
            query: {
              ...(status
                ? { "filter[status]": status as "pending" | "accepted" | "revoked" | "expired" }
                : {}),
              "page[size]": 100,
            },
          },
        }),
      ),
  });
}

/** Invites a user: answers the link (shown once). */
export function useInviteUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (input: { userId: string; expiresInHours: number }) => {
      const document = await ok(
        api.POST("/api/v2/organizations/{org}/invitations", {
          params: { path: { org: currentOrganization() } },
          body: {
            data: {
              type: "invitations",
              attributes: { "expires-in-hours": input.expiresInHours },
              relationships: { user: { data: { type: "users", id: input.userId } } },
            },
          },
        }),
      );
      return document.data.attributes as { url?: string; secret?: string; "expires-at": string };
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ["invitations"] }),
  });
}

/** Revokes an invitation (its link stops working). */
export function useRevokeInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      ok(api.POST("/api/v2/invitations/{id}/actions/revoke", { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ["invitations"] }),
  });
}
