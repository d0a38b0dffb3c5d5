import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { errorOf } from "../test-support/error-of.js";

const load = (rule: string) => new Engine().addModule("p.rego", `package z\n${rule}`);

describe("match errors", () => {
  // Each checked with opa 1.20.2 (`opa eval -d p.rego data.z`).
  it("refuse literals whose shapes never unify, as OPA's type checker does", () => {
    for (const rule of [
      "p if { x := 1; [x, 2] = [1, 2, 3] }",
      "p if { [1, 2] = [1, 2, 3] }",
      "q if { some [a] in [[1, 2]] }",
      "q if { some [a] in [0] }",
      'r if { {"a": a, "b": 2} = {"a": 1, "c": 2} }',
      'r if { [1, x] = ["a", 2] }',
      "r if { x := 1; [[x]] = [{}] }",
      'r if { [x] = {k: v | v := 1; k := "a"} }',
    ]) {
      const err = errorOf(() => load(rule));
      expect(err.code, rule).toBe("rego_type_error");
      expect(err.message, rule).toContain("match error");
    }
    expect(errorOf(() => load("p if { x := 1; [x, 2] = [1, 2, 3] }")).errors[0]?.message).toBe(
      "match error\n\tleft  : array<any, number>\n\tright : array<number, number, number>",
    );
  });

  it("accept shapes that may match", () => {
    for (const rule of [
      "p if { [x, y] = [1, 2] }",
      "p if { some [a, b] in [[1, 2], [3]] }",
      "p if { [x, y] = input.pair }",
      'p if { {"a": a} = {"a": [1]} }',
      "p if { x = [1, 2]; [a] = [x] }",
    ]) {
      expect(() => load(rule), rule).not.toThrow();
    }
  });
});
