import { existsSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RegoError } from "../errors.js";
import { parseModule } from "../syntax/parser.js";
import { sampleBuiltins } from "./builtin-sample.js";
import { type GenCase, genCaseArbitrary } from "./generated-module.js";
import { renderModule } from "./module-renderer.js";

const builtins = sampleBuiltins({
  builtins: [
    { name: "count", decl: { args: [{ type: "any" }] } },
    { name: "startswith", decl: { args: [{ type: "string" }, { type: "string" }] } },
  ],
});

describe("renderModule", () => {
  it("renders every rule kind, binding variables in order and resolving references", () => {
    const c: GenCase = {
      input: undefined,
      strict: false,
      rules: [
        {
          k: "complete",
          name: 0,
          value: { t: "var", n: 0 },
          body: [
            { l: "assign", term: { t: "input", path: ["a", 0] } },
            { l: "some", pair: true, source: { t: "rule", n: 2, arg: 1 } },
          ],
          elses: [{ value: { t: "number", n: 1 }, body: [] }],
        },
        { k: "default", name: 0, seed: 3 },
        { k: "set", name: 0, key: { t: "var", n: 5 }, body: [] },
        {
          k: "function",
          name: 0,
          arity: 1,
          value: { t: "call", builtin: 1, args: [{ free: { t: "var", n: 0 } }, { typed: 2 }] },
          body: [{ l: "not", inner: { l: "assign", term: { t: "null" } } }],
          elses: [],
        },
        {
          k: "ref-head",
          path: 0,
          varKey: true,
          multi: false,
          value: {
            t: "compr",
            kind: "set",
            body: [{ l: "some", pair: false, source: { t: "var", n: 0 } }],
            head: { t: "var", n: 1 },
            value: { t: "null" },
          },
          body: [{ l: "every", pair: false, source: { t: "array", items: [] }, body: [] }],
        },
      ],
    };
    const text = renderModule(c, builtins);
    expect(text.split("\n")[0]).toBe("package gen");
    expect(text).toContain("p := v2 if {\n  v0 := input.a[0]\n  some v1, v2 in data.gen.s\n} else := 1");
    expect(text).toMatch(/^default p := /m);
    // No variable in scope: a constant stands in.
    expect(text).toContain("s contains 7");
    expect(text).toMatch(/f\(v0\) := startswith\(v0, "(?:[^"\\]|\\.)*"\) if \{\n {2}not null\n\}/);
    // What `every` binds stays inside it: the key and the comprehension's source fall back to
    // constants, and the comprehension's head sees the comprehension's own variable.
    expect(text).toContain("a.b[0] := {v1 | some v1 in 0} if {\n  every v0 in [] { v0 }\n}");
  });

  it("renders the same text for the same tree, and the generator is reproducible by seed", () => {
    const [a] = fc.sample(genCaseArbitrary, { seed: 42, numRuns: 1 });
    const [b] = fc.sample(genCaseArbitrary, { seed: 42, numRuns: 1 });
    expect(renderModule(a as GenCase, builtins)).toBe(renderModule(b as GenCase, builtins));
  });

  const capabilities = new URL("../../../../../shared/conformance/capabilities.json", import.meta.url);
  it.skipIf(!existsSync(capabilities))(
    "generates modules that mostly parse (the rest provoke parse errors on purpose)",
    () => {
      const caps = JSON.parse(readFileSync(capabilities, "utf8"));
      const all = sampleBuiltins(caps);
      const samples = fc.sample(genCaseArbitrary, { seed: 7, numRuns: 200 });
      let parsed = 0;
      for (const g of samples) {
        try {
          parseModule("gen.rego", renderModule(g, all), { regoVersion: 1 });
          parsed++;
        } catch (e) {
          if (!(e instanceof RegoError)) throw e;
        }
      }
      expect(parsed).toBeGreaterThan(150);
    },
  );
});
