import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BASE62_ALPHABET, encodeBytesBase62, isBase62 } from "./base62.js";

/** The definition, by BigInt: the bytes as one big-endian integer, in base62, padded to width. */
function reference(bytes: Uint8Array, width: number): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let out = "";
  while (value > 0n) {
    out = BASE62_ALPHABET[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out.padStart(Math.max(width, 1), "0");
}

describe("encodeBytesBase62", () => {
  it("matches the big-endian integer's base62 digits for random bytes of every length to 100", () => {
    for (let n = 0; n <= 100; n++) {
      for (let round = 0; round < 20; round++) {
        const bytes = randomBytes(n);
        for (const width of [0, 1, 16, 43, 200])
          expect(encodeBytesBase62(bytes, width)).toBe(reference(bytes, width));
      }
    }
  });

  it("handles leading zeros, all-zero and all-ones bytes, and padding", () => {
    expect(encodeBytesBase62(new Uint8Array(0), 0)).toBe("0");
    expect(encodeBytesBase62(new Uint8Array(32), 43)).toBe("0".repeat(43));
    expect(encodeBytesBase62(Uint8Array.of(0, 0, 61), 0)).toBe("z");
    expect(encodeBytesBase62(Uint8Array.of(0, 62), 3)).toBe("010");
    const ones = new Uint8Array(32).fill(0xff);
    expect(encodeBytesBase62(ones, 0)).toBe(reference(ones, 0));
    expect(encodeBytesBase62(ones, 0)).toHaveLength(43);
  });

  it("leaves its input unchanged and does not carry state from one call to the next", () => {
    const bytes = Uint8Array.of(1, 2, 3, 250, 251, 252);
    const copy = Uint8Array.from(bytes);
    const first = encodeBytesBase62(bytes, 10);
    encodeBytesBase62(new Uint8Array(300).fill(7), 500);
    expect(encodeBytesBase62(bytes, 10)).toBe(first);
    expect(bytes).toEqual(copy);
  });

  it("writes only base62 characters", () => {
    for (let i = 0; i < 100; i++) expect(isBase62(encodeBytesBase62(randomBytes(32), 43))).toBe(true);
  });
});
