// Domain layer, tokens: the token text format `kg<kind>_<publicId>_<secret><checksum>`.
//   kind      one letter: `s` service (SERVICE API key), `u` user (personal, USER API key),
//             `d` delegate; so `kgs_`, `kgu_`, `kgd_` tell people and secret scanners what it is
//   publicId  12 base62 chars (~71 bits): the lookup key, stored in clear, not a secret
//   secret    43 base62 chars encoding 32 random bytes (256 bits); only its hash is stored
//   checksum  CRC-32 of everything before it, 6 base62 chars
// e.g. kgs_4fQ2w9ZkPzL1_<43 chars><6 chars>; 68 characters in all.
import { BASE62_ALPHABET, encodeBytesBase62 } from "../encoding/base62.js";
import { randomBytes } from "../ids/random-bytes.js";
import { crc32OfText } from "./crc32.js";

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

const TOKEN_PATTERN = new RegExp(
  `^kg([a-z])_([0-9A-Za-z]{${PUBLIC_ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);

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

/** Splits and checks a presented token: shape, kind and checksum; touches no store. */
export function parseToken(text: string): TokenParseResult {
  const match = TOKEN_PATTERN.exec(text);
  if (!match) return { ok: false, error: "malformed" };
  const [, letter, publicId, secret, checksum] = match as unknown as [string, string, string, string, string];
  const kind = KIND_BY_LETTER.get(letter);
  if (kind === undefined) return { ok: false, error: "unknown-kind" };
  if (checksumOf(`kg${letter}_${publicId}_${secret}`) !== checksum)
    return { ok: false, error: "bad-checksum" };
  return { ok: true, token: { kind, publicId, secret } };
}

/** A new random public id. */
export function newPublicId(): string {
  return encodeBytesBase62(randomBytes(9), PUBLIC_ID_LENGTH).slice(-PUBLIC_ID_LENGTH);
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
