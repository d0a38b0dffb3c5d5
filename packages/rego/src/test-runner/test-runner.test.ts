import { describe, expect, it } from "vitest";
import { runTests } from "./test-runner.js";

const POLICY = `package authz

import rego.v1

default allow := false

allow if input.role == "admin"

allow if {
  some g in input.groups
  g == data.admins
}
`;

const TESTS = `package authz_test

import rego.v1
import data.authz

test_admin_allowed if authz.allow with input as {"role": "admin"}

test_group_allowed if authz.allow with input as {"role": "dev", "groups": ["ops"]} with data.admins as "ops"

test_dev_denied if not authz.allow with input as {"role": "dev"}

test_wrong_expectation if authz.allow with input as {"role": "dev"}

test_type_error if {
  x := 1 / 0
  x > 0
}

todo_test_later if false
`;

describe("runTests", () => {
  it("reports PASS, FAIL, ERROR and SKIP per test rule", () => {
    const report = runTests(
      [
        { file: "authz.rego", source: POLICY },
        { file: "authz_test.rego", source: TESTS },
      ],
      { engine: { strictBuiltinErrors: true } },
    );
    expect(report.kind).toBe("ran");
    if (report.kind !== "ran") return;
    const outcomes = Object.fromEntries(report.results.map((r) => [r.name, r.outcome]));
    expect(outcomes).toEqual({
      "data.authz_test.test_admin_allowed": "pass",
      "data.authz_test.test_group_allowed": "pass",
      "data.authz_test.test_dev_denied": "pass",
      "data.authz_test.test_wrong_expectation": "fail",
      "data.authz_test.test_type_error": "error",
      "data.authz_test.todo_test_later": "skip",
    });
    const errored = report.results.find((r) => r.outcome === "error");
    expect(errored?.error?.code).toBe("eval_builtin_error");
    expect(errored?.location.file).toBe("authz_test.rego");
  });

  it("runs only the tests matching a filter", () => {
    const report = runTests(
      [
        { file: "authz.rego", source: POLICY },
        { file: "authz_test.rego", source: TESTS },
      ],
      { filter: /admin/ },
    );
    expect(report.kind === "ran" && report.results.map((r) => r.name)).toEqual([
      "data.authz_test.test_admin_allowed",
    ]);
  });

  it("reports every parse error with its location instead of running anything", () => {
    const report = runTests([{ file: "broken.rego", source: "package broken\n\nallow if {\n" }]);
    expect(report.kind).toBe("compile-failed");
    if (report.kind !== "compile-failed") return;
    expect(report.errors[0]?.code).toBe("rego_parse_error");
    expect(report.errors[0]?.location?.file).toBe("broken.rego");
  });

  it("keeps what tests print", () => {
    const report = runTests([
      { file: "p.rego", source: 'package p\nimport rego.v1\ntest_prints if {\n  print("hello", 1)\n}\n' },
    ]);
    expect(report.kind === "ran" && report.results[0]?.output).toEqual(["hello 1"]);
  });

  it("without strict builtin errors, a builtin error makes the test FAIL (as opa test does); other errors are ERROR", () => {
    const report = runTests([
      {
        file: "e.rego",
        source:
          "package e\n\nconflict := 1 if true\nconflict := 2 if true\n\ntest_division if 1 / 0\n\ntest_conflict if conflict\n",
      },
    ]);
    expect(report.kind === "ran" && report.results.map((r) => [r.name, r.outcome, r.error?.code])).toEqual([
      ["data.e.test_division", "fail", undefined],
      ["data.e.test_conflict", "error", "eval_conflict_error"],
    ]);
  });

  it("runs tests of packages whose names are not identifiers, with data", () => {
    const report = runTests(
      [{ file: "q.rego", source: 'package a["b-c"]\n\ntest_data if data.limit == 3\n\ntodo_helper := 1\n' }],
      { data: { limit: 3 } },
    );
    expect(report.kind === "ran" && report.results.map((r) => [r.name, r.outcome])).toEqual([
      ['data.a["b-c"].test_data', "pass"],
    ]);
  });

  it("reports compile errors across modules, with every module loaded together", () => {
    const report = runTests([
      { file: "a.rego", source: "package a\n\nx := 1\n" },
      { file: "b.rego", source: "package b\n\ntest_y if {\n  y == 1\n}\n" },
    ]);
    expect(report.kind).toBe("compile-failed");
    if (report.kind !== "compile-failed") return;
    expect(report.errors.map((e) => [e.code, e.location?.file, e.location?.row])).toEqual([
      ["rego_unsafe_var_error", "b.rego", 4],
    ]);
  });
});
