import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { errorOf } from "../test-support/error-of.js";

describe("rules and base data on the same path", () => {
  it("are refused whichever comes last, as OPA refuses them", () => {
    const e = new Engine();
    e.addModule("m.rego", "package m\nrule1 := 6");
    const err = errorOf(() => e.setData({ m: { rule1: 0 } }));
    expect(err.code).toBe("rego_compile_error");
    expect(err.message).toContain("conflicting rule for data path m/rule1 found");
    // The engine keeps its former data.
    expect(e.evalQuery("data.m")[0]?.expressions[0]?.value).toEqual({ rule1: 6 });

    const f = new Engine();
    f.setData({ a: { b: { p: [1] } } });
    expect(errorOf(() => f.addModule("a.rego", "package a.b\np contains 1")).message).toContain(
      "conflicting rule for data path a/b/p found",
    );
    expect(f.modules()).toEqual([]);
  });

  it("leave other paths alone", () => {
    const e = new Engine();
    e.addModule("m.rego", "package m\nrule1 := 6\nf(x) := x");
    e.setData({ m: { rule2: 0 }, other: { rule1: 1 } });
    expect(e.evalQuery("data.m")[0]?.expressions[0]?.value).toEqual({ rule1: 6, rule2: 0 });
  });
});
