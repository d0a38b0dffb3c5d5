// Auth: reading the token out of the Authorization header.
import { describe, expect, it } from "vitest";
import { bearerTokenOf } from "./bearer-token.js";

describe("bearerTokenOf", () => {
  it("takes the token of a Bearer header, case-insensitively, and refuses anything else", () => {
    expect(bearerTokenOf("Bearer abc")).toBe("abc");
    expect(bearerTokenOf("bearer  abc ")).toBe("abc");
    expect(() => bearerTokenOf(undefined)).toThrow(/missing Authorization/);
    expect(() => bearerTokenOf("Basic abc")).toThrow(/Bearer scheme/);
    expect(() => bearerTokenOf("abc")).toThrow(/Bearer scheme/);
  });
});
