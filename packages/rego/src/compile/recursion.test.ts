import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { errorOf } from "../test-support/error-of.js";

describe("recursion detection", () => {
  it("walks a chain of 20,000 rules without a deep stack", () => {
    const lines = ["package chain"];
    for (let i = 0; i < 20_000; i++) lines.push(`r${i} := r${i + 1}`);
    lines.push("r20000 := 1", "p := r0");
    const engine = new Engine();
    engine.addModule("chain.rego", lines.join("\n"));
    expect(engine.evalQuery("data.chain.p")[0]?.expressions[0]?.value).toBe(1);
  });

  it("reports a cycle closed through a long chain, naming the rule that closes it", () => {
    const lines = ["package loop"];
    for (let i = 0; i < 5_000; i++) lines.push(`r${i} := r${i + 1}`);
    lines.push("r5000 := r0");
    const e = errorOf(() => new Engine().addModule("loop.rego", lines.join("\n")));
    expect(e.errors.map((d) => d.code)).toEqual(["rego_recursion_error"]);
    expect(e.errors[0]?.message).toMatch(
      /^rule data\.loop\.r0 is recursive: data\.loop\.r0 -> data\.loop\.r1 -> /,
    );
    expect(e.errors[0]?.message).toContain("data.loop.r5000 -> data.loop.r0");
  });

  it("follows a dynamic data segment only into the children the rest of the ref names (as OPA)", () => {
    const engine = new Engine();
    engine.addModules([
      { file: "main.rego", source: "package main\n\nd := data[input.ns].a\n" },
      { file: "other.rego", source: "package other\n\na := 7\n" },
    ]);
    expect(engine.evalQuery("data.main.d", { input: { ns: "other" } })[0]?.expressions[0]?.value).toBe(7);
  });

  it("still finds the recursion a dynamic segment can close", () => {
    const e = errorOf(() =>
      new Engine().addModule("m.rego", "package main\n\nd := data[input.ns].b\n\nb := d\n"),
    );
    expect(e.errors.map((d) => d.code)).toEqual(["rego_recursion_error"]);
    expect(e.errors[0]?.message).toBe(
      "rule data.main.d is recursive: data.main.d -> data.main.b -> data.main.d",
    );
  });

  it("counts a whole subtree read as a dependency (data[x] alone)", () => {
    const e = errorOf(() => new Engine().addModule("m.rego", "package main\n\nd := data[input.ns]\n"));
    expect(e.errors[0]?.code).toBe("rego_recursion_error");
  });
});
