import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  compareJson,
  compareResultSets,
  normalizeResultBindings,
} from "./result-comparison.js";

const plain = { sortBindings: false };
const sorted = { sortBindings: true };

describe("compareResultSets", () => {
  it("compares result sets as sets: order of solutions does not matter", () => {
    const cmp = compareResultSets([{ x: 1 }, { x: 2 }], [{ x: 2 }, { x: 1 }], plain);
    expect(cmp).toEqual({ equal: true, missing: [], unexpected: [] });
  });

  it("collapses duplicate solutions, as OPA's set of bindings does", () => {
    expect(compareResultSets([{ x: 1 }], [{ x: 1 }, { x: 1 }], plain).equal).toBe(true);
  });

  it("reports missing and unexpected bindings as canonical JSON", () => {
    const cmp = compareResultSets([{ x: 1 }, { x: 3 }], [{ x: 1 }, { x: 2 }], plain);
    expect(cmp).toEqual({ equal: false, missing: ['{"x":3}'], unexpected: ['{"x":2}'] });
  });

  it("ignores the order of object keys but not of array elements", () => {
    expect(compareResultSets([{ x: { a: 1, b: 2 } }], [{ x: { b: 2, a: 1 } }], plain).equal).toBe(true);
    expect(compareResultSets([{ x: [1, 2] }], [{ x: [2, 1] }], plain).equal).toBe(false);
  });

  it("compares every variable of a solution", () => {
    expect(compareResultSets([{ x: 1, y: 2 }], [{ x: 1 }], plain).equal).toBe(false);
    expect(compareResultSets([{ x: 1 }], [{ x: 1, y: 2 }], plain).equal).toBe(false);
  });

  it("with sort_bindings, sorts the arrays of the results before comparing", () => {
    expect(compareResultSets([{ x: [1, "a", [0]] }], [{ x: [[0], "a", 1] }], sorted).equal).toBe(true);
  });

  it("with sort_bindings, leaves the wanted side as written (as OPA does)", () => {
    expect(compareResultSets([{ x: [2, 1] }], [{ x: [1, 2] }], sorted).equal).toBe(false);
  });

  it("an empty wanted set matches only an empty result", () => {
    expect(compareResultSets([], [], plain).equal).toBe(true);
    expect(compareResultSets([], [{}], plain).equal).toBe(false);
    expect(compareResultSets([{}], [{}], plain).equal).toBe(true);
  });
});

describe("normalizeResultBindings", () => {
  it("drops generated __localq variables", () => {
    expect(normalizeResultBindings({ x: 1, __localq0__: 2 }, plain)).toEqual({ x: 1 });
  });

  it("sorts only array values, and only when asked", () => {
    expect(normalizeResultBindings({ x: [3, 1], y: "s" }, sorted)).toEqual({ x: [1, 3], y: "s" });
    expect(normalizeResultBindings({ x: [3, 1] }, plain)).toEqual({ x: [3, 1] });
  });
});

describe("compareJson", () => {
  it("orders types as OPA does: null, boolean, number, string, array, object", () => {
    const values = [{}, [], "", 0, false, null];
    expect([...values].sort(compareJson)).toEqual([null, false, 0, "", [], {}]);
  });

  it("orders arrays element-wise, then by length", () => {
    expect(compareJson([1, 2], [1, 3])).toBe(-1);
    expect(compareJson([1, 2], [1])).toBe(1);
    expect(compareJson([1], [1])).toBe(0);
  });

  it("orders objects by sorted keys, then values, then size", () => {
    expect(compareJson({ a: 1 }, { b: 0 })).toBe(-1);
    expect(compareJson({ a: 2 }, { a: 1 })).toBe(1);
    expect(compareJson({ a: 1 }, { a: 1, b: 1 })).toBe(-1);
    expect(compareJson({ b: 1, a: 1 }, { a: 1, b: 1 })).toBe(0);
  });

  it("orders strings by code point (UTF-8 byte order), not UTF-16 unit", () => {
    // U+FF5E is one UTF-16 unit above the surrogates of U+1F600, but below it as a code point.
    expect(compareJson("\uff5e", "\u{1f600}")).toBe(-1);
    expect(compareJson("b", "a")).toBe(1);
  });
});

describe("canonicalJson", () => {
  it("sorts object keys at every level", () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });
});
