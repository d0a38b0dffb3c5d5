import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";

// Variables bound to constants have no slot in a plan: every read is the constant. These cases
// read such variables in heads, after comparisons, and where a new binding shadows them.
const src = `package test
import rego.v1
head contains v if { v := 10; v > 3 }
obj[k] := v if { k := "a"; v := [1, 2]; v[0] == 1 }
shadow_every contains v if { every v in [1, 2] { v < 3 }; v := 10 }
shadow_some contains [v, w] if { v := 1; some w in [v, 2] }
comp := [x | x := 5; y := x; y >= 5]
days if { d := {"Tuesday", "Thursday"}; d[input.day] }
cidrs contains c if { s := {"10.0.0.0/8", "192.168.0.0/16"}; s[c]; net.cidr_contains(c, input.ip) }
neg if { x := 3; not x > 4 }
fn(a) := b if { b := 7; a < b }
call := fn(2)
cmp_const if { 3 < input.n }
eq_var if { x := "y"; x == input.s }
arr_enum contains [i, x] if { a := ["p", "q"]; x := a[i] }
obj_enum contains k if { o := {"a": 1, "b": 2}; o[k] > 1 }
first_only if { a := [1, 2, 3]; a[_] > 1 }
`;

describe("plans: variables bound to constants", () => {
  it("give the interpreter's results", () => {
    const inputs = [
      { day: "Tuesday", ip: "10.1.2.3", n: 4, s: "y" },
      { day: "Monday", ip: "8.8.8.8", n: 2, s: "z" },
    ];
    for (const input of inputs) {
      const [planned, interpreted] = [false, true].map((interpretOnly) => {
        const e = new Engine({ interpretOnly });
        e.addModule("p.rego", src);
        return e.prepare("data.test").evaluate({ input })[0]?.expressions[0]?.value;
      });
      expect(planned).toEqual(interpreted);
    }
    const e = new Engine();
    e.addModule("p.rego", src);
    expect(e.prepare("data.test").evaluate({ input: inputs[0] })[0]?.expressions[0]?.value).toEqual({
      head: [10],
      obj: { a: [1, 2] },
      shadow_every: [10],
      shadow_some: [
        [1, 1],
        [1, 2],
      ],
      comp: [5],
      days: true,
      cidrs: ["10.0.0.0/8"],
      neg: true,
      call: 7,
      cmp_const: true,
      eq_var: true,
      arr_enum: [
        [0, "p"],
        [1, "q"],
      ],
      obj_enum: ["b"],
      first_only: true,
    });
  });
});
