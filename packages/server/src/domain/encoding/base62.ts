// Domain layer, encoding: base62 (0-9A-Za-z) for ids and token parts; URL- and copy-paste-safe.
// A token save encodes five random values (two ids, an audit id, the public id and the secret), so
// this runs on the write path: long division with plain numbers (no BigInt steps, no string built
// digit by digit): the bytes as 24-bit limbs divided by 62^4, four digits a pass, on scratch
// arrays wiped after use, as they may hold a secret.

/** The base62 alphabet, in the order of digit values. */
export const BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const DIGIT_CODES = Uint8Array.from(BASE62_ALPHABET, (c) => c.charCodeAt(0));
const ZERO = DIGIT_CODES[0]!;
const LIMB = 2 ** 24;
/** 62^4: a remainder below it is four digits; remainder * 2^24 + limb stays below 2^53. */
const CHUNK = 62 ** 4;

/** Base62 digits of n bytes, with room for a pass's four: at most ceil(8n / log2(62)) + 4. */
function digitRoom(byteCount: number): number {
  return Math.ceil((byteCount * 8) / Math.log2(62)) + 4;
}

let limbs = new Float64Array(32);
let digits = new Uint8Array(digitRoom(96));

/**
 * Encodes bytes as one big-endian integer in base62, left-padded with "0" to at least `width`
 * characters (and at least one).
 */
export function encodeBytesBase62(bytes: Uint8Array, width: number): string {
  const n = bytes.length;
  const count = Math.ceil(n / 3);
  if (limbs.length < count) limbs = new Float64Array(count);
  const room = Math.max(digitRoom(n), width, 1);
  if (digits.length < room) digits = new Uint8Array(room);
  // Limbs of three bytes, big-endian, the first taking what is left over.
  for (let k = count - 1, j = n; k >= 0; k--) {
    const from = Math.max(0, j - 3);
    let v = 0;
    for (let i = from; i < j; i++) v = v * 256 + bytes[i]!;
    limbs[k] = v;
    j = from;
  }
  let start = 0;
  while (start < count && limbs[start] === 0) start++;
  // Digits are written from the end of `digits`, least significant first.
  let end = digits.length;
  while (start < count) {
    let rest = 0;
    for (let i = start; i < count; i++) {
      const acc = rest * LIMB + limbs[i]!;
      const q = Math.floor(acc / CHUNK);
      limbs[i] = q;
      rest = acc - q * CHUNK;
    }
    for (let d = 0; d < 4; d++) {
      const q = Math.floor(rest / 62);
      digits[--end] = DIGIT_CODES[rest - q * 62]!;
      rest = q;
    }
    while (start < count && limbs[start] === 0) start++;
  }
  limbs.fill(0, 0, count);
  while (end < digits.length && digits[end] === ZERO) end++;
  const pad = Math.max(width, 1);
  while (digits.length - end < pad) digits[--end] = ZERO;
  const text = String.fromCharCode.apply(null, digits.subarray(end) as unknown as number[]);
  digits.fill(0, end);
  return text;
}

/** True when every character of `text` is in the base62 alphabet. */
export function isBase62(text: string): boolean {
  return /^[0-9A-Za-z]*$/.test(text);
}
