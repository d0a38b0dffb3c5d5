// Domain layer, encoding: base62 (0-9A-Za-z) for ids and token parts; URL- and copy-paste-safe.

/** The base62 alphabet, in the order of digit values. */
export const BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Encodes a non-negative integer in base62, left-padded with "0" to at least `width` characters. */
export function encodeBase62(value: bigint, width = 0): string {
  if (value < 0n) throw new RangeError("encodeBase62 needs a non-negative integer");
  let out = "";
  let rest = value;
  while (rest > 0n) {
    out = BASE62_ALPHABET[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  return out.padStart(Math.max(width, 1), "0");
}

/** Encodes bytes as one big-endian integer in base62, padded to `width`. */
export function encodeBytesBase62(bytes: Uint8Array, width: number): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return encodeBase62(value, width);
}

/** True when every character of `text` is in the base62 alphabet. */
export function isBase62(text: string): boolean {
  return /^[0-9A-Za-z]*$/.test(text);
}
