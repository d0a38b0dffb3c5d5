import { describe, expect, it } from "vitest";
import type { Term } from "../syntax/ast.js";
import { parseTerm } from "../syntax/parser.js";
import { compareTerms, sortedEntries, sortedUnique } from "./ast-json-order.js";

const t = (src: string): Term => parseTerm(src);
const text = (terms: readonly Term[]): string[] =>
  terms.map((x) => JSON.stringify(x, (k, v) => (k === "location" ? undefined : v)));

describe("OPA's order over parsed terms", () => {
  it("ranks kinds as OPA does: scalars, vars, refs, collections, comprehensions, calls", () => {
    const order = [
      "null",
      "false",
      "1",
      '"a"',
      "x",
      "x.y",
      "[1]",
      "{1: 2}",
      "{1}",
      "[a | a := 1]",
      "count(x)",
    ];
    for (let i = 0; i + 1 < order.length; i++) {
      expect(compareTerms(t(order[i] as string), t(order[i + 1] as string))).toBe(-1);
    }
  });

  it("compares numbers by value, so 1 and 1.0 are one set element", () => {
    expect(compareTerms(t("1"), t("1.0"))).toBe(0);
    expect(text(sortedUnique([t("2"), t("1.0"), t("1")]))).toEqual(text([t("1.0"), t("2")]));
  });

  it("keeps the last value of a repeated object key", () => {
    const entries = sortedEntries([
      [t('"b"'), t("1")],
      [t('"a"'), t("2")],
      [t('"b"'), t("3")],
    ]);
    expect(entries.map(([k, v]) => [text([k])[0], text([v])[0]])).toEqual([
      [text([t('"a"')])[0], text([t("2")])[0]],
      [text([t('"b"')])[0], text([t("3")])[0]],
    ]);
  });
});
