import { describe, expect, it } from "vitest";
import { RegoObject, RegoSet, type Value, valuesEqual } from "../value/value.js";
import { GRAPH_BUILTINS } from "./graph.js";
import { callerFor } from "./test-context.js";

const call = callerFor(GRAPH_BUILTINS);
const eq = (a: Value | undefined, b: Value) => expect(a !== undefined && valuesEqual(a, b)).toBe(true);

describe("graph.reachable", () => {
  it("follows edges through cycles, skipping unknown nodes", () => {
    const g = RegoObject.fromRecord({ a: RegoSet.of(["b"]), b: ["c"], c: RegoSet.of(["a"]), d: [] });
    eq(call("graph.reachable", g, RegoSet.of(["a"])), RegoSet.of(["a", "b", "c"]));
    eq(call("graph.reachable", new RegoObject(), ["a"]), RegoSet.of([]));
    expect(() => call("graph.reachable", g, "a")).toThrow("operand 2 must be {array, set} but got string");
  });
});

describe("graph.reachable_paths", () => {
  it("lists paths to leaves and stops at cycles", () => {
    const g = RegoObject.fromRecord({ aTop: [], cMiddle: ["aTop"], bBottom: ["cMiddle"], dIgnored: [] });
    eq(
      call("graph.reachable_paths", g, RegoSet.of(["bBottom"])),
      RegoSet.of([["bBottom", "cMiddle", "aTop"]]),
    );
    const cyc = RegoObject.fromRecord({ a: ["b"], b: ["a"] });
    eq(call("graph.reachable_paths", cyc, ["a"]), RegoSet.of([["a", "b"]]));
    const missing = RegoObject.fromRecord({ a: ["zz"] });
    eq(call("graph.reachable_paths", missing, ["a"]), RegoSet.of([["a"]]));
  });
});
