// Builtins: X.509 certificates, CSRs and keys (`crypto.x509.*`) via node:crypto, rendered in the
// shape OPA gives (Go's x509.Certificate as JSON), for the fields policies commonly read.

import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from "node:crypto";
import { RegoObject, typeName, type Value } from "../value/value.js";
import { type BuiltinDefinition, BuiltinError, operandError, type TypeSpec } from "./builtin.js";
import {
  children,
  decodeSmallInt,
  type NameAttribute,
  readElement,
  readName,
  splitDer,
} from "./crypto-der.js";
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

/** A decoded PEM block. */
interface PemBlock {
  readonly type: string;
  readonly der: Buffer;
}

/** Every PEM block in a text, in order. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = (m[2] as string).split(/\r?\n/).filter((l) => l.trim() !== "" && !l.includes(":"));
    out.push({ type: m[1] as string, der: decodeStdBase64(body.join("").replace(/\s/g, "")) });
  }
  return out;
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

/** A certificate as OPA renders it (the subset of Go's x509.Certificate fields we fill in). */
function certificateValue(cert: X509Certificate): RegoObject {
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
  o.set("URIStrings", listOrNull(pick("URI")));
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

/** Verifies a chain given root first, leaf last; returns the chain leaf first, or undefined. */
function verifyChain(certs: readonly X509Certificate[], now: Date): X509Certificate[] | undefined {
  if (certs.length < 2) return undefined;
  const root = certs[0] as X509Certificate;
  const intermediates = certs.slice(1, -1);
  const leaf = certs[certs.length - 1] as X509Certificate;
  const valid = (c: X509Certificate): boolean => new Date(c.validFrom) <= now && now <= new Date(c.validTo);
  const issuedBy = (c: X509Certificate, by: X509Certificate): boolean =>
    c.checkIssued(by) && c.verify(by.publicKey) && by.ca;
  const chain: X509Certificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth <= intermediates.length + 1; depth++) {
    if (!valid(current)) return undefined;
    if (current.raw.equals(root.raw) || issuedBy(current, root)) {
      if (!current.raw.equals(root.raw)) {
        if (!valid(root)) return undefined;
        chain.push(root);
      }
      return chain;
    }
    const next = intermediates.find((c) => !chain.includes(c) && issuedBy(current, c));
    if (!next) return undefined;
    chain.push(next);
    current = next;
  }
  return undefined;
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

function str(args: readonly Value[], i: number): string {
  const v = args[i] as Value;
  if (typeof v !== "string") throw operandError(i + 1, "string", typeName(v));
  return v;
}

const S: TypeSpec = { type: "string" };
const OBJ: TypeSpec = { type: "object", dynamic: { key: S, value: { type: "any" } } };
const OBJ_LIST: TypeSpec = { type: "array", dynamic: OBJ };

/** The `crypto.x509.*` builtins. */
export const X509_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: "crypto.x509.parse_certificates",
    arity: 1,
    decl: { args: [S], result: OBJ_LIST },
    impl: (args) => parseCertificates(str(args, 0)).map(certificateValue),
  },
  {
    name: "crypto.x509.parse_and_verify_certificates",
    arity: 1,
    decl: { args: [S], result: { type: "array", static: [{ type: "boolean" }, OBJ_LIST] } },
    impl: (args, ctx) => {
      const certs = parseCertificates(str(args, 0));
      const now = new Date(Number(ctx.nowNs / 1_000_000n));
      const chain = verifyChain(certs, now);
      return chain ? [true, chain.map(certificateValue)] : [false, []];
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
];
