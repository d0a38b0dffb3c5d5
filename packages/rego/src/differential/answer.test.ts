import { describe, expect, it } from "vitest";
import { type Answer, compareAnswers, errorCodes, showAnswer } from "./answer.js";

const rows = (...values: unknown[]): Answer => ({
  kind: "results",
  rows: values.map((v) => ({ expressions: [v as never], bindings: {} })),
});
const errors = (...codes: string[]): Answer => ({
  kind: "errors",
  errors: codes.map((code) => ({ code, message: `${code} happened` })),
});

describe("compareAnswers", () => {
  it("agrees on the same rows in another order, and on equal objects with other key order", () => {
    expect(compareAnswers(rows(1, { a: 1, b: 2 }), rows({ b: 2, a: 1 }, 1)).kind).toBe("same");
  });

  it("tells a number beyond the double range (Infinity once parsed) from null", () => {
    expect(compareAnswers(rows(Number.POSITIVE_INFINITY), rows(null)).kind).toBe("differ");
  });

  it("counts rows: a duplicated row is a difference", () => {
    expect(compareAnswers(rows(1, 1), rows(1))).toEqual({ kind: "differ", what: "result sets differ" });
  });

  it("tells definedness apart from other differences", () => {
    expect(compareAnswers(rows(), rows(true))).toEqual({
      kind: "differ",
      what: "definedness differs: opa 0 result(s), ours 1 result(s)",
    });
  });

  it("ignores generated __localq bindings but not the query's own variables", () => {
    const a: Answer = {
      kind: "results",
      rows: [{ expressions: [true], bindings: { x: 1, __localq0__: 2 } }],
    };
    const b: Answer = { kind: "results", rows: [{ expressions: [true], bindings: { x: 1 } }] };
    const c: Answer = { kind: "results", rows: [{ expressions: [true], bindings: { x: 2 } }] };
    expect(compareAnswers(a, b).kind).toBe("same");
    expect(compareAnswers(a, c).kind).toBe("differ");
  });

  it("compares errors by their set of codes, not their messages or count", () => {
    expect(compareAnswers(errors("rego_type_error", "rego_type_error"), errors("rego_type_error")).kind).toBe(
      "same",
    );
    expect(
      compareAnswers(errors("rego_type_error"), errors("rego_type_error", "rego_recursion_error")),
    ).toEqual({
      kind: "differ",
      what: "error codes differ: opa rego_type_error, ours rego_recursion_error,rego_type_error",
    });
  });

  it("reports an error on one side only, and a broken side, as differences", () => {
    expect(compareAnswers(errors("eval_conflict_error"), rows(1)).what).toBe(
      "opa raised eval_conflict_error, ours answered",
    );
    expect(compareAnswers(rows(1), errors("eval_type_error")).what).toBe(
      "ours raised eval_type_error, opa answered",
    );
    expect(compareAnswers(rows(1), { kind: "broken", reason: "boom" }).what).toBe("the engine broke: boom");
  });
});

describe("showAnswer", () => {
  it("prints rows as canonical JSON, undefined as such, and errors with their place", () => {
    expect(showAnswer(rows({ b: 1, a: 2 }))).toBe('{"expressions":[{"a":2,"b":1}]}');
    expect(showAnswer(rows())).toBe("undefined (no results)");
    const e: Answer = {
      kind: "errors",
      errors: [
        { code: "rego_parse_error", message: "bad", location: { file: "/tmp/x/mod-0.rego", row: 3, col: 2 } },
      ],
    };
    expect(showAnswer(e)).toBe("mod-0.rego:3:2: rego_parse_error: bad");
    expect(errorCodes(e as Extract<Answer, { kind: "errors" }>)).toBe("rego_parse_error");
  });
});
