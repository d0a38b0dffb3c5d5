import { describe, expect, it } from "vitest";
import { BigNumber } from "./big-number.js";
import { JsonNumber, stringifyExactJson, toExactJson } from "./exact-json.js";
import { RegoObject, RegoSet } from "./value.js";

describe("exact JSON", () => {
  it("keeps numbers a double cannot hold as their decimal text", () => {
    const big = BigNumber.parse("98765432109876543211") as BigNumber;
    const v = toExactJson([big, 1.5, "a"]);
    expect(stringifyExactJson(v)).toBe('[98765432109876543211,1.5,"a"]');
    expect(JSON.stringify(new JsonNumber("98765432109876543211"))).toBe("98765432109876540000");
  });

  it("lays out like JSON.stringify with an indent, and prints large integral doubles in full", () => {
    const o = new RegoObject();
    o.set("a", [1, RegoSet.of([2, 1])]);
    o.set("b", new RegoObject());
    o.set(1, null);
    const v = toExactJson(o);
    const plain = { a: [1, [1, 2]], b: {}, "1": null };
    expect(JSON.parse(stringifyExactJson(v, 2))).toEqual(plain);
    expect(stringifyExactJson({ x: [1, { y: [] }], z: undefined }, 2)).toBe(
      JSON.stringify({ x: [1, { y: [] }], z: undefined }, null, 2),
    );
    expect(stringifyExactJson(1e21)).toBe("1000000000000000000000");
    const huge = toExactJson([
      BigNumber.parse("1.5e300") as BigNumber,
      BigNumber.parse("-2e-400") as BigNumber,
    ]);
    expect(stringifyExactJson(huge)).toBe("[1.5e+300,-2e-400]");
  });
});
