import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KNOWN_MISMATCHES_FILE, KnownMismatches, readKnownMismatches } from "./known-mismatches.js";

function fileWith(doc: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "known-")), "known.json");
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe("KnownMismatches", () => {
  const list = new KnownMismatches([
    { corpus: "conformance", case: "v1/x | note", reason: "by id" },
    { corpus: "generated", match: "rego_type_error: match error", reason: "by pattern" },
  ]);

  const facts = (id: string, repro: string) => ({ id, what: "w", repro, opa: "o", ours: "u" });

  it("finds an entry by exact case id or by a pattern in the repro, within its corpus only", () => {
    expect(list.lookup("conformance", facts("v1/x | note", ""))?.reason).toBe("by id");
    expect(
      list.lookup("generated", facts("seed 1", "--- opa:\n  a:1:1: rego_type_error: match error"))?.reason,
    ).toBe("by pattern");
    expect(list.lookup("check", facts("v1/x | note", ""))).toBeUndefined();
    expect(list.lookup("generated", facts("seed 2", "something else"))).toBeUndefined();
  });

  it("needs every pattern of an entry to match: the summary and each side's answer", () => {
    const byParts = new KnownMismatches([
      {
        corpus: "generated",
        what: "^error codes differ: opa ([a-z_]+), ours .*\\b\\1\\b",
        ours: "recursion",
        reason: "extra codes",
      },
    ]);
    const f = { id: "s", repro: "", opa: "x: rego_unsafe_var_error: var z is unsafe" };
    const what =
      "error codes differ: opa rego_unsafe_var_error, ours rego_recursion_error,rego_unsafe_var_error";
    expect(byParts.lookup("generated", { ...f, what, ours: "rego_recursion_error: ..." })?.reason).toBe(
      "extra codes",
    );
    expect(byParts.lookup("generated", { ...f, what, ours: "rego_type_error: ..." })).toBeUndefined();
    const other = "error codes differ: opa rego_type_error, ours rego_recursion_error";
    expect(byParts.lookup("generated", { ...f, what: other, ours: "recursion" })).toBeUndefined();
  });

  it("lists the entries of the corpora run that matched nothing", () => {
    const fresh = new KnownMismatches(list.entries);
    fresh.lookup("conformance", facts("v1/x | note", ""));
    expect(fresh.unused(["conformance", "generated"]).map((e) => e.reason)).toEqual(["by pattern"]);
    expect(fresh.unused(["conformance"])).toEqual([]);
  });
});

describe("readKnownMismatches", () => {
  it("reads the project's list", () => {
    expect(readKnownMismatches(KNOWN_MISMATCHES_FILE).entries.every((e) => e.reason.length > 0)).toBe(true);
  });

  it("refuses entries without a reason, a selector, a known corpus or a valid pattern, saying where", () => {
    expect(() =>
      readKnownMismatches(fileWith({ mismatches: [{ corpus: "generated", match: "x" }] })),
    ).toThrow(/mismatches\[0\]: "reason" must say why/);
    expect(() =>
      readKnownMismatches(fileWith({ mismatches: [{ corpus: "generated", reason: "r" }] })),
    ).toThrow(/needs "case" or a pattern/);
    expect(() =>
      readKnownMismatches(fileWith({ mismatches: [{ corpus: "nope", case: "c", reason: "r" }] })),
    ).toThrow(/"corpus" must be one of/);
    expect(() =>
      readKnownMismatches(fileWith({ mismatches: [{ corpus: "generated", match: "(", reason: "r" }] })),
    ).toThrow(/not a valid regular expression/);
    expect(() => readKnownMismatches(fileWith([]))).toThrow(/expected an object with a "mismatches" list/);
  });
});
