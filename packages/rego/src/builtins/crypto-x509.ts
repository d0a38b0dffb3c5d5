// Builtins: X.509 certificates, CSRs and keys (`crypto.x509.*`, `crypto.parse_private_keys`) via
// node:crypto, rendered in the shape OPA gives (Go's x509 and crypto types as JSON), for the
// fields policies commonly read.

import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { isNumber, RegoObject, RegoSet, typeName, type Value } from "../value/value.js";
import { type BuiltinDefinition, BuiltinError, operandError, type TypeSpec } from "./builtin.js";
import {
  children,
  type DerElement,
  decodeOid,
  decodeSmallInt,
  type NameAttribute,
  readElement,
  readName,
  splitDer,
} from "./crypto-der.js";
import { decodePemBlocks, goStdBase64, type PemBlock } from "./crypto-pem.js";
import { EXT_KEY_USAGES, type VerifyOptions, verifyChain } from "./crypto-x509-verify.js";
import { fitsInt64 } from "./go-format.js";
import { fromBigInt, objectArg, toBigInt } from "./operands.js";
import { bigintValue } from "./time.js";

/** Decodes standard base64 as Go's StdEncoding does (padding required, CR/LF ignored). */
export function decodeStdBase64(text: string): Buffer {
  const s = text.replace(/[\r\n]/g, "");
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    const pad = c === "=" && i >= s.length - 2;
    if (!/[A-Za-z0-9+/]/.test(c) && !pad)
      throw new BuiltinError("builtin", `illegal base64 data at input byte ${i}`);
  }
  if (s.length % 4 !== 0)
    throw new BuiltinError("builtin", `illegal base64 data at input byte ${s.length - (s.length % 4)}`);
  return Buffer.from(s, "base64");
}

/** Every PEM block in a text, in order, found as Go's pem.Decode finds them (malformed ones skipped). */
export function pemBlocks(text: string): PemBlock[] {
  return decodePemBlocks(Buffer.from(text, "utf8"));
}

/** PEM text, base64 of PEM, or base64 of DER, as OPA accepts for certificates and keys. */
function decodeInput(text: string): { pem: string } | { der: Buffer } {
  if (text.startsWith("-----BEGIN")) return { pem: text };
  const raw = decodeStdBase64(text);
  if (raw.subarray(0, 10).toString("latin1") === "-----BEGIN") return { pem: raw.toString("utf8") };
  return { der: raw };
}

const NAME_FIELDS: Readonly<Record<string, string>> = {
  "2.5.4.6": "Country",
  "2.5.4.10": "Organization",
  "2.5.4.11": "OrganizationalUnit",
  "2.5.4.7": "Locality",
  "2.5.4.8": "Province",
  "2.5.4.9": "StreetAddress",
  "2.5.4.17": "PostalCode",
};

/** A distinguished name as Go's pkix.Name marshals to JSON. */
function nameValue(attrs: readonly NameAttribute[]): RegoObject {
  const lists = new Map<string, string[]>();
  let commonName = "";
  let serialNumber = "";
  for (const a of attrs) {
    const oid = a.oid.join(".");
    if (oid === "2.5.4.3") commonName = a.value;
    else if (oid === "2.5.4.5") serialNumber = a.value;
    const field = NAME_FIELDS[oid];
    if (field) lists.set(field, [...(lists.get(field) ?? []), a.value]);
  }
  const o = new RegoObject();
  for (const field of Object.values(NAME_FIELDS)) o.set(field, lists.get(field) ?? null);
  o.set("SerialNumber", serialNumber);
  o.set("CommonName", commonName);
  o.set(
    "Names",
    attrs.map((a) => RegoObject.fromRecord({ Type: a.oid, Value: a.value })),
  );
  o.set("ExtraNames", null);
  return o;
}

/** Splits Node's subjectAltName text ("DNS:a, URI:b") into entries, honouring quoted values. */
function altNames(text: string | undefined): [string, string][] {
  if (!text) return [];
  const out: [string, string][] = [];
  const re = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (let m = re.exec(text); m && m[0] !== ""; m = re.exec(text)) {
    const raw = m[2] as string;
    out.push([m[1] as string, raw.startsWith('"') ? (JSON.parse(raw) as string) : raw]);
  }
  return out;
}

const KEY_ALGORITHMS: Readonly<Record<string, number>> = { rsa: 1, "rsa-pss": 1, dsa: 2, ec: 3, ed25519: 4 };

function listOrNull(items: string[]): Value {
  return items.length === 0 ? null : items;
}

/**
 * A certificate as OPA renders it (the subset of Go's x509.Certificate fields we fill in), with
 * OPA's extra `URIStrings` field unless `uriStrings` is false (`..._with_options` leaves it out).
 */
function certificateValue(cert: X509Certificate, uriStrings = true): RegoObject {
  const der = new Uint8Array(cert.raw);
  const top = readElement(der, 0);
  const tbsEl = children(der, top)[0];
  if (!tbsEl) throw new BuiltinError("builtin", "x509: malformed certificate");
  const tbs = children(der, tbsEl);
  let i = 0;
  let version = 1;
  if (tbs[0]?.tag === 0xa0) {
    const inner = children(der, tbs[0])[0];
    if (inner) version = decodeSmallInt(der, inner) + 1;
    i = 1;
  }
  const issuer = tbs[i + 2];
  const subject = tbs[i + 4];
  if (!issuer || !subject) throw new BuiltinError("builtin", "x509: malformed certificate");
  const sans = altNames(cert.subjectAltName);
  const pick = (kind: string): string[] => sans.filter(([k]) => k === kind).map(([, v]) => v);
  const o = new RegoObject();
  o.set("Raw", cert.raw.toString("base64"));
  o.set("Version", version);
  o.set("SerialNumber", bigintValue(BigInt(`0x${cert.serialNumber}`)));
  o.set("Issuer", nameValue(readName(der, issuer)));
  o.set("Subject", nameValue(readName(der, subject)));
  o.set("NotBefore", new Date(cert.validFrom).toISOString().replace(".000Z", "Z"));
  o.set("NotAfter", new Date(cert.validTo).toISOString().replace(".000Z", "Z"));
  o.set("PublicKeyAlgorithm", KEY_ALGORITHMS[cert.publicKey.asymmetricKeyType ?? ""] ?? 0);
  o.set("IsCA", cert.ca);
  o.set("DNSNames", listOrNull(pick("DNS")));
  o.set("EmailAddresses", listOrNull(pick("email")));
  o.set("IPAddresses", listOrNull(pick("IP Address")));
  if (uriStrings) o.set("URIStrings", listOrNull(pick("URI")));
  return o;
}

/** Parses the certificates in PEM, base64 PEM, or base64 DER (a chain may be concatenated). */
export function parseCertificates(text: string): X509Certificate[] {
  const input = decodeInput(text);
  let ders: Buffer[];
  if ("pem" in input) {
    const blocks = pemBlocks(input.pem);
    const other = blocks.find((b) => b.type !== "CERTIFICATE");
    if (other) throw new BuiltinError("builtin", `PEM block type is '${other.type}', expected CERTIFICATE`);
    ders = blocks.map((b) => b.der);
  } else {
    ders = splitDer(new Uint8Array(input.der)).map((d) => Buffer.from(d));
  }
  try {
    return ders.map((d) => new X509Certificate(d));
  } catch (e) {
    throw new BuiltinError("builtin", `x509: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function keyFromInput(text: string): KeyObject {
  const input = decodeInput(text);
  try {
    if ("pem" in input) return createPrivateKey(input.pem);
    return createPrivateKey({ key: input.der, format: "der", type: "pkcs8" });
  } catch (e) {
    throw new BuiltinError(
      "builtin",
      `failed to parse private key: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function jwkValue(key: KeyObject): RegoObject {
  const jwk = key.export({ format: "jwk" }) as Record<string, string>;
  return RegoObject.fromRecord(jwk);
}

/** The certificates in a text, or undefined when it does not parse (OPA then reports `[false, []]`). */
function certificatesOrUndefined(text: string): X509Certificate[] | undefined {
  try {
    return parseCertificates(text);
  } catch (e) {
    if (e instanceof BuiltinError) return undefined;
    throw e;
  }
}

/** Go's strings.Trim(s, `"`), which OPA applies to the DNSName and KeyUsages options. */
function trimQuotes(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s[start] === '"') start++;
  while (end > start && s[end - 1] === '"') end--;
  return s.slice(start, end);
}

/** An option's integer value (OPA's Number.Int64), or undefined when it has none. */
function int64Option(v: Value): bigint | undefined {
  if (!isNumber(v)) return undefined;
  const i = toBigInt(v);
  return i !== undefined && fitsInt64(i) ? i : undefined;
}

/** OPA's extractVerifyOpts: the options object as Go's x509.VerifyOptions, with OPA's errors. */
function verifyOptions(options: RegoObject, nowNs: bigint): VerifyOptions {
  const fail = (message: string): BuiltinError => new BuiltinError("builtin", message);
  let dnsName = "";
  let currentNs = nowNs;
  const keyUsages: string[] = [];
  for (const { key, value } of options.entries()) {
    if (typeof key !== "string") continue;
    switch (key) {
      case "DNSName":
        if (typeof value !== "string") throw fail("'DNSName' should be a string");
        dnsName = trimQuotes(value);
        break;
      case "CurrentTime": {
        if (!isNumber(value)) throw fail("'CurrentTime' should be a number");
        const ns = int64Option(value);
        if (ns === undefined) throw fail("'CurrentTime' should be a valid int64 number");
        currentNs = ns;
        break;
      }
      case "MaxConstraintComparisons":
        // Bounds name-constraint checking, which this verifier does not do: checked, then unused.
        if (!isNumber(value)) throw fail("'MaxConstraintComparisons' should be a number");
        if (int64Option(value) === undefined)
          throw fail("'MaxConstraintComparisons' should be a valid number");
        break;
      case "KeyUsages": {
        let names: readonly Value[];
        if (Array.isArray(value)) names = value as readonly Value[];
        else if (value instanceof RegoSet) names = value.values();
        else throw fail("'KeyUsages' should be an Array or Set");
        const invalid: string[] = [];
        for (const name of names) {
          if (typeof name !== "string") continue;
          const usage = trimQuotes(name);
          const oid = Object.hasOwn(EXT_KEY_USAGES, usage) ? EXT_KEY_USAGES[usage] : undefined;
          if (oid === undefined) invalid.push(usage);
          else keyUsages.push(oid);
        }
        if (invalid.length > 0) throw fail(`invalid entries for 'KeyUsages' found: [${invalid.join(" ")}]`);
        break;
      }
      default:
        throw fail("invalid key option");
    }
  }
  return { nowNs: currentNs, dnsName, keyUsages };
}

// ---------------------------------------------------------------------------------------------
// crypto.parse_private_keys: keys as Go's encoding/json renders Go's private key types

/** The DER encodings Go's three private key parsers read. */
type KeyFormat = "pkcs1" | "pkcs8" | "sec1";

/** The parser OPA applies to each PEM block type; other block types are skipped. */
const KEY_BLOCK_FORMATS: ReadonlyMap<string, KeyFormat> = new Map([
  ["RSA PRIVATE KEY", "pkcs1"],
  ["PRIVATE KEY", "pkcs8"],
  ["EC PRIVATE KEY", "sec1"],
]);

const GO_PARSER: Readonly<Record<KeyFormat, string>> = {
  pkcs1: "ParsePKCS1PrivateKey",
  pkcs8: "ParsePKCS8PrivateKey",
  sec1: "ParseECPrivateKey",
};

const OID_RSA = "1.2.840.113549.1.1.1";
const OID_EC = "1.2.840.10045.2.1";
const OID_ED25519 = "1.3.101.112";
const OID_X25519 = "1.3.101.110";
// The curves Go's crypto/elliptic has (P-224, P-256, P-384, P-521), by OpenSSL's names.
const GO_CURVES = new Set(["secp224r1", "prime256v1", "secp384r1", "secp521r1"]);

/** Which key structure a DER holds (told apart by the second element, as Go's asn1 does) and where it ends. */
function keyShape(der: Buffer): { format: KeyFormat; end: number; parts: DerElement[] } | undefined {
  try {
    const top = readElement(der, 0);
    if (top.tag !== 0x30) return undefined;
    const parts = children(der, top);
    if (parts[0]?.tag !== 0x02) return undefined;
    const second = parts[1]?.tag;
    const format =
      second === 0x02 ? "pkcs1" : second === 0x30 ? "pkcs8" : second === 0x04 ? "sec1" : undefined;
    return format && { format, end: top.end, parts };
  } catch (e) {
    if (e instanceof BuiltinError) return undefined;
    throw e;
  }
}

/** The DER of a key block in the format its PEM type names, or Go's error for another format. */
function keyDer(der: Buffer, format: KeyFormat): { der: Buffer; parts: DerElement[] } {
  const shape = keyShape(der);
  if (shape && shape.format !== format) {
    throw new BuiltinError(
      "builtin",
      `x509: failed to parse private key (use ${GO_PARSER[shape.format]} instead for this key format)`,
    );
  }
  if (!shape) {
    const what = { pkcs1: "PKCS #1 RSA", pkcs8: "PKCS #8", sec1: "SEC 1 EC" }[format];
    const prefix = format === "sec1" ? "x509: failed to parse EC private key: " : "x509: ";
    throw new BuiltinError("builtin", `${prefix}malformed ${what} private key`);
  }
  // Go's PKCS #1 parser refuses trailing bytes; the other two ignore them.
  if (format === "pkcs1" && shape.end !== der.length) {
    throw new BuiltinError("builtin", "asn1: syntax error: trailing data");
  }
  return { der: der.subarray(0, shape.end), parts: shape.parts };
}

function loadKey(der: Buffer, type: KeyFormat, context: string): KeyObject {
  try {
    return createPrivateKey({ key: der, format: "der", type });
  } catch (e) {
    throw new BuiltinError("builtin", `${context}${e instanceof Error ? e.message : String(e)}`);
  }
}

function bigFromBase64Url(text: string | undefined): bigint {
  const hex = Buffer.from(text ?? "", "base64url").toString("hex");
  return hex === "" ? 0n : BigInt(`0x${hex}`);
}

/** Go's *rsa.PrivateKey as JSON: big integers as numbers, two primes, no extra CRT values. */
function rsaValue(key: KeyObject): RegoObject {
  const jwk = key.export({ format: "jwk" });
  const int = (name: "n" | "d" | "p" | "q" | "dp" | "dq" | "qi"): Value =>
    fromBigInt(bigFromBase64Url(jwk[name]));
  return RegoObject.fromRecord({
    N: int("n"),
    E: fromBigInt(bigFromBase64Url(jwk.e)),
    D: int("d"),
    Primes: [int("p"), int("q")],
    Precomputed: RegoObject.fromRecord({ Dp: int("dp"), Dq: int("dq"), Qinv: int("qi"), CRTValues: [] }),
  });
}

/** Go's *ecdsa.PrivateKey as JSON: the curve (no exported fields, so `{}`), the point and the scalar. */
function ecValue(key: KeyObject, context: string): RegoObject {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === undefined || !GO_CURVES.has(curve)) {
    throw new BuiltinError("builtin", `${context}x509: unknown elliptic curve`);
  }
  // SEC 1 as OpenSSL writes it: version, private scalar, [0] curve, [1] public point 04||X||Y.
  const sec1 = key.export({ format: "der", type: "sec1" });
  const parts = children(sec1, readElement(sec1, 0));
  const scalar = parts[1];
  const publicKey = parts.find((el) => el.tag === 0xa1);
  const bits = publicKey ? children(sec1, publicKey)[0] : undefined;
  if (!scalar || !bits)
    throw new BuiltinError("builtin", `${context}x509: invalid elliptic curve private key`);
  const point = sec1.subarray(bits.contentStart + 2, bits.end);
  const half = point.length / 2;
  const big = (b: Buffer): Value => fromBigInt(b.length === 0 ? 0n : BigInt(`0x${b.toString("hex")}`));
  return RegoObject.fromRecord({
    Curve: new RegoObject(),
    X: big(point.subarray(0, half)),
    Y: big(point.subarray(half)),
    D: big(sec1.subarray(scalar.contentStart, scalar.end)),
  });
}

/** One private key block as OPA's `crypto.parse_private_keys` renders it, or Go's parse error. */
function privateKeyValue(format: KeyFormat, block: Buffer): Value {
  const { der, parts } = keyDer(block, format);
  switch (format) {
    case "pkcs1":
      return rsaValue(loadKey(der, "pkcs1", "x509: failed to parse private key: "));
    case "sec1":
      return ecValue(loadKey(der, "sec1", "x509: failed to parse EC private key: "), "");
    case "pkcs8": {
      const algorithm = parts[1] ? children(der, parts[1])[0] : undefined;
      const oid = algorithm?.tag === 0x06 ? decodeOid(der, algorithm).join(".") : "";
      switch (oid) {
        case OID_RSA:
          return rsaValue(
            loadKey(der, "pkcs8", "x509: failed to parse RSA private key embedded in PKCS#8: "),
          );
        case OID_EC: {
          const context = "x509: failed to parse EC private key embedded in PKCS#8: ";
          return ecValue(loadKey(der, "pkcs8", context), context);
        }
        case OID_ED25519: {
          // ed25519.PrivateKey is a byte slice (seed then public key): JSON gives it as base64.
          const jwk = loadKey(der, "pkcs8", "x509: invalid Ed25519 private key: ").export({ format: "jwk" });
          return Buffer.concat([
            Buffer.from(jwk.d ?? "", "base64url"),
            Buffer.from(jwk.x ?? "", "base64url"),
          ]).toString("base64");
        }
        case OID_X25519:
          // *ecdh.PrivateKey has no exported fields.
          loadKey(der, "pkcs8", "x509: invalid X25519 private key: ");
          return new RegoObject();
        default:
          throw new BuiltinError(
            "builtin",
            `x509: PKCS#8 wrapping contained private key with unknown algorithm: ${oid}`,
          );
      }
    }
    default:
      return format satisfies never;
  }
}

/** OPA's getPrivateKeysFromPEMData: base64 of PEM is decoded first; blocks of other types are skipped. */
function parsePrivateKeys(text: string): Value[] {
  const raw = Buffer.from(text, "utf8");
  const pem = goStdBase64(raw) ?? raw;
  const keys: Value[] = [];
  for (const block of decodePemBlocks(pem)) {
    const format = KEY_BLOCK_FORMATS.get(block.type);
    if (format) keys.push(privateKeyValue(format, block.der));
  }
  return keys;
}

function str(args: readonly Value[], i: number): string {
  const v = args[i] as Value;
  if (typeof v !== "string") throw operandError(i + 1, "string", typeName(v));
  return v;
}

const S: TypeSpec = { type: "string" };
const OBJ: TypeSpec = { type: "object", dynamic: { key: S, value: { type: "any" } } };
const OBJ_LIST: TypeSpec = { type: "array", dynamic: OBJ };
const VERIFY_RESULT: TypeSpec = { type: "array", static: [{ type: "boolean" }, OBJ_LIST] };

/** The `crypto.x509.*` builtins. */
export const X509_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: "crypto.x509.parse_certificates",
    arity: 1,
    decl: { args: [S], result: OBJ_LIST },
    impl: (args) => parseCertificates(str(args, 0)).map((c) => certificateValue(c)),
  },
  {
    name: "crypto.x509.parse_and_verify_certificates",
    arity: 1,
    decl: { args: [S], result: VERIFY_RESULT },
    impl: (args, ctx) => {
      const certs = certificatesOrUndefined(str(args, 0));
      const chain = certs && verifyChain(certs, { nowNs: ctx.nowNs, dnsName: "", keyUsages: [] });
      return chain ? [true, chain.map((c) => certificateValue(c))] : [false, []];
    },
  },
  {
    name: "crypto.x509.parse_and_verify_certificates_with_options",
    arity: 2,
    decl: { args: [S, OBJ], result: VERIFY_RESULT },
    impl: (args, ctx) => {
      const text = str(args, 0);
      const options = objectArg(args, 1);
      // As in OPA: input that does not parse fails verification before the options are read.
      const certs = certificatesOrUndefined(text);
      if (!certs) return [false, []];
      const chain = verifyChain(certs, verifyOptions(options, ctx.nowNs));
      return chain ? [true, chain.map((c) => certificateValue(c, false))] : [false, []];
    },
  },
  {
    name: "crypto.x509.parse_certificate_request",
    arity: 1,
    decl: { args: [S], result: OBJ },
    impl: (args) => {
      const input = decodeInput(str(args, 0));
      let der: Uint8Array;
      if ("pem" in input) {
        const block = pemBlocks(input.pem)[0];
        if (block?.type !== "CERTIFICATE REQUEST") {
          throw new BuiltinError("builtin", "invalid PEM-encoded certificate signing request");
        }
        der = new Uint8Array(block.der);
      } else {
        der = new Uint8Array(input.der);
      }
      const top = readElement(der, 0);
      const infoEl = children(der, top)[0];
      const info = infoEl ? children(der, infoEl) : [];
      const [versionEl, subjectEl, spkiEl] = info;
      if (!versionEl || !subjectEl || !spkiEl)
        throw new BuiltinError("builtin", "x509: malformed certificate request");
      const publicKey = createPublicKey({
        key: Buffer.from(der.subarray(spkiEl.start, spkiEl.end)),
        format: "der",
        type: "spki",
      });
      const o = new RegoObject();
      o.set("Raw", Buffer.from(der).toString("base64"));
      o.set("Version", decodeSmallInt(der, versionEl));
      o.set("Subject", nameValue(readName(der, subjectEl)));
      o.set("PublicKeyAlgorithm", KEY_ALGORITHMS[publicKey.asymmetricKeyType ?? ""] ?? 0);
      return o;
    },
  },
  {
    name: "crypto.x509.parse_keypair",
    arity: 2,
    decl: { args: [S, S], result: OBJ },
    impl: (args) => {
      const certs = parseCertificates(str(args, 0));
      const key = keyFromInput(str(args, 1));
      const leaf = certs[0];
      if (!leaf) throw new BuiltinError("builtin", "tls: failed to find any PEM data in certificate input");
      const fromKey = createPublicKey(key).export({ format: "jwk" });
      const fromCert = leaf.publicKey.export({ format: "jwk" });
      if (JSON.stringify(fromKey) !== JSON.stringify(fromCert)) {
        throw new BuiltinError("builtin", "tls: private key does not match public key");
      }
      return RegoObject.fromRecord({
        Certificate: certs.map((c) => c.raw.toString("base64")),
        Leaf: certificateValue(leaf),
      });
    },
  },
  {
    name: "crypto.x509.parse_rsa_private_key",
    arity: 1,
    decl: { args: [S], result: OBJ },
    impl: (args) => {
      const key = keyFromInput(str(args, 0));
      if (key.asymmetricKeyType !== "rsa") throw new BuiltinError("builtin", "not an RSA private key");
      return jwkValue(key);
    },
  },
  {
    name: "crypto.parse_private_keys",
    arity: 1,
    decl: { args: [S], result: OBJ_LIST },
    // OPA: null for the empty string, else one entry per key block (none: an empty array).
    impl: (args) => {
      const text = str(args, 0);
      return text === "" ? null : parsePrivateKeys(text);
    },
  },
];
