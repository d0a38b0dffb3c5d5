// Builtins (crypto support): a minimal DER reader for the parts of X.509 and PKCS#10 structures
// that node:crypto does not expose (certificate versions, distinguished names, CSRs).

import { BuiltinError } from "./builtin.js";

/** One DER element: its tag, where its contents start and end, and where it ends overall. */
export interface DerElement {
  readonly tag: number;
  readonly contentStart: number;
  readonly end: number;
  readonly start: number;
}

function malformed(what: string): BuiltinError {
  return new BuiltinError("builtin", `x509: malformed ${what}`);
}

/** Reads the DER element at `offset`. */
export function readElement(buf: Uint8Array, offset: number): DerElement {
  if (offset + 2 > buf.length) throw malformed("DER element");
  const tag = buf[offset] as number;
  let len = buf[offset + 1] as number;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > buf.length) throw malformed("DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + i] as number);
    pos += n;
  }
  if (pos + len > buf.length) throw malformed("DER element");
  return { tag, start: offset, contentStart: pos, end: pos + len };
}

/** The child elements of a constructed element. */
export function children(buf: Uint8Array, el: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let pos = el.contentStart;
  while (pos < el.end) {
    const child = readElement(buf, pos);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Splits concatenated DER structures (a certificate chain) into their byte ranges. */
export function splitDer(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const el = readElement(buf, pos);
    if (el.tag !== 0x30) throw malformed("certificate");
    out.push(buf.subarray(el.start, el.end));
    pos = el.end;
  }
  return out;
}

/** Decodes an OBJECT IDENTIFIER's contents to its arcs. */
export function decodeOid(buf: Uint8Array, el: DerElement): number[] {
  const bytes = buf.subarray(el.contentStart, el.end);
  const arcs: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - first * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  return arcs;
}

/** Decodes a small non-negative INTEGER. */
export function decodeSmallInt(buf: Uint8Array, el: DerElement): number {
  let v = 0;
  for (let i = el.contentStart; i < el.end; i++) v = v * 256 + (buf[i] as number);
  return v;
}

/** Decodes a directory string (UTF8String, PrintableString, IA5String, BMPString, ...). */
export function decodeString(buf: Uint8Array, el: DerElement): string {
  const bytes = buf.subarray(el.contentStart, el.end);
  if (el.tag === 0x1e) {
    let s = "";
    for (let i = 0; i + 1 < bytes.length; i += 2)
      s += String.fromCharCode(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
    return s;
  }
  return new TextDecoder().decode(bytes);
}

/** One attribute of a distinguished name. */
export interface NameAttribute {
  readonly oid: number[];
  readonly value: string;
}

/** Reads a Name (SEQUENCE OF RelativeDistinguishedName) into its attributes, in order. */
export function readName(buf: Uint8Array, el: DerElement): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const rdn of children(buf, el)) {
    for (const atv of children(buf, rdn)) {
      const [oid, value] = children(buf, atv);
      if (!oid || !value) throw malformed("distinguished name");
      out.push({ oid: decodeOid(buf, oid), value: decodeString(buf, value) });
    }
  }
  return out;
}
