// Shared, API: the organization's spaces as a tree (many pages pick a space or show its path).
import { useQuery } from "@tanstack/react-query";
import { allPages } from "./all-pages";
import { api, currentOrganization, ok } from "./api-client";

/** A space in the tree. */
export interface SpaceNode {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly parentId: string | null;
  readonly children: SpaceNode[];
}

/** Every space, as roots with their children, and by id. */
export function useSpaceTree() {
  return useQuery({
    queryKey: ["spaces", currentOrganization()],
    queryFn: async () => {
      const org = currentOrganization();
      const spaces = await allPages((page) =>
        ok(
          api.GET("/api/v2/organizations/{org}/spaces", {
            params: { path: { org }, query: { "page[number]": page, "page[size]": 100 } },
          }),
        ),
      );
      const byId = new Map<string, SpaceNode>();
      for (const s of spaces)
        byId.set(s.id, {
          id: s.id,
          name: s.attributes.name,
          description: s.attributes.description ?? null,
          parentId: s.relationships.parent.data?.id ?? null,
          children: [],
        });
      const roots: SpaceNode[] = [];
      for (const node of byId.values()) {
        const parent = node.parentId === null ? undefined : byId.get(node.parentId);
        if (parent) parent.children.push(node);
        else roots.push(node);
      }
      const sort = (nodes: SpaceNode[]) => {
        nodes.sort((a, b) => a.name.localeCompare(b.name));
        for (const n of nodes) sort(n.children);
      };
      sort(roots);
      return { roots, byId };
    },
  });
}

/** The path of a space from the root (`platform/production`). */
export function spacePath(byId: ReadonlyMap<string, SpaceNode>, id: string): string {
  const names: string[] = [];
  for (
    let node = byId.get(id);
    node !== undefined;
    node = node.parentId ? byId.get(node.parentId) : undefined
  )
    names.unshift(node.name);
  return names.join("/");
}
