// Builtins support: Go's net/url.Parse, which OPA's `uri.parse` and `uri.is_valid` (and its
// METADATA `related_resources` check) use. Reproduced as of Go 1.27, which OPA v1.20 is built
// with: the same accepted inputs, the same components, the same error texts. It works on the
// UTF-8 bytes of the input, as Go does, and every step is a single linear scan.

import { goQuote } from "../value/format-value.js";
import { RegoObject, type Value } from "../value/value.js";
import { BuiltinError } from "./builtin.js";

type Bytes = Uint8Array;

const UTF8 = new TextEncoder();
const UTF8_OUT = new TextDecoder("utf-8", { ignoreBOM: true });
const EMPTY: Bytes = new Uint8Array(0);

const code = (c: string): number => c.charCodeAt(0);
const PERCENT = code("%");
const COLON = code(":");
const SLASH = code("/");
const QUESTION = code("?");
const HASH = code("#");
const AT = code("@");
const DOT = code(".");
const OPEN_BRACKET = code("[");
const CLOSE_BRACKET = code("]");
const SPACE = code(" ");
const PLUS = code("+");
const MINUS = code("-");
const STAR = code("*");

/** A byte set from the characters of an ASCII string. */
function byteSet(chars: string): ReadonlySet<number> {
  return new Set([...chars].map(code));
}

// Sub-delimiters a host may hold, plus ':' (the port), '[' ']' (IPv6) and '<' '>' '"', which Go
// leaves alone in hosts.
const HOST_EXTRA = byteSet("!$&'()*+,;=:[]<>\"");
const UNRESERVED_MARKS = byteSet("-_.~");
const RESERVED = byteSet("$&+,/:;=?@");
const FRAGMENT_EXTRA = byteSet("!()*");
const USERINFO_EXTRA = byteSet("-._:~!$&'()*+,;=%@");

/** The URL components Go's url.Parse sets that `uri.parse` reports. */
interface GoUrl {
  scheme: string;
  host: Bytes;
  path: Bytes;
  rawPath: Bytes;
  rawQuery: Bytes;
  fragment: Bytes;
}

/** Why a parse step failed: the reason text Go's error carries. */
class Fail extends Error {}

// ---------------------------------------------------------------------------------------------
// Bytes

function indexOf(s: Bytes, b: number, from = 0): number {
  return s.indexOf(b, from);
}

function lastIndexOf(s: Bytes, b: number): number {
  return s.lastIndexOf(b);
}

function indexOfSeq(s: Bytes, seq: readonly number[]): number {
  outer: for (let i = 0; i + seq.length <= s.length; i++) {
    for (let j = 0; j < seq.length; j++) if (s[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

function startsWith(s: Bytes, prefix: string): boolean {
  if (s.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (s[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

function bytesEqual(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function concat(...parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function text(s: Bytes): string {
  return UTF8_OUT.decode(s);
}

/** The rune starting at `i` and its width, or width 0 for a byte that does not start valid UTF-8. */
function decodeRune(s: Bytes, i: number): [number, number] {
  const b0 = s[i] as number;
  if (b0 < 0x80) return [b0, 1];
  const cont = (k: number, lo = 0x80, hi = 0xbf): number | undefined => {
    const b = s[i + k];
    return b !== undefined && b >= lo && b <= hi ? b & 0x3f : undefined;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 === undefined ? [0, 0] : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf);
    const c2 = c1 === undefined ? undefined : cont(2);
    return c1 === undefined || c2 === undefined ? [0, 0] : [((b0 & 0x0f) << 12) | (c1 << 6) | c2, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf);
    const c2 = c1 === undefined ? undefined : cont(2);
    const c3 = c2 === undefined ? undefined : cont(3);
    if (c1 === undefined || c2 === undefined || c3 === undefined) return [0, 0];
    return [((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4];
  }
  return [0, 0];
}

/** Go's strconv.Quote of a byte string: bytes that are not valid UTF-8 become `\xNN`. */
export function goQuoteBytes(s: Bytes): string {
  let out = "";
  for (let i = 0; i < s.length; ) {
    const [cp, width] = decodeRune(s, i);
    if (width === 0) {
      out += `\\x${(s[i] as number).toString(16).padStart(2, "0")}`;
      i += 1;
    } else {
      out += goQuote(String.fromCodePoint(cp)).slice(1, -1);
      i += width;
    }
  }
  return `"${out}"`;
}

// ---------------------------------------------------------------------------------------------
// Escaping (Go's shouldEscape, unescape and escape, for the modes url.Parse uses)

/** Where in a URL a byte string sits, which decides what may appear there unescaped. */
type Mode = "path" | "host" | "zone" | "userPassword" | "fragment";

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && hexValue(c) >= 0;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  if ((mode === "host" || mode === "zone") && HOST_EXTRA.has(c)) return false;
  if (UNRESERVED_MARKS.has(c)) return false;
  if (RESERVED.has(c)) {
    switch (mode) {
      case "path":
        return c === QUESTION;
      case "userPassword":
        return c === AT || c === SLASH || c === QUESTION || c === COLON;
      case "fragment":
        return false;
      case "host":
      case "zone":
        break;
      default:
        return mode satisfies never;
    }
  }
  if (mode === "fragment" && FRAGMENT_EXTRA.has(c)) return false;
  return true;
}

function escapeError(s: Bytes): Fail {
  return new Fail(`invalid URL escape ${goQuoteBytes(s)}`);
}

/** Decodes %XX escapes, rejecting malformed ones and, in hosts, what a host may not hold. */
function percentDecode(s: Bytes, mode: Mode): Bytes {
  let escapes = 0;
  for (let i = 0; i < s.length; ) {
    const c = s[i] as number;
    if (c === PERCENT) {
      escapes++;
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) throw escapeError(s.subarray(i, i + 3));
      const hi = hexValue(s[i + 1] as number);
      const v = hi * 16 + hexValue(s[i + 2] as number);
      const isPct25 = v === PERCENT;
      // A host may %-encode only non-ASCII bytes (RFC 3986 §3.2.2), and %25 (RFC 6874 zones).
      if (mode === "host" && hi < 8 && !isPct25) throw escapeError(s.subarray(i, i + 3));
      // A zone may escape only bytes a host could hold as they are, and spaces.
      if (mode === "zone" && !isPct25 && v !== SPACE && shouldEscape(v, "host")) {
        throw escapeError(s.subarray(i, i + 3));
      }
      i += 3;
    } else {
      if ((mode === "host" || mode === "zone") && c < 0x80 && shouldEscape(c, mode)) {
        throw new Fail(`invalid character ${goQuoteBytes(s.subarray(i, i + 1))} in host name`);
      }
      i++;
    }
  }
  if (escapes === 0) return s;
  const out = new Uint8Array(s.length - 2 * escapes);
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as number;
    if (c === PERCENT) {
      out[j++] = hexValue(s[i + 1] as number) * 16 + hexValue(s[i + 2] as number);
      i += 2;
    } else {
      out[j++] = c;
    }
  }
  return out;
}

const UPPER_HEX = "0123456789ABCDEF";

/** %-encodes the bytes `mode` does not allow as they are, in upper-case hex as Go does. */
function percentEncode(s: Bytes, mode: Mode): Bytes {
  const out: number[] = [];
  for (const c of s) {
    if (shouldEscape(c, mode))
      out.push(PERCENT, code(UPPER_HEX[c >> 4] ?? "0"), code(UPPER_HEX[c & 15] ?? "0"));
    else out.push(c);
  }
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------------------------------------
// net/netip.ParseAddr: only whether the text is an address, and Go's error when it is not

function addrError(input: Bytes, msg: string, at: Bytes = EMPTY): Fail {
  const where = at.length > 0 ? ` (at ${goQuoteBytes(at)})` : "";
  return new Fail(`ParseAddr(${goQuoteBytes(input)}): ${msg}${where}`);
}

/** Checks an IP address as netip.ParseAddr does; true when it is IPv4. */
function parseAddr(s: Bytes): boolean {
  for (const c of s) {
    if (c === DOT) {
      parseIPv4Fields(s, 0, s.length);
      return true;
    }
    if (c === COLON) {
      parseIPv6(s);
      return false;
    }
    if (c === PERCENT) throw addrError(s, "missing IPv6 address");
  }
  throw addrError(s, "unable to parse IP");
}

function parseIPv4Fields(input: Bytes, off: number, end: number): void {
  const s = input.subarray(off, end);
  let val = 0;
  let pos = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as number;
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && val === 0) throw addrError(input, "IPv4 field has octet with leading zero");
      val = val * 10 + (c - 0x30);
      digits++;
      if (val > 255) throw addrError(input, "IPv4 field has value >255");
    } else if (c === DOT) {
      if (i === 0 || i === s.length - 1 || s[i - 1] === DOT) {
        throw addrError(input, "IPv4 field must have at least one digit", s.subarray(i));
      }
      if (pos === 3) throw addrError(input, "IPv4 address too long");
      pos++;
      val = 0;
      digits = 0;
    } else {
      throw addrError(input, "unexpected character", s.subarray(i));
    }
  }
  if (pos < 3) throw addrError(input, "IPv4 address too short");
}

function parseIPv6(input: Bytes): void {
  let s = input;
  let zoneLength = -1;
  const pct = indexOf(s, PERCENT);
  if (pct >= 0) {
    zoneLength = s.length - pct - 1;
    s = s.subarray(0, pct);
    if (zoneLength === 0) throw addrError(input, "zone must be a non-empty string");
  }
  let ellipsis = -1;
  if (s.length >= 2 && s[0] === COLON && s[1] === COLON) {
    ellipsis = 0;
    s = s.subarray(2);
    if (s.length === 0) return;
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const d = hexValue(s[off] as number);
      if (d < 0) break;
      acc = acc * 16 + d;
      if (off > 3) throw addrError(input, "each group must have 4 or less digits", s);
      if (acc > 0xffff) throw addrError(input, "IPv6 field has value >=2^16", s);
    }
    if (off === 0) throw addrError(input, "each colon-separated field must have at least one digit", s);
    if (off < s.length && s[off] === DOT) {
      if (ellipsis < 0 && i !== 12) {
        throw addrError(input, "embedded IPv4 address must replace the final 2 fields of the address", s);
      }
      if (i + 4 > 16) {
        throw addrError(input, "too many hex fields to fit an embedded IPv4 at the end of the address", s);
      }
      const end = zoneLength >= 0 ? input.length - zoneLength - 1 : input.length;
      parseIPv4Fields(input, end - s.length, end);
      s = EMPTY;
      i += 4;
      break;
    }
    i += 2;
    s = s.subarray(off);
    if (s.length === 0) break;
    if (s[0] !== COLON) throw addrError(input, "unexpected character, want colon", s);
    if (s.length === 1) throw addrError(input, "colon must be followed by more characters", s);
    s = s.subarray(1);
    if (s[0] === COLON) {
      if (ellipsis >= 0) throw addrError(input, "multiple :: in address", s);
      ellipsis = i;
      s = s.subarray(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) throw addrError(input, "trailing garbage after address", s);
  if (i < 16) {
    if (ellipsis < 0) throw addrError(input, "address string too short");
  } else if (ellipsis >= 0) {
    throw addrError(input, "the :: must expand to at least one field of zeros");
  }
}

// ---------------------------------------------------------------------------------------------
// url.Parse

/** Whether `port` is empty or a colon followed by ASCII digits only. */
function validOptionalPort(port: Bytes): boolean {
  if (port.length === 0) return true;
  if (port[0] !== COLON) return false;
  for (let i = 1; i < port.length; i++) {
    const c = port[i] as number;
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function invalidPort(colonPort: Bytes): Fail {
  return new Fail(`invalid port ${goQuoteBytes(colonPort)} after host`);
}

const ZONE_MARK = [PERCENT, code("2"), code("5")];

/** Go's parseHost: the host, unescaped, as `host[:port]`. */
function parseHost(scheme: string, host: Bytes): Bytes {
  const open = lastIndexOf(host, OPEN_BRACKET);
  // An IP-literal must start the host (CVE-2026-25679).
  if (open > 0) throw new Fail("invalid IP-literal");
  if (open === 0) {
    const close = lastIndexOf(host, CLOSE_BRACKET);
    if (close < 0) throw new Fail("missing ']' in host");
    const colonPort = host.subarray(close + 1);
    if (!validOptionalPort(colonPort)) throw invalidPort(colonPort);
    const hostname = host.subarray(1, close);
    const zone = indexOfSeq(hostname, ZONE_MARK);
    const unescaped =
      zone >= 0
        ? concat(
            percentDecode(hostname.subarray(0, zone), "host"),
            percentDecode(hostname.subarray(zone), "zone"),
          )
        : percentDecode(hostname, "host");
    // Only an IPv6 address may stand in brackets (CVE-2025-47912); IPv4-mapped ones are fine.
    let is4: boolean;
    try {
      is4 = parseAddr(unescaped);
    } catch (e) {
      if (e instanceof Fail) throw new Fail(`invalid host: ${e.message}`);
      throw e;
    }
    if (is4) throw new Fail("invalid IP-literal");
    return concat(Uint8Array.of(OPEN_BRACKET), unescaped, Uint8Array.of(CLOSE_BRACKET), colonPort);
  }
  let colon = indexOf(host, COLON);
  if (colon >= 0) {
    // Go 1.26+ takes the first colon as the start of the port for http and https, so a second one
    // is an error there; other schemes keep the older rule (the last colon) for multi-host lists.
    const last = lastIndexOf(host, COLON);
    if (last !== colon && scheme !== "http" && scheme !== "https") colon = last;
    const colonPort = host.subarray(colon);
    if (!validOptionalPort(colonPort)) throw invalidPort(colonPort);
  }
  return percentDecode(host, "host");
}

function validUserinfo(s: Bytes): boolean {
  for (const c of s) if (!isAlnum(c) && !USERINFO_EXTRA.has(c)) return false;
  return true;
}

/** Go's parseAuthority: checks the userinfo (which `uri.parse` does not report) and returns the host. */
function parseAuthority(scheme: string, authority: Bytes): Bytes {
  const at = lastIndexOf(authority, AT);
  const host = parseHost(scheme, at < 0 ? authority : authority.subarray(at + 1));
  if (at < 0) return host;
  const userinfo = authority.subarray(0, at);
  if (!validUserinfo(userinfo)) throw new Fail("net/url: invalid userinfo");
  const colon = indexOf(userinfo, COLON);
  if (colon < 0) {
    percentDecode(userinfo, "userPassword");
  } else {
    percentDecode(userinfo.subarray(0, colon), "userPassword");
    percentDecode(userinfo.subarray(colon + 1), "userPassword");
  }
  return host;
}

/** Go's getScheme: a leading `[a-zA-Z][a-zA-Z0-9+.-]*:`, or no scheme. */
function getScheme(raw: Bytes): [string, Bytes] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as number;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue;
    if ((c >= 0x30 && c <= 0x39) || c === PLUS || c === MINUS || c === DOT) {
      if (i === 0) return ["", raw];
      continue;
    }
    if (c === COLON) {
      if (i === 0) throw new Fail("missing protocol scheme");
      return [text(raw.subarray(0, i)).toLowerCase(), raw.subarray(i + 1)];
    }
    return ["", raw];
  }
  return ["", raw];
}

function countByte(s: Bytes, b: number): number {
  let n = 0;
  for (const c of s) if (c === b) n++;
  return n;
}

/** Go's parse (not via a request), on the text before any '#'. */
function parseReference(raw: Bytes): GoUrl {
  for (const c of raw) {
    if (c < 0x20 || c === 0x7f) throw new Fail("net/url: invalid control character in URL");
  }
  const url: GoUrl = {
    scheme: "",
    host: EMPTY,
    path: EMPTY,
    rawPath: EMPTY,
    rawQuery: EMPTY,
    fragment: EMPTY,
  };
  if (raw.length === 1 && raw[0] === STAR) {
    url.path = raw;
    return url;
  }
  let rest: Bytes;
  [url.scheme, rest] = getScheme(raw);
  if (rest.length > 0 && rest[rest.length - 1] === QUESTION && countByte(rest, QUESTION) === 1) {
    rest = rest.subarray(0, rest.length - 1);
  } else {
    const q = indexOf(rest, QUESTION);
    if (q >= 0) {
      url.rawQuery = rest.subarray(q + 1);
      rest = rest.subarray(0, q);
    }
  }
  if (!startsWith(rest, "/")) {
    // A rootless path after a scheme is opaque (mailto:a@b): it has no host or path.
    if (url.scheme !== "") return url;
    const slash = indexOf(rest, SLASH);
    if (indexOf(slash < 0 ? rest : rest.subarray(0, slash), COLON) >= 0) {
      throw new Fail("first path segment in URL cannot contain colon");
    }
  }
  if ((url.scheme !== "" || !startsWith(rest, "///")) && startsWith(rest, "//")) {
    let authority = rest.subarray(2);
    rest = EMPTY;
    const slash = indexOf(authority, SLASH);
    if (slash >= 0) {
      rest = authority.subarray(slash);
      authority = authority.subarray(0, slash);
    }
    url.host = parseAuthority(url.scheme, authority);
  }
  url.path = percentDecode(rest, "path");
  // The raw path is kept only when escaping the decoded path again would not give it back.
  url.rawPath = bytesEqual(percentEncode(url.path, "path"), rest) ? EMPTY : rest;
  return url;
}

/** Parses a URI reference as Go's url.Parse does, or throws its error (`parse "…": reason`). */
function goParse(input: string): GoUrl {
  const raw = UTF8.encode(input);
  const hash = indexOf(raw, HASH);
  const before = hash < 0 ? raw : raw.subarray(0, hash);
  let url: GoUrl;
  try {
    url = parseReference(before);
  } catch (e) {
    if (e instanceof Fail) throw new BuiltinError("builtin", `parse ${goQuoteBytes(before)}: ${e.message}`);
    throw e;
  }
  if (hash >= 0 && hash + 1 < raw.length) {
    try {
      url.fragment = percentDecode(raw.subarray(hash + 1), "fragment");
    } catch (e) {
      if (e instanceof Fail) throw new BuiltinError("builtin", `parse ${goQuoteBytes(raw)}: ${e.message}`);
      throw e;
    }
  }
  return url;
}

/** Go's URL.Hostname and URL.Port: the host split at a valid trailing port, brackets removed. */
function splitHostPort(host: Bytes): [Bytes, Bytes] {
  let name = host;
  let port = EMPTY;
  const colon = lastIndexOf(host, COLON);
  if (colon >= 0 && validOptionalPort(host.subarray(colon))) {
    name = host.subarray(0, colon);
    port = host.subarray(colon + 1);
  }
  if (name.length >= 2 && name[0] === OPEN_BRACKET && name[name.length - 1] === CLOSE_BRACKET) {
    name = name.subarray(1, name.length - 1);
  }
  return [name, port];
}

/** The components of a URI as `uri.parse` returns them; empty components are left out. */
export function parseUri(input: string): RegoObject {
  const url = goParse(input);
  const [hostname, port] = splitHostPort(url.host);
  const o = new RegoObject();
  if (url.scheme !== "") o.set("scheme", url.scheme);
  if (hostname.length > 0) o.set("hostname", text(hostname));
  if (port.length > 0) o.set("port", text(port));
  if (url.path.length > 0) {
    o.set("path", text(url.path));
    o.set("raw_path", text(url.rawPath.length > 0 ? url.rawPath : url.path));
  }
  if (url.rawQuery.length > 0) o.set("raw_query", text(url.rawQuery));
  if (url.fragment.length > 0) o.set("fragment", text(url.fragment));
  return o;
}

/** Whether `uri.parse` accepts a value: a non-empty string Go's url.Parse parses. */
export function isValidUri(v: Value): boolean {
  if (typeof v !== "string" || v === "") return false;
  try {
    goParse(v);
    return true;
  } catch (e) {
    if (e instanceof BuiltinError) return false;
    throw e;
  }
}
