// Spaces, API: the organization's spaces (as a tree), and what lives and is bound in one space.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { allPages } from "../../../shared/api/all-pages";
export { type SpaceNode, spacePath, useSpaceTree } from "../../../shared/api/space-tree";
import { api, currentOrganization, ok } from "../../../shared/api/api-client";

/** The service accounts and role bindings in a space, with the org's roles, users and teams to name them. */
export function useSpaceContents(spaceId: string | undefined) {
  return useQuery({
    queryKey: ["space-contents", currentOrganization(), spaceId],
    enabled: spaceId !== undefined,
    queryFn: async () => {
      const org = currentOrganization();
      const space = spaceId ?? "";
      const [serviceAccounts, bindings, roles, users, teams] = await Promise.all([
        allPages((page) =>
          ok(
            api.GET("/api/v2/organizations/{org}/service-accounts", {
              params: {
                path: { org },
                query: { "filter[space]": space, "page[number]": page, "page[size]": 100 },
              },
            }),
          ),
        ),
        allPages((page) =>
          ok(
            api.GET("/api/v2/organizations/{org}/role-bindings", {
              params: {
                path: { org },
                query: { "filter[space]": space, "page[number]": page, "page[size]": 100 },
              },
            }),
          ),
        ),
        allPages((page) =>
          ok(
            api.GET("/api/v2/organizations/{org}/roles", {
              params: { path: { org }, query: { "page[number]": page, "page[size]": 100 } },
            }),
          ),
        ),
        allPages((page) =>
          ok(
            api.GET("/api/v2/organizations/{org}/users", {
              params: { path: { org }, query: { "page[number]": page, "page[size]": 100 } },
            }),
          ),
        ),
        allPages((page) =>
          ok(
            api.GET("/api/v2/organizations/{org}/teams", {
              params: { path: { org }, query: { "page[number]": page, "page[size]": 100 } },
            }),
          ),
        ),
      ]);
      const names = new Map<string, string>();
      for (const r of roles) names.set(r.id, r.attributes.name);
      for (const u of users) names.set(u.id, u.attributes.name);
      for (const t of teams) names.set(t.id, t.attributes.name);
      for (const s of serviceAccounts) names.set(s.id, s.attributes.name);
      return { serviceAccounts, bindings, roles, users, teams, names };
    },
  });
}

/** Creates a space under a parent. */
export function useCreateSpace() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; description: string; parentId: string }) =>
      ok(
        api.POST("/api/v2/organizations/{org}/spaces", {
          params: { path: { org: currentOrganization() } },
          body: {
            data: {
              type: "spaces",
              attributes: {
                name: input.name,
                ...(input.description ? { description: input.description } : {}),
              },
              relationships: { parent: { data: { id: input.parentId } } },
            },
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["spaces"] }),
  });
}

/** Binds a role to a principal or team in a space. */
export function useCreateBinding() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: {
      roleId: string;
      subjectType: "users" | "service-accounts" | "teams";
      subjectId: string;
      spaceId: string;
    }) =>
      ok(
        api.POST("/api/v2/organizations/{org}/role-bindings", {
          params: { path: { org: currentOrganization() } },
          body: {
            data: {
              type: "role-bindings",
              relationships: {
                role: { data: { type: "roles", id: input.roleId } },
                subject: { data: { type: input.subjectType, id: input.subjectId } },
                space: { data: { type: "spaces", id: input.spaceId } },
              },
            },
          },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ["space-contents"] }),
  });
}
