import { describe, expect, it } from "vitest";
import { Engine } from "../engine/engine.js";
import { RegoError } from "../errors.js";
import { BigNumber } from "../value/big-number.js";
import { compareValues, type Value } from "../value/value.js";
import { placeOf } from "./range-index.js";

describe("placeOf", () => {
  it("places a value below, on or between sorted bounds", () => {
    const bounds: Value[] = [1, 5, "a"];
    expect([0, 1, 3, 5, 7, "a", "b", null, true].map((v) => placeOf(bounds, v))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 0, 0,
    ]);
    expect(placeOf([], 3)).toBe(0);
    const big = BigNumber.parse("1764000000123456789") as BigNumber;
    expect(placeOf([1, big], BigNumber.parse("1764000000123456790") as BigNumber)).toBe(4);
    expect(placeOf([1, big], BigNumber.parse("1764000000123456789") as BigNumber)).toBe(3);
  });
});

/** A policy of `deny` rules that begin by comparing `input.t` with constants, every way round. */
function comparisons(): { source: string; expected: (t: Value | undefined) => string[] } {
  const ops = ["<", "<=", ">", ">="] as const;
  const bounds: Value[] = [1, 2.5, 10, 100, "m"];
  const lines: string[] = [];
  const checks: ((t: Value) => boolean)[] = [];
  const holds = (op: (typeof ops)[number], order: number) =>
    op === "<" ? order < 0 : op === "<=" ? order <= 0 : op === ">" ? order > 0 : order >= 0;
  let n = 0;
  for (const bound of bounds) {
    for (const op of ops) {
      const text = JSON.stringify(bound);
      const i = n++;
      // Half with the constant on the left: `1 < input.t` is `input.t > 1`.
      if (i % 2 === 0) {
        lines.push(`deny contains "r${i}" if input.t ${op} ${text}`);
        checks.push((t) => holds(op, compareValues(t, bound)));
      } else {
        lines.push(`deny contains "r${i}" if ${text} ${op} input.t`);
        checks.push((t) => holds(op, compareValues(bound, t)));
      }
    }
  }
  // Not indexed (the comparison is not first): still evaluated as written.
  lines.push('deny contains "late" if {\n  input.u == 1\n  input.t > 5\n}');
  const source = `package c\nimport rego.v1\n${lines.join("\n")}\n`;
  const expected = (t: Value | undefined) => {
    if (t === undefined) return [];
    return checks.flatMap((check, i) => (check(t) ? [`r${i}`] : [])).sort();
  };
  return { source, expected };
}

function engines(source: string, strictBuiltinErrors = false): Engine[] {
  return [false, true].map((interpretOnly) => {
    const e = new Engine({ interpretOnly, strictBuiltinErrors });
    e.addModule("c.rego", source);
    return e;
  });
}

function deny(e: Engine, input: unknown): unknown {
  return e.evalQuery("data.c.deny", { input })[0]?.expressions[0]?.value;
}

describe("rule indexes on comparisons", () => {
  it("selects exactly the rules whose comparison holds, for values of every kind and place", () => {
    const { source, expected } = comparisons();
    for (const e of engines(source)) {
      for (const t of [
        0,
        1,
        2,
        2.5,
        3,
        10,
        50,
        100,
        1e20,
        -1,
        "a",
        "m",
        "z",
        null,
        false,
        true,
        [1],
        undefined,
      ]) {
        const input = t === undefined ? {} : { t, u: 1 };
        const want = expected(t as Value | undefined);
        const late = t !== undefined && compareValues(t as Value, 5) > 0 ? ["late"] : [];
        expect(deny(e, input), JSON.stringify(t)).toEqual([...want, ...late].sort());
      }
    }
  });

  it("compares exact nanosecond timestamps (big numbers) with their cut-offs", () => {
    const rules = Array.from(
      { length: 12 },
      (_, i) => `deny contains "cut-off ${i}" if input.ns < ${1_764_000_000 + i}000000000`,
    );
    const source = `package c\nimport rego.v1\n${rules.join("\n")}\n`;
    for (const e of engines(source)) {
      expect(deny(e, { ns: 1_764_000_009_000_000_000n })).toEqual(["cut-off 10", "cut-off 11"]);
      expect(deny(e, { ns: 1_764_000_008_999_999_999n })).toEqual(["cut-off 10", "cut-off 11", "cut-off 9"]);
      expect(deny(e, { ns: 1_800_000_000_000_000_000n })).toEqual([]);
    }
  });

  it("raises the error of a rule whose comparison holds, and only then", () => {
    const rules = Array.from({ length: 10 }, (_, i) => `deny contains "r${i}" if input.t > ${i}`);
    rules.push('deny contains "boom" if {\n  input.t > 100\n  1 / input.zero > 0\n}');
    const source = `package c\nimport rego.v1\n${rules.join("\n")}\n`;
    for (const e of engines(source, true)) {
      expect(deny(e, { t: 5, zero: 0 })).toEqual(["r0", "r1", "r2", "r3", "r4"]);
      let code: string | undefined;
      try {
        deny(e, { t: 500, zero: 0 });
      } catch (error) {
        code = error instanceof RegoError ? error.code : "other";
      }
      expect(code).toBe("eval_builtin_error");
    }
  });

  it("selects every comparing rule where `with` replaces a function, as OPA evaluates them all", () => {
    const p = Array.from({ length: 10 }, (_, i) => `p contains ${i} if input.t < ${i}`);
    const e = Array.from({ length: 10 }, (_, i) => `e contains ${i} if input.s == "k${i}"`);
    const source = [
      "package c",
      "import rego.v1",
      "f(_, _) := true",
      ...p,
      ...e,
      "q := x if { x := p with lt as f }",
      // OPA's own index on equalities ignores the replacement: still none.
      "r := x if { x := e with equal as f }",
      "",
    ].join("\n");
    for (const engine of engines(source)) {
      const v = engine.evalQuery("data.c", { input: { t: 100, s: "zz" } })[0]?.expressions[0]
        ?.value as Record<string, unknown>;
      expect(v.p).toEqual([]);
      expect(v.q).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(v.r).toEqual([]);
    }
  });
});
