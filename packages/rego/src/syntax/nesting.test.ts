import { describe, expect, it } from "vitest";
import { errorOf } from "../test-support/error-of.js";
import { MAX_NESTING } from "./nesting.js";
import { parseModule, parseQuery } from "./parser.js";

describe("nesting bound", () => {
  it("refuses an operator chain as deep as its text is long, with a parse error", () => {
    const sum = Array.from({ length: 20_000 }, () => "1").join(" + ");
    const e = errorOf(() => parseModule("sum.rego", `package t\n\np := ${sum}\n`));
    expect(e.code).toBe("rego_parse_error");
    expect(e.message).toContain(`expression nested too deeply (more than ${MAX_NESTING} levels)`);
    expect(errorOf(() => parseQuery(sum)).code).toBe("rego_parse_error");
  });

  it("accepts a chain within the bound", () => {
    const sum = Array.from({ length: 500 }, () => "1").join(" + ");
    expect(parseModule("sum.rego", `package t\n\np := ${sum}\n`).rules).toHaveLength(1);
  });

  it("refuses package paths and rule heads longer than the bound", () => {
    const path = Array.from({ length: MAX_NESTING + 2 }, (_, i) => `a${i}`).join(".");
    expect(errorOf(() => parseModule("p.rego", `package ${path}\n`)).message).toContain(
      "package path nested too deeply",
    );
    expect(errorOf(() => parseModule("r.rego", `package t\n\n${path} := 1\n`)).message).toContain(
      "rule head nested too deeply",
    );
  });
});
