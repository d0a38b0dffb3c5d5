import { describe, expect, it } from "vitest";
import { parseCaseFile } from "./conformance-case.js";

const place = { file: "v1/demo/test-demo.yaml", folder: "v1/demo", regoVersion: 1 as const };

describe("parseCaseFile", () => {
  it("reads every field of OPA's case format", () => {
    const [c] = parseCaseFile(
      `cases:
  - note: demo/full
    query: data.test.p = x
    modules:
      - |
        package test
        p := 1
    data: {a: 1}
    input: {b: [1, 2]}
    want_result:
      - x: 1
    sort_bindings: true
    strict_error: true
`,
      place,
    );
    expect(c).toMatchObject({
      ...place,
      note: "demo/full",
      query: "data.test.p = x",
      modules: ["package test\np := 1\n"],
      data: { a: 1 },
      input: { kind: "json", value: { b: [1, 2] } },
      wantResult: [{ x: 1 }],
      sortBindings: true,
      strictError: true,
      problem: undefined,
    });
  });

  it("reads input_term as text and the error expectations", () => {
    const [c] = parseCaseFile(
      `cases:
  - note: demo/err
    query: x = 1
    input_term: '{"foo": 1}'
    want_error_code: eval_type_error
    want_error: "operand 1 must be"
`,
      place,
    );
    expect(c?.input).toEqual({ kind: "term", text: '{"foo": 1}' });
    expect(c?.wantErrorCode).toBe("eval_type_error");
    expect(c?.wantError).toBe("operand 1 must be");
    expect(c?.wantResult).toBeUndefined();
    expect(c?.problem).toBeUndefined();
  });

  it("reads YAML 1.1 scalars as go-yaml does and keeps timestamps as text", () => {
    const [c] = parseCaseFile(
      `cases:
  - note: demo/scalars
    query: x = 1
    want_result:
      - x: yes
        d: 2023-01-01
`,
      place,
    );
    expect(c?.wantResult).toEqual([{ x: true, d: "2023-01-01" }]);
  });

  it("turns a malformed case into a case with a problem, not an exception", () => {
    const cases = parseCaseFile(
      `cases:
  - note: demo/no-query
    want_result: []
  - note: demo/no-expectation
    query: x = 1
`,
      place,
    );
    expect(cases.map((c) => c.problem)).toEqual([
      '"query" must be a string',
      'expected one of "want_result", "want_defined", "want_error_code" or "want_error"',
    ]);
    expect(cases[0]?.wantResult).toEqual([]);
  });

  it("rejects a file without a cases list, naming the file", () => {
    expect(() => parseCaseFile("foo: 1\n", place)).toThrow(
      /v1\/demo\/test-demo.yaml: expected a top-level "cases:" list/,
    );
    expect(() => parseCaseFile("cases: [\n", place)).toThrow(/v1\/demo\/test-demo.yaml: not valid YAML/);
  });
});
