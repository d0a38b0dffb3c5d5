// Domain layer, tokens: the token text format `kg<kind>_<publicId>_<secret><checksum>`.
//   kind      one letter: `s` service (SERVICE API key), `u` user (personal, USER API key),
//             `d` delegate; so `kgs_`, `kgu_`, `kgd_` tell people and secret scanners what it is
//   publicId  12 base62 chars (~71 bits): the lookup key, stored in clear, not a secret
//   secret    43 base62 chars encoding 32 random bytes (256 bits); only its hash is stored
//   checksum  CRC-32 of everything before it, 6 base62 chars
// e.g. kgs_4fQ2w9ZkPzL1_<43 chars><6 chars>; 68 characters in all.
import { BASE62_ALPHABET, encodeBytesBase62 } from "../encoding/base62.js";
import { randomBytes } from "../ids/random-bytes.js";
import { randomBase62Digits } from "../ids/random-id.js";
import { crc32OfAsciiPrefix, crc32OfText } from "./crc32.js";

/** What a token is for, from its prefix. */
export type TokenKind = "service" | "user" | "delegate";

/** The prefix letter of each kind. */
export const TOKEN_KIND_LETTERS: Readonly<Record<TokenKind, string>> = {
  service: "s",
  user: "u",
  delegate: "d",
};

/** Length of the public id. */
export const PUBLIC_ID_LENGTH = 12;
/** Length of the secret (256 bits in base62). */
export const SECRET_LENGTH = 43;
/** Length of the checksum (CRC-32 in base62). */
export const CHECKSUM_LENGTH = 6;

/** The parts of a well-formed token. */
export interface ParsedToken {
  readonly kind: TokenKind;
  readonly publicId: string;
  readonly secret: string;
}

/** Why a text is not a token (no part of the text is echoed, so it can be logged). */
export type TokenFormatError = "malformed" | "unknown-kind" | "bad-checksum";

/** The result of parsing a presented token. */
export type TokenParseResult =
  | { readonly ok: true; readonly token: ParsedToken }
  | { readonly ok: false; readonly error: TokenFormatError };

const KIND_BY_LETTER: ReadonlyMap<string, TokenKind> = new Map(
  (Object.entries(TOKEN_KIND_LETTERS) as [TokenKind, string][]).map(([kind, letter]) => [letter, kind]),
);

/** Where the parts of a token's text start: `kg`, the kind letter, `_`, public id, `_`, secret, checksum. */
const PUBLIC_ID_START = 4;
const SECRET_START = PUBLIC_ID_START + PUBLIC_ID_LENGTH + 1;
const CHECKSUM_START = SECRET_START + SECRET_LENGTH;
const TOKEN_LENGTH = CHECKSUM_START + CHECKSUM_LENGTH;

/** The base62 digit value of each ASCII char code, -1 for chars outside the alphabet. */
const DIGIT_VALUES: Int8Array = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE62_ALPHABET.length; i++) values[BASE62_ALPHABET.charCodeAt(i)] = i;
  return values;
})();

/** True when the chars of `text` in [from, to) are all base62 digits. */
function allDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || DIGIT_VALUES[code]! < 0) return false;
  }
  return true;
}

function checksumOf(body: string): string {
  // A CRC-32 fits a double exactly: base62 digits by number arithmetic, no BigInt on the hot path.
  let rest = crc32OfText(body);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62_ALPHABET[rest % 62]! + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/** Writes a token's text from its parts. */
export function formatToken(token: ParsedToken): string {
  const body = `kg${TOKEN_KIND_LETTERS[token.kind]}_${token.publicId}_${token.secret}`;
  return body + checksumOf(body);
}

/**
 * Splits and checks a presented token: shape, kind and checksum; touches no store. Read char by
 * char (no pattern match, no body cut out for the checksum): this runs on every request.
 */
export function parseToken(text: string): TokenParseResult {
  if (
    text.length !== TOKEN_LENGTH ||
    text.charCodeAt(0) !== 0x6b || // k
    text.charCodeAt(1) !== 0x67 || // g
    text.charCodeAt(3) !== 0x5f || // _
    text.charCodeAt(SECRET_START - 1) !== 0x5f
  ) {
    return { ok: false, error: "malformed" };
  }
  const letter = text.charCodeAt(2);
  if (letter < 0x61 || letter > 0x7a) return { ok: false, error: "malformed" };
  if (!allDigits(text, PUBLIC_ID_START, SECRET_START - 1) || !allDigits(text, SECRET_START, TOKEN_LENGTH)) {
    return { ok: false, error: "malformed" };
  }
  const kind = KIND_BY_LETTER.get(text[2]!);
  if (kind === undefined) return { ok: false, error: "unknown-kind" };
  // Six base62 digits name each number below 62^6 (> 2^32) once: comparing the numbers compares
  // the presented checksum with the one formatToken writes.
  let presented = 0;
  for (let i = CHECKSUM_START; i < TOKEN_LENGTH; i++) presented = presented * 62 + DIGIT_VALUES[text.charCodeAt(i)]!;
  if (presented !== crc32OfAsciiPrefix(text, CHECKSUM_START)) return { ok: false, error: "bad-checksum" };
  return {
    ok: true,
    token: {
      kind,
      publicId: text.slice(PUBLIC_ID_START, SECRET_START - 1),
      secret: text.slice(SECRET_START, CHECKSUM_START),
    },
  };
}

/** A new random public id. */
export function newPublicId(): string {
  return randomBase62Digits(9, PUBLIC_ID_LENGTH);
}

/** A new random 256-bit secret in base62. */
export function newSecret(): string {
  return encodeBytesBase62(randomBytes(32), SECRET_LENGTH);
}

/** A new token of the kind: its parts and its text (to show once, never to store). */
export function generateToken(kind: TokenKind): { readonly parts: ParsedToken; readonly text: string } {
  const parts: ParsedToken = { kind, publicId: newPublicId(), secret: newSecret() };
  return { parts, text: formatToken(parts) };
}
