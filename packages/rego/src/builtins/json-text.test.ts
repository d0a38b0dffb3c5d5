import { describe, expect, it } from "vitest";
import { RegoObject } from "../value/value.js";
import { parseJsonText } from "./json-text.js";

describe("JSON text parsing", () => {
  it("parses nested containers with Go's error messages", () => {
    const v = parseJsonText(' {"a": [1, {"b": null}, "x"], "c": {}} ');
    expect(v).toBeInstanceOf(RegoObject);
    expect((v as RegoObject).get("a")).toEqual([1, expect.any(RegoObject), "x"]);
    expect(() => parseJsonText("[1 2]")).toThrow("invalid character '2' after array element");
    expect(() => parseJsonText('{"a" 1}')).toThrow("invalid character '1' after object key");
    expect(() => parseJsonText('{"a": 1,}')).toThrow(
      "invalid character '}' looking for beginning of object key string",
    );
    expect(() => parseJsonText("[1,")).toThrow("unexpected end of JSON input");
  });

  it("parses text nested 10,000 deep (Go's limit) without a deep stack, and refuses deeper", () => {
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    let v = parseJsonText(deep(10_000));
    let depth = 0;
    while (Array.isArray(v) && v.length > 0) {
      v = v[0];
      depth++;
    }
    expect(depth).toBe(9_999);
    expect(() => parseJsonText(deep(10_001))).toThrow("exceeded max depth");
    expect(() => parseJsonText(deep(1_000_000))).toThrow("exceeded max depth");
  });
});
