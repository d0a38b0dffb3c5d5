// Domain layer, spaces: how a login policy (or the CLI) names a space: by id, by path from the
// root (`platform/production`, optionally starting with the root's own name), or by bare name
// when exactly one space has it. Sibling names are unique, so a path always means one space; a
// bare name shared by two spaces means none (a grant is never guessed).
import type { SpaceTreeOf } from "./space-tree.js";

interface SpaceIndex {
  /** Bare name → id, or null when several spaces share the name. */
  readonly byName: ReadonlyMap<string, string | null>;
  /** Path below the root (`platform/production`) → id; also with the root's name in front. */
  readonly byPath: ReadonlyMap<string, string>;
}

const indexes = new WeakMap<SpaceTreeOf, SpaceIndex>();

function indexOf(tree: SpaceTreeOf): SpaceIndex {
  let index = indexes.get(tree);
  if (index !== undefined) return index;
  const byName = new Map<string, string | null>();
  const byPath = new Map<string, string>();
  for (const space of tree.spaces.values()) {
    byName.set(space.name, byName.has(space.name) ? null : space.id);
    // Ancestors nearest first, ending at the root: the path is every name below the root.
    const chain = [space.id, ...tree.ancestorIds(space.id)]
      .map((id) => tree.spaces.get(id)?.name ?? "")
      .reverse();
    if (chain.length > 1) byPath.set(chain.slice(1).join("/"), space.id);
    byPath.set(chain.join("/"), space.id);
  }
  index = { byName, byPath };
  indexes.set(tree, index);
  return index;
}

/** The id of the space `reference` names (id, path or unique bare name), or undefined when none (or several). */
export function spaceIdByReference(tree: SpaceTreeOf, reference: string): string | undefined {
  if (tree.spaces.has(reference)) return reference;
  const index = indexOf(tree);
  if (reference.includes("/")) return index.byPath.get(reference.replace(/^\/+|\/+$/g, ""));
  return index.byName.get(reference) ?? undefined;
}
