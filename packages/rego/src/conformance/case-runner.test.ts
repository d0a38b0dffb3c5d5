import { describe, expect, it } from "vitest";
import { RegoError } from "../errors.js";
import { opaErrorText, runCase } from "./case-runner.js";
import type { ConformanceCase } from "./conformance-case.js";

function makeCase(fields: Partial<ConformanceCase>): ConformanceCase {
  return {
    file: "v1/unit/test-unit.yaml",
    folder: "v1/unit",
    regoVersion: 1,
    note: "unit/case",
    query: "data.test.p = x",
    modules: [],
    data: undefined,
    input: { kind: "none" },
    wantResult: undefined,
    wantDefined: undefined,
    wantErrorCode: undefined,
    wantError: undefined,
    sortBindings: false,
    strictError: false,
    problem: undefined,
    ...fields,
  };
}

const SET_MODULE = "package test\n\np contains x if {\n  some x in input.xs\n}\n";

describe("runCase", () => {
  it("passes when the result set equals the wanted one, in any order", () => {
    const c = makeCase({
      modules: [SET_MODULE],
      query: "data.test.p[x]",
      input: { kind: "json", value: { xs: [2, 1] } },
      wantResult: [{ x: 1 }, { x: 2 }],
    });
    expect(runCase(c)).toEqual({ kind: "pass" });
  });

  it("fails with the difference when the result set differs", () => {
    const c = makeCase({
      modules: [SET_MODULE],
      query: "data.test.p[x]",
      input: { kind: "json", value: { xs: [1, 3] } },
      wantResult: [{ x: 1 }, { x: 2 }],
    });
    expect(runCase(c)).toMatchObject({
      kind: "fail",
      failure: "wrong-result",
      reason: 'missing {"x":2}; unexpected {"x":3}',
    });
  });

  it("reads input_term and data", () => {
    const c = makeCase({
      query: "x = [input.a, data.d]",
      input: { kind: "term", text: '{"a": 1}' },
      data: { d: 2 },
      wantResult: [{ x: [1, 2] }],
    });
    expect(runCase(c)).toEqual({ kind: "pass" });
  });

  it("checks a wanted error's code and message", () => {
    const conflict = "package test\n\np := 1 if true\np := 2 if true\n";
    const wanted = makeCase({
      modules: [conflict],
      wantErrorCode: "eval_conflict_error",
      wantError: "complete rules",
    });
    expect(runCase(wanted)).toEqual({ kind: "pass" });
    const otherCode = makeCase({ modules: [conflict], wantErrorCode: "eval_type_error" });
    expect(runCase(otherCode)).toMatchObject({
      kind: "fail",
      failure: "wrong-error",
      error: { code: "eval_conflict_error" },
    });
  });

  it("fails when a wanted error is not raised, or an unwanted one is", () => {
    const ok = "package test\n\np := 1\n";
    expect(runCase(makeCase({ modules: [ok], wantErrorCode: "eval_type_error" }))).toMatchObject({
      kind: "fail",
      failure: "missing-error",
    });
    const div = "package test\n\np := x if {\n  x := 1 / 0\n}\n";
    expect(runCase(makeCase({ modules: [div], strictError: true, wantResult: [{ x: 1 }] }))).toMatchObject({
      kind: "fail",
      failure: "eval-error",
      error: { code: "eval_builtin_error" },
    });
    // Without strict errors the builtin error makes p undefined instead.
    expect(runCase(makeCase({ modules: [div], wantResult: [] }))).toEqual({ kind: "pass" });
  });

  it("reports modules that do not load", () => {
    const c = makeCase({ modules: ["package test\n\np if {\n"], wantResult: [{ x: true }] });
    expect(runCase(c)).toMatchObject({
      kind: "fail",
      failure: "load-error",
      error: { code: "rego_parse_error" },
    });
  });

  it("loads v0 modules in v0 cases", () => {
    const c = makeCase({
      regoVersion: 0,
      modules: ['package test\n\np[x] {\n  x := "a"\n}\n'],
      query: "data.test.p = x",
      wantResult: [{ x: ["a"] }],
    });
    expect(runCase(c)).toEqual({ kind: "pass" });
  });

  it("turns a malformed case into a failure naming the problem", () => {
    expect(runCase(makeCase({ problem: '"query" must be a string' }))).toEqual({
      kind: "fail",
      failure: "invalid-case",
      reason: '"query" must be a string',
    });
  });

  it("loads v0-syntax modules of a v1 folder through version detection", () => {
    const c = makeCase({
      regoVersion: 1,
      modules: ["package test\n\np[x] {\n  x := 1\n}\n"],
      wantResult: [{ x: [1] }],
    });
    expect(runCase(c)).toEqual({ kind: "pass" });
  });

  it("matches want_error against OPA's error text, file:row without the column", () => {
    const c = makeCase({
      modules: ["package test\n\np := x if {\n  x := 1 / 0\n}\n"],
      strictError: true,
      wantError: "test-0.rego:4: eval_builtin_error: ",
    });
    expect(runCase(c)).toEqual({ kind: "pass" });
  });
});

describe("opaErrorText", () => {
  it("prints each error as file:row: code: message", () => {
    const e = new RegoError([
      { code: "eval_type_error", message: "bad", location: { file: "x.rego", row: 3, col: 7, offset: 20 } },
      { code: "rego_parse_error", message: "worse" },
    ]);
    expect(opaErrorText(e)).toBe("x.rego:3: eval_type_error: bad\nrego_parse_error: worse");
  });
});
