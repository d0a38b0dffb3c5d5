import { describe, expect, it } from "vitest";
import { decodeStringLiteral } from "./string-literal.js";

describe("decodeStringLiteral", () => {
  it("decodes JSON escapes", () => {
    expect(decodeStringLiteral('"plain"')).toBe("plain");
    expect(decodeStringLiteral('"a\\"b\\\\c\\/d\\n\\t"')).toBe('a"b\\c/d\n\t');
    expect(decodeStringLiteral('"\\u00e9\\ud83d\\ude00"')).toBe("é😀");
    expect(decodeStringLiteral('"\\ud83d"')).toBe("\uFFFD");
  });

  it("refuses bad escapes", () => {
    expect(decodeStringLiteral('"\\x"')).toBeUndefined();
    expect(decodeStringLiteral('"\\u12"')).toBeUndefined();
  });
});
