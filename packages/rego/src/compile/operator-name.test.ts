import { describe, expect, it } from "vitest";
import { namePath, pathName } from "./compiler.js";

describe("function names", () => {
  it("write plain segments dotted and others in brackets, and read them back", () => {
    expect(pathName(["data", "pkg", "f"])).toBe("data.pkg.f");
    expect(pathName(["data", "f", "a.b"])).toBe('data.f["a.b"]');
    for (const path of [
      ["io", "jwt", "decode"],
      ["f", "a.b"],
      ["x", 'we"ird]', "c"],
      ["p", "1x", "y"],
    ]) {
      expect(namePath(pathName(path))).toEqual(path);
    }
  });
});
