import { describe, expect, it } from "vitest";
import { SEMVER_BUILTINS } from "./semver.js";
import { callerFor } from "./test-context.js";

const call = callerFor(SEMVER_BUILTINS);

describe("semver", () => {
  it("validates SemVer 2.0.0 strings", () => {
    expect(call("semver.is_valid", "1.0.0")).toBe(true);
    expect(call("semver.is_valid", "1.0.0-rc.1+build.5")).toBe(true);
    expect(call("semver.is_valid", "v1.0.0")).toBe(true);
    expect(call("semver.is_valid", "01.0.0")).toBe(true);
    expect(call("semver.is_valid", "1")).toBe(false);
    expect(call("semver.is_valid", "1.0.0-a..b")).toBe(false);
    expect(call("semver.is_valid", "1.0.x")).toBe(false);
    expect(call("semver.is_valid", 1)).toBe(false);
  });

  it("compares by precedence", () => {
    expect(call("semver.compare", "1.0.0", "1.0.1")).toBe(-1);
    expect(call("semver.compare", "2.0.0", "1.9.9")).toBe(1);
    expect(call("semver.compare", "1.0.0-alpha", "1.0.0")).toBe(-1);
    expect(call("semver.compare", "1.0.0-alpha.1", "1.0.0-alpha.beta")).toBe(-1);
    expect(call("semver.compare", "1.0.0-rc.2", "1.0.0-rc.10")).toBe(-1);
    expect(call("semver.compare", "1.0.0+a", "1.0.0+b")).toBe(0);
    expect(() => call("semver.compare", "x", "1.0.0")).toThrow('operand 1: string "x" is not a valid SemVer');
  });
});
