import { describe, expect, it } from "vitest";
import { decodePemBlocks, goStdBase64 } from "./crypto-pem.js";

const b64 = (s: string, skipSpaces = false): string | undefined =>
  goStdBase64(Buffer.from(s, "latin1"), skipSpaces)?.toString("latin1");

const blocks = (s: string): [string, string][] =>
  decodePemBlocks(Buffer.from(s, "utf8")).map((b) => [b.type, b.der.toString("latin1")]);

describe("goStdBase64", () => {
  it("decodes padded standard base64, ignoring CR and LF", () => {
    expect(b64("")).toBe("");
    expect(b64("QQ==")).toBe("A");
    expect(b64("QUI=")).toBe("AB");
    expect(b64("QUJD")).toBe("ABC");
    expect(b64("QU\r\nJD\n")).toBe("ABC");
    expect(b64("QQ=\n=")).toBe("A");
  });

  it("refuses what Go's StdEncoding refuses", () => {
    for (const bad of ["QQ", "Q===", "====", "QQ==QUJD", "QU=D", "QUJD_A==", "QU JD", "QUJD\t"]) {
      expect(b64(bad), bad).toBeUndefined();
    }
    expect(b64("QU JD", true)).toBe("ABC");
  });
});

describe("decodePemBlocks", () => {
  it("finds blocks at the start of lines, with or without headers", () => {
    const text =
      "junk\n-----BEGIN A-----\nQQ==\n-----END A-----\nmore\n-----BEGIN B B-----\nk: v\n\nQUI=\n-----END B B-----";
    expect(blocks(text)).toEqual([
      ["A", "A"],
      ["B B", "AB"],
    ]);
    expect(blocks("-----BEGIN E-----\n-----END E-----\n")).toEqual([["E", ""]]);
    expect(blocks("-----BEGIN A-----  \r\nQU\r\n JD\t\r\n-----END A----- \r\n")).toEqual([["A", "ABC"]]);
  });

  it("skips what is not a well-formed block and goes on", () => {
    const good = "-----BEGIN OK-----\nQQ==\n-----END OK-----\n";
    for (const bad of [
      "x-----BEGIN A-----\nQQ==\n-----END A-----\n", // BEGIN not at the start of a line
      "-----BEGIN A----\nQQ==\n-----END A-----\n", // type line without five dashes
      "-----BEGIN A-----\nQQ==\n-----END B-----\n", // END names another type
      "-----BEGIN A-----\nQQ==\n-----END A----- x\n", // text after the END line
      "-----BEGIN A-----\nQQ=\n-----END A-----\n", // bad base64
    ]) {
      expect(blocks(bad + good), bad).toEqual([["OK", "A"]]);
    }
    expect(blocks("-----BEGIN A-----\nQQ==\n")).toEqual([]);
    expect(blocks("no pem at all")).toEqual([]);
  });
});
