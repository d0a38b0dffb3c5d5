// Validation: NUL characters and nesting depth, anywhere in an input document.
import { describe, expect, it } from "vitest";
import { findUnstorableInput, MAX_INPUT_DEPTH } from "./storable-input.js";

describe("findUnstorableInput", () => {
  it("accepts ordinary documents, whatever their scalars", () => {
    expect(findUnstorableInput({ data: { attributes: { name: "x", n: 1e300, ok: true, none: null } } })).toBe(
      undefined,
    );
    expect(findUnstorableInput("text")).toBe(undefined);
    expect(findUnstorableInput(undefined)).toBe(undefined);
  });

  it("names the value or key holding a NUL by JSON pointer", () => {
    expect(findUnstorableInput({ data: { attributes: { description: "x\u0000y" } } })).toEqual({
      kind: "nul_character",
      pointer: "/data/attributes/description",
      inKey: false,
    });
    expect(findUnstorableInput({ tags: { "a/b~\u0000": "v" } })).toEqual({
      kind: "nul_character",
      pointer: "/tags/a~1b~0\u0000",
      inKey: true,
    });
    expect(findUnstorableInput({ list: ["ok", ["\u0000"]] })).toMatchObject({ pointer: "/list/1/0" });
    expect(findUnstorableInput("\u0000")).toMatchObject({ pointer: "" });
  });

  it("refuses nesting deeper than the limit without exhausting the stack", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findUnstorableInput(deep)).toMatchObject({ kind: "too_deep" });
    let fits: unknown = "leaf";
    for (let i = 0; i < MAX_INPUT_DEPTH; i++) fits = { a: fits };
    expect(findUnstorableInput(fits)).toBe(undefined);
    expect(findUnstorableInput({ wrap: fits })).toMatchObject({ kind: "too_deep" });
  });
});
