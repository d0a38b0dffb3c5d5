// Domain layer, tokens: CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum at
// the end of every token so that typos and truncation are caught before any store lookup.

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of the bytes, as an unsigned 32-bit integer. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The CRC-32 of a string's UTF-8 bytes. */
export function crc32OfText(text: string): number {
  // Tokens are ASCII, whose char codes are their UTF-8 bytes: no encoding on the request path.
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return crc32(new TextEncoder().encode(text));
    crc = TABLE[(crc ^ code) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * The CRC-32 of the first `end` characters of an ASCII text (every char code below 0x80, which the
 * caller has checked): a token's checksum without cutting its body out first.
 */
export function crc32OfAsciiPrefix(text: string, end: number): number {
  let crc = 0xffffffff;
  for (let i = 0; i < end; i++) crc = TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
