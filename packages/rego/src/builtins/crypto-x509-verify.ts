// Builtins (crypto support): certificate chain verification as Go's x509 Certificate.Verify does
// it for OPA's `crypto.x509.parse_and_verify_certificates*`: chains are built depth-first from the
// leaf through the intermediates to the root, each link checked for signature, CA status, key
// usage, path length and validity period; then the host name and extended key usages are checked.
// node:crypto checks the signatures; the fields Go consults are read from the DER.

import type { X509Certificate } from "node:crypto";
import { BuiltinError } from "./builtin.js";
import { children, type DerElement, decodeOid, decodeSmallInt, readElement } from "./crypto-der.js";
import { parseIp } from "./net.js";

/** What a chain is verified against (Go's x509.VerifyOptions, as OPA fills them in). */
export interface VerifyOptions {
  /** The time the certificates must be valid at, in nanoseconds since the Unix epoch. */
  readonly nowNs: bigint;
  /** A host name (or IP address) the leaf must be valid for; empty for none. */
  readonly dnsName: string;
  /** Extended key usage OIDs the chain must allow; empty means server authentication. */
  readonly keyUsages: readonly string[];
}

/** The extended key usage OIDs OPA's `KeyUsages` option names, by those names. */
export const EXT_KEY_USAGES: Readonly<Record<string, string>> = {
  KeyUsageAny: "2.5.29.37.0",
  KeyUsageServerAuth: "1.3.6.1.5.5.7.3.1",
  KeyUsageClientAuth: "1.3.6.1.5.5.7.3.2",
  KeyUsageCodeSigning: "1.3.6.1.5.5.7.3.3",
  KeyUsageEmailProtection: "1.3.6.1.5.5.7.3.4",
  KeyUsageIPSECEndSystem: "1.3.6.1.5.5.7.3.5",
  KeyUsageIPSECTunnel: "1.3.6.1.5.5.7.3.6",
  KeyUsageIPSECUser: "1.3.6.1.5.5.7.3.7",
  KeyUsageTimeStamping: "1.3.6.1.5.5.7.3.8",
  KeyUsageOCSPSigning: "1.3.6.1.5.5.7.3.9",
  KeyUsageMicrosoftServerGatedCrypto: "1.3.6.1.4.1.311.10.3.3",
  KeyUsageNetscapeServerGatedCrypto: "2.16.840.1.113730.4.1",
  KeyUsageMicrosoftCommercialCodeSigning: "1.3.6.1.4.1.311.2.1.22",
  KeyUsageMicrosoftKernelCodeSigning: "1.3.6.1.4.1.311.61.1.1",
};

const EKU_ANY = EXT_KEY_USAGES.KeyUsageAny as string;
const EKU_SERVER_AUTH = EXT_KEY_USAGES.KeyUsageServerAuth as string;
const EKU_SGC = new Set([
  EXT_KEY_USAGES.KeyUsageMicrosoftServerGatedCrypto,
  EXT_KEY_USAGES.KeyUsageNetscapeServerGatedCrypto,
]);

// Signature algorithms Go verifies; it refuses MD2, MD5 and SHA-1 (insecure) and DSA (unsupported).
const VERIFIABLE_SIGNATURES = new Set([
  "1.2.840.113549.1.1.11", // SHA256-RSA
  "1.2.840.113549.1.1.12", // SHA384-RSA
  "1.2.840.113549.1.1.13", // SHA512-RSA
  "1.2.840.113549.1.1.10", // RSASSA-PSS
  "1.2.840.10045.4.3.2", // ECDSA-SHA256
  "1.2.840.10045.4.3.3", // ECDSA-SHA384
  "1.2.840.10045.4.3.4", // ECDSA-SHA512
  "1.3.101.112", // Ed25519
]);

// Go's crypto/rsa refuses keys under 1024 bits (Go 1.24+).
const MIN_RSA_BITS = 1024;
// Go's maxChainSignatureChecks: the most signatures one verification may check.
const MAX_SIGNATURE_CHECKS = 100;
const KEY_USAGE_CERT_SIGN = 1 << 5;

/** The parts of a certificate Go's verification reads, parsed once from its DER. */
interface CertInfo {
  readonly cert: X509Certificate;
  readonly version: number;
  readonly rawIssuer: Buffer;
  readonly rawSubject: Buffer;
  readonly rawPublicKey: Buffer;
  readonly signatureAlgorithm: string;
  readonly notBeforeNs: bigint;
  readonly notAfterNs: bigint;
  readonly basicConstraintsValid: boolean;
  readonly isCA: boolean;
  /** The path length constraint, or -1 when there is none. */
  readonly maxPathLen: number;
  /** Go's KeyUsage bits (bit i is the i-th named bit of the extension); 0 when absent. */
  readonly keyUsage: number;
  /** Extended key usage OIDs; empty when the extension is absent. */
  readonly extKeyUsage: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly Buffer[];
  /** The subject alternative name extension's value, for Go's alreadyInChain; undefined when absent. */
  readonly rawSan: Buffer | undefined;
  readonly subjectKeyId: Buffer;
  readonly authorityKeyId: Buffer;
}

const EMPTY: Buffer = Buffer.alloc(0);

function bytesOf(der: Buffer, el: DerElement): Buffer {
  return der.subarray(el.start, el.end);
}

function contentOf(der: Buffer, el: DerElement): Buffer {
  return der.subarray(el.contentStart, el.end);
}

function timeNs(text: string): bigint {
  return BigInt(Date.parse(text)) * 1_000_000n;
}

/** Reads the fields verification needs from a certificate node:crypto has already parsed. */
function certInfo(cert: X509Certificate): CertInfo {
  const der = cert.raw;
  const top = readElement(der, 0);
  const [tbsEl, sigAlgEl] = children(der, top);
  if (!tbsEl || !sigAlgEl) throw new BuiltinError("builtin", "x509: malformed certificate");
  const tbs = children(der, tbsEl);
  const hasVersion = tbs[0]?.tag === 0xa0;
  const at = (k: number): DerElement => {
    const el = tbs[(hasVersion ? 1 : 0) + k];
    if (!el) throw new BuiltinError("builtin", "x509: malformed certificate");
    return el;
  };
  const versionEl = hasVersion ? children(der, tbs[0] as DerElement)[0] : undefined;
  const sigOid = children(der, sigAlgEl)[0];
  const info = {
    cert,
    version: versionEl ? decodeSmallInt(der, versionEl) + 1 : 1,
    rawIssuer: bytesOf(der, at(2)),
    rawSubject: bytesOf(der, at(4)),
    rawPublicKey: bytesOf(der, at(5)),
    signatureAlgorithm: sigOid ? decodeOid(der, sigOid).join(".") : "",
    notBeforeNs: timeNs(cert.validFrom),
    notAfterNs: timeNs(cert.validTo),
    basicConstraintsValid: false,
    isCA: false,
    maxPathLen: -1,
    keyUsage: 0,
    extKeyUsage: [] as string[],
    dnsNames: [] as string[],
    ipAddresses: [] as Buffer[],
    rawSan: undefined as Buffer | undefined,
    subjectKeyId: EMPTY,
    authorityKeyId: EMPTY,
  };
  const extensions = tbs.find((el) => el.tag === 0xa3);
  const list = extensions ? children(der, extensions)[0] : undefined;
  for (const ext of list ? children(der, list) : []) {
    const parts = children(der, ext);
    const oidEl = parts[0];
    const valueEl = parts[parts.length - 1];
    if (!oidEl || !valueEl || valueEl.tag !== 0x04) continue;
    const value = readElement(der, valueEl.contentStart);
    switch (decodeOid(der, oidEl).join(".")) {
      case "2.5.29.19": {
        info.basicConstraintsValid = true;
        for (const item of children(der, value)) {
          if (item.tag === 0x01) info.isCA = der[item.contentStart] !== 0;
          else if (item.tag === 0x02) info.maxPathLen = decodeSmallInt(der, item);
        }
        break;
      }
      case "2.5.29.15": {
        const bits = contentOf(der, value).subarray(1);
        for (let i = 0; i < 9; i++) {
          if (((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0) info.keyUsage |= 1 << i;
        }
        break;
      }
      case "2.5.29.37":
        info.extKeyUsage = children(der, value).map((o) => decodeOid(der, o).join("."));
        break;
      case "2.5.29.17":
        info.rawSan = contentOf(der, valueEl);
        for (const name of children(der, value)) {
          if (name.tag === 0x82) info.dnsNames.push(contentOf(der, name).toString("latin1"));
          else if (name.tag === 0x87) info.ipAddresses.push(contentOf(der, name));
        }
        break;
      case "2.5.29.14":
        info.subjectKeyId = contentOf(der, value);
        break;
      case "2.5.29.35": {
        const keyId = children(der, value).find((el) => el.tag === 0x80);
        if (keyId) info.authorityKeyId = contentOf(der, keyId);
        break;
      }
      default:
        break;
    }
  }
  return info;
}

function validAt(c: CertInfo, nowNs: bigint): boolean {
  return nowNs >= c.notBeforeNs && nowNs <= c.notAfterNs;
}

/** Go's CheckSignatureFrom: may `parent` sign, and did it sign `child`? */
function signedBy(child: CertInfo, parent: CertInfo): boolean {
  if (
    (parent.version === 3 && !parent.basicConstraintsValid) ||
    (parent.basicConstraintsValid && !parent.isCA)
  ) {
    return false;
  }
  if (parent.keyUsage !== 0 && (parent.keyUsage & KEY_USAGE_CERT_SIGN) === 0) return false;
  if (!VERIFIABLE_SIGNATURES.has(child.signatureAlgorithm)) return false;
  const key = parent.cert.publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType === "rsa" && bits !== undefined && bits < MIN_RSA_BITS) return false;
  try {
    return child.cert.verify(key);
  } catch {
    return false;
  }
}

/** Go's isValid for a CA certificate joining `chain` (leaf first). */
function validParent(c: CertInfo, intermediate: boolean, chain: readonly CertInfo[], nowNs: bigint): boolean {
  if (!validAt(c, nowNs)) return false;
  if (intermediate && (!c.basicConstraintsValid || !c.isCA)) return false;
  if (c.basicConstraintsValid && c.maxPathLen >= 0 && chain.length - 1 > c.maxPathLen) return false;
  return true;
}

/** Go's alreadyInChain: the same subject, key and alternative names as a certificate in the chain. */
function alreadyInChain(c: CertInfo, chain: readonly CertInfo[]): boolean {
  return chain.some(
    (other) =>
      other.rawSubject.equals(c.rawSubject) &&
      other.rawPublicKey.equals(c.rawPublicKey) &&
      (other.rawSan === undefined
        ? c.rawSan === undefined
        : c.rawSan !== undefined && other.rawSan.equals(c.rawSan)),
  );
}

/** Go's findPotentialParents: pool members named as the issuer, the likeliest by key ID first. */
function potentialParents(c: CertInfo, pool: readonly CertInfo[]): CertInfo[] {
  const rank = (p: CertInfo): number => {
    if (p.subjectKeyId.equals(c.authorityKeyId)) return 0;
    if ((p.subjectKeyId.length === 0) !== (c.authorityKeyId.length === 0)) return 1;
    return 2;
  };
  return pool
    .filter((p) => p.rawSubject.equals(c.rawIssuer))
    .map((p, i) => ({ p, i, r: rank(p) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.p);
}

/** Go's buildChains: every chain from `chain` (leaf first) up to the root, depth first, roots first. */
function buildChains(
  chain: readonly CertInfo[],
  roots: readonly CertInfo[],
  intermediates: readonly CertInfo[],
  nowNs: bigint,
  budget: { checks: number },
): CertInfo[][] {
  const current = chain[chain.length - 1] as CertInfo;
  const found: CertInfo[][] = [];
  const consider = (candidate: CertInfo, intermediate: boolean): void => {
    if (alreadyInChain(candidate, chain)) return;
    if (++budget.checks > MAX_SIGNATURE_CHECKS) return;
    if (!signedBy(current, candidate) || !validParent(candidate, intermediate, chain, nowNs)) return;
    if (intermediate) found.push(...buildChains([...chain, candidate], roots, intermediates, nowNs, budget));
    else found.push([...chain, candidate]);
  };
  for (const root of potentialParents(current, roots)) consider(root, false);
  for (const inter of potentialParents(current, intermediates)) consider(inter, true);
  return found;
}

/** Go's checkChainForKeyUsage: whether every certificate of the chain allows one of the usages. */
function chainAllowsUsages(chain: readonly CertInfo[], usages: readonly string[]): boolean {
  const remaining = new Set(usages);
  for (let i = chain.length - 1; i >= 0; i--) {
    const ekus = (chain[i] as CertInfo).extKeyUsage;
    if (ekus.length === 0 || ekus.includes(EKU_ANY)) continue;
    for (const usage of [...remaining]) {
      const allowed = ekus.includes(usage) || (usage === EKU_SERVER_AUTH && ekus.some((e) => EKU_SGC.has(e)));
      if (!allowed) remaining.delete(usage);
    }
    if (remaining.size === 0) return false;
  }
  return true;
}

/** Go's validHostname: labels of letters, digits, '-' (not first) and '_'; a pattern may start with "*.". */
function validHostname(host: string, isPattern: boolean): boolean {
  const h = isPattern || !host.endsWith(".") ? host : host.slice(0, -1);
  if (h === "" || h === "*") return false;
  return h.split(".").every((label, i) => {
    if (label === "") return false;
    if (isPattern && i === 0 && label === "*") return true;
    for (let j = 0; j < label.length; j++) {
      const c = label[j] as string;
      if (/[a-zA-Z0-9_]/.test(c) || (c === "-" && j !== 0)) continue;
      return false;
    }
    return true;
  });
}

const lowerAscii = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function matchHostnames(pattern: string, host: string): boolean {
  const p = lowerAscii(pattern);
  const h = lowerAscii(host.endsWith(".") ? host.slice(0, -1) : host);
  if (p === "" || h === "") return false;
  const pp = p.split(".");
  const hp = h.split(".");
  if (pp.length !== hp.length) return false;
  return pp.every((part, i) => (i === 0 && part === "*") || part === hp[i]);
}

function matchExactly(a: string, b: string): boolean {
  if (a === "" || a === "." || b === "" || b === ".") return false;
  return lowerAscii(a) === lowerAscii(b);
}

function ipOf(raw: Buffer): string | undefined {
  if (raw.length === 4) return [...raw].join(".");
  if (raw.length === 16) return raw.toString("hex").replace(/(.{4})(?!$)/g, "$1:");
  return undefined;
}

/** Go's VerifyHostname: IP addresses against IP SANs, names against DNS SANs (no common name). */
function verifyHostname(leaf: CertInfo, host: string): boolean {
  const bracketed = host.length >= 3 && host.startsWith("[") && host.endsWith("]");
  const ip = parseIp(bracketed ? host.slice(1, -1) : host);
  if (ip) {
    return leaf.ipAddresses.some((raw) => {
      const text = ipOf(raw);
      const other = text === undefined ? undefined : parseIp(text);
      return other !== undefined && other.bits === ip.bits && other.value === ip.value;
    });
  }
  const candidate = lowerAscii(host);
  const validCandidate = validHostname(candidate, false);
  return leaf.dnsNames.some((name) =>
    validCandidate && validHostname(name, true)
      ? matchHostnames(name, candidate)
      : matchExactly(name, candidate),
  );
}

/**
 * Verifies certificates given root first, leaf last (OPA's order), as Go's Certificate.Verify with
 * the first as the only root and the middle ones as intermediates; returns Go's first verified
 * chain, leaf first, or undefined when there is none.
 */
export function verifyChain(
  certs: readonly X509Certificate[],
  options: VerifyOptions,
): X509Certificate[] | undefined {
  if (certs.length < 2) return undefined;
  let infos: CertInfo[];
  try {
    infos = certs.map(certInfo);
  } catch (e) {
    // An extension node:crypto left unparsed is malformed: Go would not have parsed the certificate.
    if (e instanceof BuiltinError) return undefined;
    throw e;
  }
  const root = infos[0] as CertInfo;
  const leaf = infos[infos.length - 1] as CertInfo;
  if (!validAt(leaf, options.nowNs)) return undefined;
  if (options.dnsName !== "" && !verifyHostname(leaf, options.dnsName)) return undefined;
  const chains = leaf.cert.raw.equals(root.cert.raw)
    ? [[leaf]]
    : buildChains([leaf], [root], infos.slice(1, -1), options.nowNs, { checks: 0 });
  const usages = options.keyUsages.length === 0 ? [EKU_SERVER_AUTH] : options.keyUsages;
  const chain = usages.includes(EKU_ANY) ? chains[0] : chains.find((c) => chainAllowsUsages(c, usages));
  return chain?.map((c) => c.cert);
}
