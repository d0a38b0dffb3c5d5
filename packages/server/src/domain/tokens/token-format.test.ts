import { describe, expect, it } from "vitest";
import { BASE62_ALPHABET } from "../encoding/base62.js";
import {
  CHECKSUM_LENGTH,
  formatToken,
  generateToken,
  PUBLIC_ID_LENGTH,
  parseToken,
  SECRET_LENGTH,
} from "./token-format.js";

describe("token format", () => {
  it("generates kg<kind>_<publicId>_<secret><checksum> that parses back to its parts", () => {
    for (const kind of ["service", "user", "delegate"] as const) {
      const { parts, text } = generateToken(kind);
      const letter = { service: "s", user: "u", delegate: "d" }[kind];
      expect(text.startsWith(`kg${letter}_`)).toBe(true);
      expect(text).toHaveLength(4 + PUBLIC_ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH);
      expect(parts.publicId).toHaveLength(PUBLIC_ID_LENGTH);
      expect(parts.secret).toHaveLength(SECRET_LENGTH);
      expect(parseToken(text)).toEqual({ ok: true, token: parts });
      expect(formatToken(parts)).toBe(text);
    }
  });

  it("makes secrets of 256 bits that differ every time", () => {
    const secrets = new Set(Array.from({ length: 200 }, () => generateToken("service").parts.secret));
    expect(secrets.size).toBe(200);
    // 43 base62 digits hold 256 bits: 62^43 > 2^256 > 62^42.
    expect(62n ** 43n > 2n ** 256n && 2n ** 256n > 62n ** 42n).toBe(true);
  });

  it("rejects a mistyped character through the checksum", () => {
    const { text } = generateToken("service");
    const at = 10;
    const original = text[at]!;
    const replacement = BASE62_ALPHABET[(BASE62_ALPHABET.indexOf(original) + 1) % 62]!;
    const typo = text.slice(0, at) + replacement + text.slice(at + 1);
    expect(parseToken(typo)).toEqual({ ok: false, error: "bad-checksum" });
  });

  it("rejects swapped adjacent characters", () => {
    const { text } = generateToken("user");
    for (let i = 20; i < 60; i++) {
      if (text[i] === text[i + 1]) continue;
      const swapped = text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2);
      expect(parseToken(swapped).ok).toBe(false);
      return;
    }
  });

  it("rejects truncated, padded, foreign and unknown-kind tokens", () => {
    const { text } = generateToken("service");
    expect(parseToken(text.slice(0, -1))).toEqual({ ok: false, error: "malformed" });
    expect(parseToken(`${text}x`)).toEqual({ ok: false, error: "malformed" });
    expect(parseToken("ghp_abcdef")).toEqual({ ok: false, error: "malformed" });
    expect(parseToken("")).toEqual({ ok: false, error: "malformed" });
    expect(parseToken(`kgz${text.slice(3)}`)).toEqual({ ok: false, error: "unknown-kind" });
  });
});
