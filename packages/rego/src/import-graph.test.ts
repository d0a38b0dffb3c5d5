// The engine's import graph (type imports included) has no circle, and its stages flow one way:
// syntax -> compile -> plan -> eval, with values and builtins as leaves every stage shares and
// engine/ composing them. A stage never imports a later one: the compiler's output (the rule
// tree) knows nothing of plans, and plans know the evaluator only through the host they declare.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importCycles, importGraph } from "../../../scripts/import-graph.mjs";

const SRC = fileURLToPath(new URL(".", import.meta.url));

// The directories each area must not import: every later stage, and the composition above them.
const LATER: Readonly<Record<string, readonly string[]>> = {
  value: ["compile", "plan", "eval", "engine"],
  builtins: ["compile", "plan", "eval", "engine"],
  syntax: ["compile", "plan", "eval", "engine"],
  compile: ["plan", "eval", "engine"],
  plan: ["eval", "engine"],
  eval: ["engine"],
};

/** The area of a file: its top directory, or the file itself at the root. */
const area = (file: string) => file.split("/")[0] ?? file;

/** The imports that point from a stage to a later one. */
function backwardEdges(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const later = LATER[area(from)] ?? [];
    for (const to of targets) if (later.includes(area(to))) out.push(`${from} -> ${to}`);
  }
  return out.sort();
}

describe("packages/rego/src import graph", () => {
  const graph: Map<string, string[]> = importGraph(SRC);
  const edges = [...graph.values()].reduce((n, targets) => n + targets.length, 0);

  it("has no import circle", () => {
    const cycles: string[][] = importCycles(graph);
    console.log(`rego import graph: ${graph.size} files, ${edges} edges, ${cycles.length} circle(s)`);
    expect(cycles).toEqual([]);
  });

  it("flows one way: syntax -> compile -> plan -> eval, values and builtins shared below", () => {
    expect(backwardEdges(graph)).toEqual([]);
  });

  it("sees circles and backward imports when there are some (the checks themselves work)", () => {
    const circular = new Map([
      ["compile/rule-tree.ts", ["plan/rule-plan.ts"]],
      ["plan/rule-plan.ts", ["eval/evaluator.ts"]],
      ["eval/evaluator.ts", ["compile/rule-tree.ts"]],
    ]);
    expect(importCycles(circular)).toEqual([["compile/rule-tree.ts", "eval/evaluator.ts", "plan/rule-plan.ts"]]);
    expect(backwardEdges(circular)).toEqual([
      "compile/rule-tree.ts -> plan/rule-plan.ts",
      "plan/rule-plan.ts -> eval/evaluator.ts",
    ]);
    // The real graph is read: the evaluator imports the plans it runs.
    expect(graph.get("eval/evaluation-base.ts")).toContain("plan/policy-plans.ts");
  });
});
