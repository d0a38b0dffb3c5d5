// Domain layer, spaces: an organization's space tree in memory (ancestor and subtree walks). Pure:
// no store, no node: modules, so the browser console builds the same tree from the API's spaces.

/** What a tree needs of a space. */
export interface TreeSpace {
  readonly id: string;
  readonly name: string;
  /** Null for the organization's root space. */
  readonly parentId: string | null;
}

/** An organization's space tree, for ancestor walks on the request path. */
export interface SpaceTreeOf<S extends TreeSpace = TreeSpace> {
  readonly organizationId: string;
  readonly spaces: ReadonlyMap<string, S>;
  /** Ids of the ancestors of `spaceId`, nearest first; empty for the root or an unknown id. */
  ancestorIds(spaceId: string): string[];
  /** Ids of the space and every space below it. */
  subtreeIds(spaceId: string): string[];
}

/** The space tree of an organization's spaces (all of them). */
export function buildSpaceTree<S extends TreeSpace>(
  organizationId: string,
  members: Iterable<S>,
): SpaceTreeOf<S> {
  const spaces = new Map<string, S>();
  for (const space of members) spaces.set(space.id, space);
  const children = new Map<string, string[]>();
  for (const space of spaces.values()) {
    if (space.parentId === null) continue;
    const list = children.get(space.parentId) ?? [];
    list.push(space.id);
    children.set(space.parentId, list);
  }
  return {
    organizationId,
    spaces,
    ancestorIds(spaceId) {
      const out: string[] = [];
      let current = spaces.get(spaceId)?.parentId ?? null;
      while (current !== null && out.length <= spaces.size) {
        out.push(current);
        current = spaces.get(current)?.parentId ?? null;
      }
      return out;
    },
    subtreeIds(spaceId) {
      if (!spaces.has(spaceId)) return [];
      const out: string[] = [];
      const stack = [spaceId];
      while (stack.length > 0) {
        const id = stack.pop() as string;
        out.push(id);
        stack.push(...(children.get(id) ?? []));
      }
      return out;
    },
  };
}
