// Builtins (crypto support): PEM and base64 decoding with the rules of Go's encoding/pem.Decode
// and base64.StdEncoding, so the crypto builtins accept exactly the inputs OPA accepts. Both run
// in time linear in the input: no regexes, and each search resumes where the last one stopped.

/** A decoded PEM block: its type (`CERTIFICATE`, `RSA PRIVATE KEY`, ...) and its bytes. */
export interface PemBlock {
  readonly type: string;
  readonly der: Buffer;
}

const ascii = (s: string): Buffer => Buffer.from(s, "latin1");
const BEGIN = ascii("-----BEGIN ");
const NL_BEGIN = ascii("\n-----BEGIN ");
const END = ascii("-----END ");
const NL_END = ascii("\n-----END ");
const DASHES = ascii("-----");
const NL = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const EQUALS = 0x3d;

function isBase64Char(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2b ||
    c === 0x2f
  );
}

/**
 * Decodes standard base64 as Go's base64.StdEncoding.DecodeString does: CR and LF are ignored
 * anywhere, padding is required, and anything else outside the alphabet fails. Undefined when
 * the text is not valid base64. `skipSpaces` also drops spaces and tabs (as pem.Decode does).
 */
export function goStdBase64(data: Uint8Array, skipSpaces = false): Buffer | undefined {
  const skip = (c: number): boolean => c === CR || c === NL || (skipSpaces && (c === SPACE || c === TAB));
  // Validate first, stopping at the first bad byte, so a failed attempt costs only that far.
  let n = 0;
  let padding = 0;
  for (const c of data) {
    if (skip(c)) continue;
    if (c === EQUALS) padding++;
    else if (!isBase64Char(c) || padding > 0) return undefined;
    n++;
  }
  // Padding ends the text and fills at most the last two places of the last group of four.
  if (n % 4 !== 0 || padding > 2) return undefined;
  const clean = Buffer.alloc(n);
  let i = 0;
  for (const c of data) if (!skip(c)) clean[i++] = c;
  return Buffer.from(clean.toString("latin1"), "base64");
}

/** Go's getLine: the line at `pos` without its line ending and trailing blanks, and where the next starts. */
function getLine(data: Buffer, pos: number): { start: number; end: number; next: number } {
  const nl = data.indexOf(NL, pos);
  let end = nl < 0 ? data.length : nl;
  const next = nl < 0 ? data.length : nl + 1;
  if (nl >= 0 && end > pos && data[end - 1] === CR) end--;
  while (end > pos && (data[end - 1] === SPACE || data[end - 1] === TAB)) end--;
  return { start: pos, end, next };
}

function hasAt(data: Buffer, pos: number, seq: Buffer): boolean {
  return pos + seq.length <= data.length && data.compare(seq, 0, seq.length, pos, pos + seq.length) === 0;
}

function lineHasColon(data: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (data[i] === COLON) return true;
  return false;
}

/** Every block Go's pem.Decode finds in `input` when called until it finds none, in order. */
export function decodePemBlocks(input: Uint8Array): PemBlock[] {
  const data = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const blocks: PemBlock[] = [];
  // The first "\n-----END " at or after the last search start; positions only move forward, so
  // each search resumes past the previous one and the whole decode stays linear.
  let endFound = -2;
  const nextEnd = (from: number): number => {
    if (endFound === -1 || endFound >= from) return endFound;
    endFound = data.indexOf(NL_END, from);
    return endFound;
  };
  let pos = 0;
  for (;;) {
    const found = decodeOne(data, pos, nextEnd);
    if (!found) return blocks;
    blocks.push(found.block);
    pos = found.next;
  }
}

/** One pem.Decode call from `pos`: the first well-formed block and where the rest starts. */
function decodeOne(
  data: Buffer,
  pos: number,
  nextEnd: (from: number) => number,
): { block: PemBlock; next: number } | undefined {
  let rest = pos;
  for (;;) {
    if (hasAt(data, rest, BEGIN)) {
      rest += BEGIN.length;
    } else {
      const i = data.indexOf(NL_BEGIN, rest);
      if (i < 0) return undefined;
      rest = i + NL_BEGIN.length;
    }
    const typeLine = getLine(data, rest);
    rest = typeLine.next;
    const typeEnd = typeLine.end - DASHES.length;
    if (typeEnd < typeLine.start || !hasAt(data, typeEnd, DASHES)) continue;
    const typeBytes = data.subarray(typeLine.start, typeEnd);

    let headers = 0;
    for (;;) {
      if (rest >= data.length) return undefined;
      const line = getLine(data, rest);
      if (!lineHasColon(data, line.start, line.end)) break;
      headers++;
      rest = line.next;
    }

    let endIndex: number;
    let trailer: number;
    if (headers === 0 && hasAt(data, rest, END)) {
      endIndex = rest;
      trailer = rest + END.length;
    } else {
      endIndex = nextEnd(rest);
      if (endIndex < 0) continue;
      trailer = endIndex + NL_END.length;
    }
    // The END line names the same type, ends in five dashes, and has nothing after them.
    const trailerEnd = trailer + typeBytes.length + DASHES.length;
    if (trailerEnd > data.length) continue;
    if (!hasAt(data, trailer, typeBytes) || !hasAt(data, trailer + typeBytes.length, DASHES)) continue;
    const after = getLine(data, trailerEnd);
    if (after.end !== after.start) continue;

    const der = goStdBase64(data.subarray(rest, endIndex), true);
    if (!der) continue;
    return {
      block: { type: typeBytes.toString("utf8"), der },
      next: getLine(data, endIndex + NL_END.length - 1).next,
    };
  }
}
