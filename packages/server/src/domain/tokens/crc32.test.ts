import { describe, expect, it } from "vitest";
import { crc32, crc32OfText } from "./crc32.js";

describe("crc32", () => {
  it("matches the standard check value and known vectors", () => {
    // The CRC-32/ISO-HDLC check value: crc of "123456789".
    expect(crc32OfText("123456789")).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
    expect(crc32OfText("The quick brown fox jumps over the lazy dog")).toBe(0x414fa339);
  });

  it("changes when one character changes", () => {
    expect(crc32OfText("kgs_abc")).not.toBe(crc32OfText("kgs_abd"));
  });
});
