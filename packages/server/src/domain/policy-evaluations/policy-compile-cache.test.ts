// Policy evaluation: compiled policies are kept by content hash, so a text seen before is not
// compiled again, and any change to what the compiled value depends on compiles anew.
import { describe, expect, it } from "vitest";
import { cachedCompiledPolicy, withContentHash } from "./policy-compile-cache.js";

const TEXT = {
  policyId: "pol-cache",
  policyName: "cache",
  enforcementLevel: "mandatory" as const,
  query: null,
  source: 'package cache\n\ndeny contains "no" if input.x\n',
};

describe("compiled policies by content hash", () => {
  it("compiles a text once, and again when its source, name or purpose changes", () => {
    const first = cachedCompiledPolicy("save", withContentHash(TEXT));
    expect(first.ok).toBe(true);
    expect(cachedCompiledPolicy("save", withContentHash({ ...TEXT }))).toBe(first);
    expect(cachedCompiledPolicy("save", withContentHash({ ...TEXT, source: `${TEXT.source}\n` }))).not.toBe(first);
    expect(cachedCompiledPolicy("save", withContentHash({ ...TEXT, policyName: "renamed" }))).not.toBe(first);
    expect(cachedCompiledPolicy("login", withContentHash(TEXT))).not.toBe(first);
  });
});
