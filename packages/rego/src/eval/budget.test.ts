import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { errorOf } from "../test-support/error-of.js";

describe("evaluation budget", () => {
  it("refuses a numbers.range larger than the memory budget before building it", () => {
    const engine = new Engine({ budget: { maxBytes: 1_000_000 } });
    engine.addModule(
      "r.rego",
      "package r\n\nsmall := count(numbers.range(1, 1000))\n\nbig := count(numbers.range(1, 100000))\n",
    );
    expect(engine.evalQuery("data.r.small")[0]?.expressions[0]?.value).toBe(1000);
    const e = errorOf(() => engine.evalQuery("data.r.big"));
    expect(e.code).toBe("eval_cancel_error");
    expect(e.message).toContain("memory budget of 1000000 bytes");
    expect(e.errors[0]?.location?.row).toBe(5);
  });

  it("counts each element some-in enumerates as a step", () => {
    const engine = new Engine({ budget: { maxSteps: 50_000 } });
    engine.addModule(
      "s.rego",
      "package s\n\nxs := numbers.range(1, 300)\n\np := count([1 | some a in xs; some b in xs])\n",
    );
    // 90,000 pairs, each a step and an element at least: over 50,000 steps.
    expect(errorOf(() => engine.evalQuery("data.s.p")).message).toContain("budget of 50000 steps");
  });

  it("reads the clock on charged work, not on ticks: one heavy builtin call at a time", () => {
    const engine = new Engine({ budget: { timeoutMs: 200, maxSteps: 1e12, maxBytes: 1e12 } });
    // Each expression charges 200,000 elements at once; the time limit stops it.
    engine.addModule(
      "t.rego",
      "package t\n\np := count([n | some i in numbers.range(1, 1000000); n := count(numbers.range(1, 200000))])\n",
    );
    const started = performance.now();
    const e = errorOf(() => engine.evalQuery("data.t.p"));
    expect(e.message).toContain("time limit of 200 ms");
    expect(performance.now() - started).toBeLessThan(200 + 1000);
  });

  it("rejects limits that are not positive numbers", () => {
    expect(() => new Engine({ budget: { maxBytes: 0 } }).evalQuery("x := 1")).toThrow(
      /maxBytes must be a positive/,
    );
  });
});
