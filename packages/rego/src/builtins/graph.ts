// Builtins: graph traversal (`graph.reachable`, `graph.reachable_paths`) over adjacency objects
// whose values are arrays or sets of neighbours.

import { type BuiltinDecl, operandError } from "./builtin.js";
import { defineBuiltins } from "./define.js";
import { arg, objectArg } from "./operands.js";
import { T_ARRAY_ANY, T_SET_ANY, tArray, tObject, tOneOf, tSet, T_ANY } from "./type-specs.js";
import { type RegoObject, RegoSet, type Value, typeName } from "../value/value.js";

const VERTICES = tOneOf(T_ARRAY_ANY, T_SET_ANY);

function vertices(v: Value): readonly Value[] {
  if (Array.isArray(v)) return v as readonly Value[];
  if (v instanceof RegoSet) return v.values();
  return [];
}

function initialArg(args: readonly Value[]): readonly Value[] {
  const v = arg(args, 1);
  if (!Array.isArray(v) && !(v instanceof RegoSet)) throw operandError(2, "{array, set}", typeName(v));
  return vertices(v);
}

/** Every node reachable from `initial` (nodes missing from the graph are skipped). */
export function reachable(graph: RegoObject, initial: readonly Value[]): RegoSet {
  const reached = new RegoSet();
  const queue = [...initial];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as Value;
    const edges = graph.get(node);
    if (edges === undefined || reached.has(node)) continue;
    reached.add(node);
    for (const n of vertices(edges)) if (!reached.has(n)) queue.push(n);
  }
  return reached;
}

function buildPaths(
  graph: RegoObject,
  root: Value,
  path: readonly Value[],
  out: RegoSet,
  reached: RegoSet,
): void {
  const edges = graph.get(root);
  if (edges === undefined) {
    out.add(path);
    return;
  }
  const here = [...path, root];
  const next = vertices(edges);
  if (next.length === 0) {
    out.add(here);
    return;
  }
  const seen = RegoSet.of(reached.unordered());
  seen.add(root);
  for (const n of next) {
    if (seen.has(n)) out.add(here);
    else buildPaths(graph, n, here, out, seen);
  }
}

/** Graph builtins. */
export const GRAPH_BUILTINS = defineBuiltins(
  {
    "graph.reachable": { args: [tObject(T_ANY, VERTICES), VERTICES], result: tSet(T_ANY) },
    "graph.reachable_paths": { args: [tObject(T_ANY, VERTICES), VERTICES], result: tSet(tArray(T_ANY)) },
  } satisfies Record<string, BuiltinDecl>,
  {
    "graph.reachable": (args) => reachable(objectArg(args, 0), initialArg(args)),
    "graph.reachable_paths": (args) => {
      const graph = objectArg(args, 0);
      const out = new RegoSet();
      for (const node of initialArg(args)) {
        const edges = graph.get(node);
        if (edges === undefined) continue;
        const next = vertices(edges);
        if (next.length === 0) out.add([node]);
        for (const n of next) buildPaths(graph, n, [node], out, RegoSet.of([node]));
      }
      return out;
    },
  },
);
