// Policies, Rego: the CodeMirror mode's tokenizer on keywords, strings, raw and template strings
// (also across lines), comments, numbers and operators.
import { StringStream } from "@codemirror/language";
import { describe, expect, it } from "vitest";
import { type RegoState, regoToken } from "./rego-language";

function tokens(lines: readonly string[]): [string, string | null][][] {
  const state: RegoState = { open: null, templateDepth: 0 };
  return lines.map((line) => {
    const stream = new StringStream(line, 4, 2);
    const out: [string, string | null][] = [];
    while (!stream.eol()) {
      stream.start = stream.pos;
      const tag = regoToken(stream, state);
      if (tag !== null) out.push([stream.current(), tag]);
    }
    return out;
  });
}

describe("Rego mode", () => {
  it("tags keywords, names, input, functions, numbers and operators", () => {
    const [line] = tokens(["deny contains msg if { count(input.xs) > 10 }"]);
    expect(line).toEqual([
      ["deny", "variableName"],
      ["contains", "keyword"],
      ["msg", "variableName"],
      ["if", "keyword"],
      ["{", "punctuation"],
      ["count", "function"],
      ["(", "punctuation"],
      ["input", "variableName.special"],
      [".", "punctuation"],
      ["xs", "variableName"],
      [")", "punctuation"],
      [">", "operator"],
      ["10", "number"],
      ["}", "punctuation"],
    ]);
  });

  it("reads strings with escapes, and comments to the end of the line", () => {
    const [line] = tokens(['x := "a \\"quoted\\" # not a comment" # a comment']);
    expect(line).toContainEqual(['"a \\"quoted\\" # not a comment"', "string"]);
    expect(line?.at(-1)).toEqual(["# a comment", "comment"]);
  });

  it("keeps a raw string open across lines", () => {
    const lines = tokens(["x := `first", "second # still string", "third` == y"]);
    expect(lines[0]?.at(-1)).toEqual(["`first", "string"]);
    expect(lines[1]).toEqual([["second # still string", "string"]]);
    expect(lines[2]?.[0]).toEqual(["third`", "string"]);
    expect(lines[2]?.at(-1)).toEqual(["y", "variableName"]);
  });

  it("tags template strings, quoted and raw", () => {
    const [line] = tokens(['msg := $"user {input.name} denied"']);
    expect(line?.at(-1)).toEqual(['$"user {input.name} denied"', "string.special"]);
    const raw = tokens(["t := $`a", "b`"]);
    expect(raw[0]?.at(-1)).toEqual(["$`a", "string.special"]);
    expect(raw[1]).toEqual([["b`", "string.special"]]);
  });

  it("tags true, false and null as atoms and package/import as keywords", () => {
    const [line] = tokens(["package p import rego.v1 default allow := false"]);
    expect(line?.map(([, tag]) => tag)).toEqual([
      "keyword",
      "variableName",
      "keyword",
      "variableName",
      "punctuation",
      "variableName",
      "keyword",
      "variableName",
      "operator",
      "atom",
    ]);
  });
});
