// The service's import graph (type imports included) has no circle, and imports flow one way:
// store -> domain -> write path -> HTTP/CLI. Domain modules never import governance's save guard,
// nor the write path, auth or HTTP; the write path composes them.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importCycles, importGraph } from "../../../scripts/import-graph.mjs";

const SRC = fileURLToPath(new URL(".", import.meta.url));

describe("packages/server/src import graph", () => {
  const graph: Map<string, string[]> = importGraph(SRC);
  const edges = [...graph].flatMap(([from, targets]) => targets.map((to) => ({ from, to })));

  it("has no import circle", () => {
    const cycles: string[][] = importCycles(graph);
    console.log(`import graph: ${graph.size} files, ${edges.length} edges, ${cycles.length} circle(s)`);
    expect(cycles).toEqual([]);
  });

  it("finds circles when there are some (the detector itself works)", () => {
    const circular = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(importCycles(circular)).toEqual([["a.ts", "b.ts", "c.ts"]]);
    expect(graph.get("domain/tokens/token.ts")).toContain("domain/audit/actor.ts");
  });

  it("keeps domain modules off governance's save guard, the write path, auth and HTTP", () => {
    const upward = edges.filter(
      ({ from, to }) =>
        (from.startsWith("domain/") || from.startsWith("store/")) &&
        (to.startsWith("write-path/") || to.startsWith("auth/") || to.startsWith("http/")),
    );
    // Governance is the save guard (domain/governance) and its implementation, policy evaluation.
    const governance = (file: string) =>
      file.startsWith("domain/governance/") || file.startsWith("domain/policy-evaluations/");
    const ontoGovernance = edges.filter(
      ({ from, to }) =>
        from.startsWith("domain/") && !governance(from) && to.startsWith("domain/governance/"),
    );
    expect(upward).toEqual([]);
    expect(ontoGovernance).toEqual([]);
  });
});
