import { describe, expect, it } from "vitest";
import { opaEvalArgs, readOpaEvalJson } from "./opa-answer.js";

describe("readOpaEvalJson", () => {
  it("reads results with their expression values and bindings", () => {
    const text = JSON.stringify({
      result: [
        { expressions: [{ value: true, text: "x = 1", location: { row: 1, col: 1 } }], bindings: { x: 1 } },
      ],
    });
    expect(readOpaEvalJson(text)).toEqual({
      kind: "results",
      rows: [{ expressions: [true], bindings: { x: 1 } }],
    });
  });

  it("reads {} as undefined (no rows)", () => {
    expect(readOpaEvalJson("{}\n")).toEqual({ kind: "results", rows: [] });
  });

  it("reads errors with code, message and location", () => {
    const text = JSON.stringify({
      errors: [
        {
          message: "var x is unsafe",
          code: "rego_unsafe_var_error",
          location: { file: "a.rego", row: 3, col: 5 },
        },
      ],
    });
    expect(readOpaEvalJson(text)).toEqual({
      kind: "errors",
      errors: [
        {
          code: "rego_unsafe_var_error",
          message: "var x is unsafe",
          location: { file: "a.rego", row: 3, col: 5 },
        },
      ],
    });
  });

  it("calls anything else broken, quoting what opa printed", () => {
    const a = readOpaEvalJson("", "panic: runtime error");
    expect(a.kind).toBe("broken");
    expect(a.kind === "broken" && a.reason).toContain("panic: runtime error");
  });
});

describe("opaEvalArgs", () => {
  it("passes the version, strictness, every file and the query", () => {
    const c = {
      id: "x",
      modules: ["package a"],
      data: {},
      input: 1,
      query: "data.a",
      regoVersion: 0 as const,
      strictBuiltinErrors: true,
    };
    const files = {
      dir: "/d",
      modules: ["/d/mod-0.rego"],
      data: "/d/data.json",
      input: "/d/input.json",
      remove: () => {},
    };
    expect(opaEvalArgs(c, files)).toEqual([
      "eval",
      "--format",
      "json",
      "--v0-compatible",
      "--strict-builtin-errors",
      "-d",
      "/d/mod-0.rego",
      "-d",
      "/d/data.json",
      "-i",
      "/d/input.json",
      "data.a",
    ]);
  });
});
