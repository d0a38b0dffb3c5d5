import { describe, expect, it } from "vitest";
import { randomBytes } from "./random-bytes.js";

describe("pooled random bytes", () => {
  it("hands out fresh bytes of the asked length, across block boundaries", () => {
    const seen = new Set<string>();
    // 11-byte draws cross the 4 KiB block boundary several times.
    for (let i = 0; i < 2000; i++) {
      const b = randomBytes(11);
      expect(b.length).toBe(11);
      seen.add(b.toString("hex"));
    }
    expect(seen.size).toBe(2000);
  });

  it("gives each caller its own copy", () => {
    const a = randomBytes(32);
    const copy = Buffer.from(a);
    randomBytes(32);
    expect(a.equals(copy)).toBe(true);
  });

  it("is not constant: bytes vary in every position", () => {
    const first = randomBytes(16);
    const differs = new Array<boolean>(16).fill(false);
    for (let i = 0; i < 64; i++) {
      const b = randomBytes(16);
      for (let j = 0; j < 16; j++) if (b[j] !== first[j]) differs[j] = true;
    }
    expect(differs.every(Boolean)).toBe(true);
  });

  it("serves large and empty requests, and refuses bad lengths", () => {
    expect(randomBytes(0).length).toBe(0);
    expect(randomBytes(5000).length).toBe(5000);
    expect(() => randomBytes(-1)).toThrow(/bad length/);
    expect(() => randomBytes(1.5)).toThrow(/bad length/);
  });
});
