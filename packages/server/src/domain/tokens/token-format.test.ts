import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BASE62_ALPHABET } from "../encoding/base62.js";
import { crc32OfText } from "./crc32.js";
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

  it("decides as the format's pattern does, on mutated tokens and on any text", () => {
    // The format written as a pattern: what the char-by-char parser must agree with.
    const reference = (text: string) => {
      const match = /^kg([a-z])_([0-9A-Za-z]{12})_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/.exec(text);
      if (!match) return { ok: false, error: "malformed" };
      const [, letter, publicId, secret, checksum] = match as unknown as string[];
      const kind = ({ s: "service", u: "user", d: "delegate" } as Record<string, string>)[letter!];
      if (kind === undefined) return { ok: false, error: "unknown-kind" };
      let rest = crc32OfText(`kg${letter}_${publicId}_${secret}`);
      let expected = "";
      for (let i = 0; i < CHECKSUM_LENGTH; i++) {
        expected = BASE62_ALPHABET[rest % 62]! + expected;
        rest = Math.floor(rest / 62);
      }
      if (expected !== checksum) return { ok: false, error: "bad-checksum" };
      return { ok: true, token: { kind, publicId, secret } };
    };
    const tokens = fc.constantFrom("service", "user", "delegate").map((kind) => generateToken(kind as "service").text);
    const mutated = fc
      .tuple(tokens, fc.nat(), fc.string({ minLength: 0, maxLength: 2 }), fc.nat(3))
      .map(([text, at, insert, drop]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + drop);
      });
    const retyped = fc
      .tuple(tokens, fc.nat(), fc.constantFrom(..."kgsudxz_09AZaz-é\u0000"))
      .map(([text, at, c]) => {
        const i = at % text.length;
        return text.slice(0, i) + c + text.slice(i + 1);
      });
    fc.assert(
      fc.property(fc.oneof(tokens, mutated, retyped, fc.string(), fc.string({ minLength: 66, maxLength: 66 })), (text) => {
        expect(parseToken(text)).toEqual(reference(text));
      }),
      { numRuns: 3000 },
    );
  });
});
