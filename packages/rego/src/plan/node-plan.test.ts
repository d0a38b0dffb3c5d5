import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { errorOf } from "../test-support/error-of.js";

function engines(src: string): Engine[] {
  return [false, true].map((interpretOnly) => {
    const e = new Engine({ interpretOnly });
    e.addModule("p.rego", src);
    return e;
  });
}

describe("complete nodes as one closure", () => {
  const src = `package p
import rego.v1
nil := x if x := input.none
default d := "fallback"
d := input.d
two if input.a == 1
two if input.b == 1
v := x if x := input.v
v := x if { input.w; x := input.v }
conflict := 1 if input.c
conflict := 2 if input.c
`;

  it("agrees with the interpreter on null values, defaults and several rules", () => {
    const inputs = [{ none: null }, { d: 3, a: 1, b: 1 }, { b: 1, v: [1], w: true }, {}];
    for (const input of inputs) {
      const [planned, interpreted] = engines(src).map((e) => e.prepare("data.p").evaluate({ input }));
      expect(planned).toEqual(interpreted);
    }
    const [planned] = engines(src);
    expect(
      planned?.prepare("data.p.nil").evaluate({ input: { none: null } })[0]?.expressions[0]?.value,
    ).toBeNull();
    expect(planned?.prepare("data.p.d").evaluate({ input: {} })[0]?.expressions[0]?.value).toBe("fallback");
  });

  it("reports a conflict between two rules at the second", () => {
    for (const e of engines(src)) {
      const err = errorOf(() => e.prepare("data.p.conflict").evaluate({ input: { c: true } }));
      expect(err.code).toBe("eval_conflict_error");
      expect(err.location?.row).toBe(11);
    }
  });

  it("evaluates a rule repeated in several modules once, and still finds conflicts", () => {
    for (const interpretOnly of [false, true]) {
      const e = new Engine({ interpretOnly });
      e.addModule("a.rego", "package p\nallow { input.member }\nv := 1 { input.x }\n");
      e.addModule("b.rego", "package p\nallow { input.member }\nv := 1 { input.x }\n");
      e.addModule("c.rego", "package p\nv := 2 { input.x }\n");
      const q = e.prepare("data.p.allow");
      expect(q.evaluate({ input: { member: true } })[0]?.expressions[0]?.value).toBe(true);
      expect(q.evaluate({ input: {} })).toEqual([]);
      const err = errorOf(() => e.prepare("data.p.v").evaluate({ input: { x: true } }));
      expect(err.code).toBe("eval_conflict_error");
      expect(err.location?.file).toBe("c.rego");
    }
  });

  it("keeps repeated rules that call a function, whose body may print", () => {
    const printed: string[][] = [];
    for (const interpretOnly of [false, true]) {
      const lines: string[] = [];
      const e = new Engine({ interpretOnly, print: (m) => lines.push(m) });
      const src = 'package p\nimport rego.v1\nf(x) := x if print("f", x)\nallow if f(1)\n';
      e.addModule("a.rego", src);
      e.addModule("b.rego", "package p\nimport rego.v1\nallow if f(1)\n");
      expect(e.prepare("data.p.allow").evaluate({ input: {} })[0]?.expressions[0]?.value).toBe(true);
      printed.push(lines);
    }
    expect(printed[0]).toEqual(printed[1]);
    expect(printed[0]).toHaveLength(2);
  });
});
