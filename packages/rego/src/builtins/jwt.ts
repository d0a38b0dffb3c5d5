// Builtins: JSON Web Tokens (`io.jwt.*`): decoding, signature checks, OPA's decode_verify
// constraints, and signing, on node:crypto. Keys are secrets, PEM certificates/public keys or JWKs.

import {
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type JsonWebKey,
  KeyObject,
  timingSafeEqual,
  X509Certificate,
} from "node:crypto";
import { BigNumber } from "../value/big-number.js";
import { fromJson, toJson } from "../value/json.js";
import { compareNumbers, isNumber, RegoObject, RegoSet, typeName, type Value } from "../value/value.js";
import {
  type BuiltinContext,
  type BuiltinDefinition,
  BuiltinError,
  operandError,
  type TypeSpec,
} from "./builtin.js";

type Family = "HS" | "RS" | "PS" | "ES" | "EdDSA";

interface Algorithm {
  readonly family: Family;
  readonly hash: string;
  /** Bytes of each of r and s in an ECDSA signature. */
  readonly ecSize?: number;
}

const ALGORITHMS: Readonly<Record<string, Algorithm>> = {
  HS256: { family: "HS", hash: "sha256" },
  HS384: { family: "HS", hash: "sha384" },
  HS512: { family: "HS", hash: "sha512" },
  RS256: { family: "RS", hash: "sha256" },
  RS384: { family: "RS", hash: "sha384" },
  RS512: { family: "RS", hash: "sha512" },
  PS256: { family: "PS", hash: "sha256" },
  PS384: { family: "PS", hash: "sha384" },
  PS512: { family: "PS", hash: "sha512" },
  ES256: { family: "ES", hash: "sha256", ecSize: 32 },
  ES384: { family: "ES", hash: "sha384", ecSize: 48 },
  ES512: { family: "ES", hash: "sha512", ecSize: 66 },
  EdDSA: { family: "EdDSA", hash: "" },
};

const HASH_BYTES: Readonly<Record<string, number>> = { sha256: 32, sha384: 48, sha512: 64 };

// ---------------------------------------------------------------------------------------------
// Encoding

function base64UrlDecode(s: string, what: string): Buffer {
  const body = s.replace(/=+$/, "");
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) {
    throw new BuiltinError("builtin", `JWT ${what} had invalid encoding: illegal base64 data`);
  }
  return Buffer.from(body, "base64url");
}

function base64UrlEncode(b: Buffer | string): string {
  return Buffer.from(b).toString("base64url");
}

/** Parses JSON text into a Rego value; undefined when the text is not JSON. */
function parseJson(text: string): Value | undefined {
  try {
    return fromJson(JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/** A value in Rego's own text form (`{"a": 1, "b": [true]}`), which OPA signs in encode_sign. */
export function regoText(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return String(v);
  if (v instanceof BigNumber) return v.toString();
  if (Array.isArray(v)) return `[${(v as readonly Value[]).map(regoText).join(", ")}]`;
  if (v instanceof RegoSet) return v.size === 0 ? "set()" : `{${v.values().map(regoText).join(", ")}}`;
  const o = v as RegoObject;
  return `{${o
    .entries()
    .map((e) => `${regoText(e.key)}: ${regoText(e.value)}`)
    .join(", ")}}`;
}

// ---------------------------------------------------------------------------------------------
// Tokens

interface Token {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

function splitToken(token: string): Token {
  if (!token.includes(".")) throw new BuiltinError("builtin", "encoded JWT had no period separators");
  const parts = token.split(".");
  if (parts.length !== 3)
    throw new BuiltinError("builtin", `encoded JWT must have 3 sections, found ${parts.length}`);
  const [header, payload, signature] = parts as [string, string, string];
  return { header, payload, signature };
}

function decodeHeader(t: Token): RegoObject {
  const text = base64UrlDecode(t.header, "header").toString("utf8");
  const v = parseJson(text);
  if (!(v instanceof RegoObject))
    throw new BuiltinError("builtin", "JWT header had invalid encoding: not a JSON object");
  if (v.has("enc")) throw new BuiltinError("builtin", "JWT is a JWE object, which is not supported");
  return v;
}

function payloadObject(text: string): RegoObject {
  const v = parseJson(text);
  if (!(v instanceof RegoObject)) throw new BuiltinError("builtin", "JWT payload must be a JSON object");
  return v;
}

function headerString(h: RegoObject, key: string): string {
  const v = h.get(key);
  return typeof v === "string" ? v : "";
}

/** io.jwt.decode: header, payload and hex signature, following nested `cty: JWT` tokens. */
function decodeToken(token: string): Value {
  const t = splitToken(token);
  const header = decodeHeader(t);
  const payloadText = base64UrlDecode(t.payload, "payload").toString("utf8");
  if (headerString(header, "cty") === "JWT") {
    return decodeToken(payloadText.replace(/^["']+|["']+$/g, ""));
  }
  const payload = payloadObject(payloadText);
  const signature = base64UrlDecode(t.signature, "signature").toString("hex");
  return [header, payload, signature];
}

// ---------------------------------------------------------------------------------------------
// Keys

interface VerificationKey {
  readonly key: KeyObject;
  readonly alg: string;
  readonly kid: string;
}

function jwkList(text: string): Record<string, unknown>[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new BuiltinError(
      "builtin",
      `failed to parse a JWK key (set): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new BuiltinError("builtin", "failed to parse a JWK key (set): not a JSON object");
  }
  const record = parsed as Record<string, unknown>;
  if (Array.isArray(record.keys)) return record.keys as Record<string, unknown>[];
  return [record];
}

function jwkKey(jwk: Record<string, unknown>, kind: "public" | "private"): KeyObject {
  try {
    if (jwk.kty === "oct") {
      if (typeof jwk.k !== "string") throw new Error("missing k");
      return createSecretKey(Buffer.from(jwk.k, "base64url"));
    }
    const input = { key: jwk as JsonWebKey, format: "jwk" as const };
    return kind === "public" ? createPublicKey(input) : createPrivateKey(input);
  } catch (e) {
    throw new BuiltinError(
      "builtin",
      `failed to parse a JWK key (set): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/** Keys from a PEM certificate, a PEM public key, or a JWK / JWK set, as OPA accepts them. */
function verificationKeys(text: string): VerificationKey[] {
  const pem = /-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/.exec(text);
  if (pem) {
    if (text.slice(pem.index + pem[0].length).trim() !== "") {
      throw new BuiltinError("builtin", "extra data after a PEM certificate block");
    }
    try {
      if (pem[1] === "CERTIFICATE") return [{ key: new X509Certificate(pem[0]).publicKey, alg: "", kid: "" }];
      if (pem[1] === "PUBLIC KEY" || pem[1] === "RSA PUBLIC KEY") {
        return [{ key: createPublicKey(pem[0]), alg: "", kid: "" }];
      }
    } catch (e) {
      throw new BuiltinError("builtin", `failed to parse PEM: ${e instanceof Error ? e.message : String(e)}`);
    }
    throw new BuiltinError("builtin", "failed to extract a Key from the PEM certificate");
  }
  return jwkList(text).map((jwk) => ({
    key: jwkKey(jwk, "public"),
    alg: typeof jwk.alg === "string" ? jwk.alg : "",
    kid: typeof jwk.kid === "string" ? jwk.kid : "",
  }));
}

class NotVerified extends Error {}

/** node:crypto's verify, where a malformed signature (which it may throw on) simply does not verify. */
function safeVerify(
  algorithm: string | null,
  data: Buffer,
  key: Parameters<typeof cryptoVerify>[2],
  signature: Buffer,
): boolean {
  try {
    return cryptoVerify(algorithm, data, key, signature);
  } catch {
    return false;
  }
}

/** Checks a signature; throws NotVerified on mismatch, BuiltinError when the key cannot be used. */
function verifySignature(alg: Algorithm, key: KeyObject | Buffer, input: string, signature: Buffer): void {
  let ok: boolean;
  if (alg.family === "HS") {
    const secret = !(key instanceof KeyObject) ? key : key.type === "secret" ? key.export() : undefined;
    if (!secret) throw new BuiltinError("builtin", "incorrect symmetric key type");
    const mac = createHmac(alg.hash, secret).update(input).digest();
    ok = mac.length === signature.length && timingSafeEqual(mac, signature);
  } else {
    if (!(key instanceof KeyObject) || key.type !== "public")
      throw new BuiltinError("builtin", "incorrect public key type");
    const type = key.asymmetricKeyType;
    const data = Buffer.from(input);
    switch (alg.family) {
      case "RS":
        if (type !== "rsa") throw new BuiltinError("builtin", "incorrect public key type");
        ok = safeVerify(alg.hash, data, key, signature);
        break;
      case "PS":
        if (type !== "rsa" && type !== "rsa-pss")
          throw new BuiltinError("builtin", "incorrect public key type");
        ok = safeVerify(
          alg.hash,
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
          signature,
        );
        break;
      case "ES":
        if (type !== "ec") throw new BuiltinError("builtin", "incorrect public key type");
        ok =
          signature.length === 2 * (alg.ecSize ?? 0) &&
          safeVerify(alg.hash, data, { key, dsaEncoding: "ieee-p1363" }, signature);
        break;
      case "EdDSA":
        if (type !== "ed25519" && type !== "ed448")
          throw new BuiltinError("builtin", "incorrect public key type");
        ok = safeVerify(null, data, key, signature);
        break;
      default:
        ok = false;
    }
  }
  if (!ok) throw new NotVerified();
}

/** Whether a signature verifies; a key unusable for the algorithm does not verify. */
function verifies(alg: Algorithm, key: KeyObject | Buffer, input: string, signature: Buffer): boolean {
  try {
    verifySignature(alg, key, input, signature);
    return true;
  } catch (e) {
    if (e instanceof NotVerified || e instanceof BuiltinError) return false;
    throw e;
  }
}

function sign(alg: Algorithm, key: KeyObject, input: string): Buffer {
  const data = Buffer.from(input);
  switch (alg.family) {
    case "HS":
      if (key.type !== "secret") throw new BuiltinError("builtin", "incorrect symmetric key type");
      return createHmac(alg.hash, key.export()).update(data).digest();
    case "RS":
      return cryptoSign(alg.hash, data, key);
    case "PS":
      return cryptoSign(alg.hash, data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: HASH_BYTES[alg.hash] ?? 32,
      });
    case "ES":
      return cryptoSign(alg.hash, data, { key, dsaEncoding: "ieee-p1363" });
    case "EdDSA":
      return cryptoSign(null, data, key);
    default:
      throw new BuiltinError("builtin", "unknown signature algorithm");
  }
}

// ---------------------------------------------------------------------------------------------
// Builtins

function str(args: readonly Value[], i: number): string {
  const v = args[i] as Value;
  if (typeof v !== "string") throw operandError(i + 1, "string", typeName(v));
  return v;
}

/** `io.jwt.verify_<alg>(token, key)`: whether the signature is valid (the header's alg is not consulted). */
function verifier(algName: string): BuiltinDefinition {
  const alg = ALGORITHMS[algName] as Algorithm;
  return {
    name: `io.jwt.verify_${algName.toLowerCase()}`,
    arity: 2,
    decl: { args: [S, S], result: { type: "boolean" } },
    impl: (args) => {
      const t = splitToken(str(args, 0));
      const keyText = str(args, 1);
      const input = `${t.header}.${t.payload}`;
      if (alg.family === "HS") {
        const signature = base64UrlDecode(t.signature, "signature");
        return verifies(alg, Buffer.from(keyText, "utf8"), input, signature);
      }
      const keys = verificationKeys(keyText);
      const signature = base64UrlDecode(t.signature, "signature");
      const header = decodeHeader(t);
      // A key whose kid matches the token's decides alone; otherwise any key may verify, skipping
      // JWKs whose own alg differs from the token's. Keys that cannot be used count as failures.
      const kid = headerString(header, "kid");
      const byKid = kid === "" ? undefined : keys.find((k) => k.kid === kid);
      if (byKid) return verifies(alg, byKid.key, input, signature);
      const tokenAlg = headerString(header, "alg");
      return keys.some((k) => (k.alg === "" || k.alg === tokenAlg) && verifies(alg, k.key, input, signature));
    },
  };
}

interface Constraints {
  keys?: VerificationKey[];
  secret?: string;
  alg?: string;
  iss?: string;
  aud?: string;
  timeNs: number;
}

function parseConstraints(v: Value, ctx: BuiltinContext): Constraints {
  if (!(v instanceof RegoObject)) throw operandError(2, "object", typeName(v));
  const c: Constraints = { timeNs: Number(ctx.nowNs) };
  for (const { key, value } of v.entries()) {
    const name = typeof key === "string" ? key : regoText(key);
    const asString = (): string => {
      if (typeof value !== "string")
        throw new BuiltinError("builtin", `${name} constraint: must be a string`);
      return value;
    };
    switch (name) {
      case "cert":
        c.keys = verificationKeys(asString());
        break;
      case "secret":
        c.secret = asString();
        break;
      case "alg":
        c.alg = asString();
        break;
      case "iss":
        c.iss = asString();
        break;
      case "aud":
        c.aud = asString();
        break;
      case "time":
        if (!isNumber(value)) throw new BuiltinError("builtin", "time constraint: must be a number");
        c.timeNs = typeof value === "number" ? value : value.toNumber();
        break;
      default:
        throw new BuiltinError("builtin", `unknown token validation constraint: ${name}`);
    }
  }
  const keyCount = (c.keys ? 1 : 0) + (c.secret ? 1 : 0);
  if (keyCount > 1) throw new BuiltinError("builtin", "duplicate key constraints");
  if (keyCount < 1) throw new BuiltinError("builtin", "no key constraint");
  return c;
}

function checkSignature(
  c: Constraints,
  kid: string,
  algName: string,
  input: string,
  signature: Buffer,
): void {
  const alg = ALGORITHMS[algName];
  if (!alg) throw new BuiltinError("builtin", `unknown JWS algorithm: ${algName}`);
  if (c.keys) {
    // With trusted keys, a key that cannot be used for this algorithm is just a mismatch.
    if (kid !== "") {
      const byKid = c.keys.find((k) => k.kid === kid);
      if (byKid) {
        if (!verifies(alg, byKid.key, input, signature)) throw new NotVerified();
        return;
      }
    }
    for (const k of c.keys) {
      if (k.alg !== "" && k.alg !== algName) continue;
      if (verifies(alg, k.key, input, signature)) return;
    }
    throw new NotVerified();
  }
  verifySignature(alg, Buffer.from(c.secret ?? "", "utf8"), input, signature);
}

const KNOWN_HEADERS = new Set([
  "alg",
  "jku",
  "jwk",
  "kid",
  "x5u",
  "x5c",
  "x5t",
  "x5t#S256",
  "typ",
  "cty",
  "crit",
]);

function headerValid(h: RegoObject): boolean {
  if (headerString(h, "alg") === "") return false;
  const crit = h.get("crit");
  if (crit !== undefined) {
    if (!Array.isArray(crit)) return false;
    for (const name of crit as readonly Value[]) {
      if (typeof name !== "string" || !KNOWN_HEADERS.has(name)) return false;
    }
  }
  return true;
}

function audienceMatches(aud: Value, want: string): boolean {
  if (typeof aud === "string") return aud === want;
  if (Array.isArray(aud)) return (aud as readonly Value[]).some((a) => a === want);
  return false;
}

/** io.jwt.decode_verify with OPA's constraint semantics. */
function decodeVerify(args: readonly Value[], ctx: BuiltinContext): Value {
  const unverified: Value = [false, new RegoObject(), new RegoObject()];
  let token = str(args, 0);
  const c = parseConstraints(args[1] as Value, ctx);
  let header: RegoObject;
  let payloadText: string;
  while (true) {
    const t = splitToken(token);
    header = decodeHeader(t);
    if (!headerValid(header)) return unverified;
    const alg = headerString(header, "alg");
    if (c.alg !== undefined && c.alg !== alg) return unverified;
    const signature = base64UrlDecode(t.signature, "signature");
    try {
      checkSignature(c, headerString(header, "kid"), alg, `${t.header}.${t.payload}`, signature);
    } catch (e) {
      if (e instanceof NotVerified) return unverified;
      throw e;
    }
    payloadText = base64UrlDecode(t.payload, "payload").toString("utf8");
    if (headerString(header, "cty").toUpperCase() !== "JWT") break;
    token = payloadText;
  }
  const payload = payloadObject(payloadText);
  if (c.iss !== undefined) {
    if (payload.get("iss") !== c.iss) return unverified;
  }
  const aud = payload.get("aud");
  if (aud !== undefined) {
    if (!audienceMatches(aud, c.aud ?? "")) return unverified;
  } else if (c.aud !== undefined && c.aud !== "") {
    return unverified;
  }
  const nowSeconds = c.timeNs / 1e9;
  const exp = payload.get("exp");
  if (exp !== undefined) {
    if (!isNumber(exp)) throw new BuiltinError("builtin", "exp value must be a number");
    if (compareNumbers(nowSeconds, exp) !== -1) return unverified;
  }
  const nbf = payload.get("nbf");
  if (nbf !== undefined) {
    if (!isNumber(nbf)) throw new BuiltinError("builtin", "nbf value must be a number");
    if (compareNumbers(nowSeconds, nbf) === -1) return unverified;
  }
  return [true, header, payload];
}

/** Signs header and payload text with a JWK, as OPA's encode_sign_raw does. */
function encodeSign(headerText: string, payloadText: string, jwkText: string): string {
  const jwks = jwkList(jwkText);
  const jwk = jwks[0];
  if (!jwk) throw new BuiltinError("builtin", "failed to parse a JWK key (set): no keys");
  const key = jwkKey(jwk, jwk.kty === "oct" ? "public" : "private");
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (e) {
    throw new BuiltinError(
      "builtin",
      `invalid character in JWT header: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const h = (header !== null && typeof header === "object" ? header : {}) as Record<string, unknown>;
  const algName = typeof h.alg === "string" ? h.alg : "";
  const alg = ALGORITHMS[algName];
  if (!alg) throw new BuiltinError("builtin", "unknown signature algorithm");
  const typ = typeof h.typ === "string" ? h.typ : "";
  if (typ === "" || typ === "JWT") {
    try {
      JSON.parse(payloadText);
    } catch {
      throw new BuiltinError("builtin", "type is JWT but payload is not JSON");
    }
  }
  if (alg.family === "HS" ? key.type !== "secret" : key.type !== "private") {
    throw new BuiltinError("builtin", `key of type ${String(jwk.kty)} cannot sign ${algName}`);
  }
  const input = `${base64UrlEncode(headerText)}.${base64UrlEncode(payloadText)}`;
  return `${input}.${base64UrlEncode(sign(alg, key, input))}`;
}

const S: TypeSpec = { type: "string" };
const ANY_OBJECT: TypeSpec = { type: "object", dynamic: { key: { type: "any" }, value: { type: "any" } } };
const STRING_OBJECT: TypeSpec = { type: "object", dynamic: { key: S, value: { type: "any" } } };

/** Every `io.jwt.*` builtin. */
export const JWT_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: "io.jwt.decode",
    arity: 1,
    decl: { args: [S], result: { type: "array", static: [ANY_OBJECT, ANY_OBJECT, S] } },
    impl: (args) => decodeToken(str(args, 0)),
  },
  {
    name: "io.jwt.decode_verify",
    arity: 2,
    nondeterministic: true,
    decl: {
      args: [S, STRING_OBJECT],
      result: { type: "array", static: [{ type: "boolean" }, ANY_OBJECT, ANY_OBJECT] },
    },
    impl: decodeVerify,
  },
  ...[
    "HS256",
    "HS384",
    "HS512",
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
  ].map(verifier),
  verifier("EdDSA"),
  {
    name: "io.jwt.encode_sign_raw",
    arity: 3,
    nondeterministic: true,
    decl: { args: [S, S, S], result: S },
    impl: (args) => encodeSign(str(args, 0), str(args, 1), str(args, 2)),
  },
  {
    name: "io.jwt.encode_sign",
    arity: 3,
    nondeterministic: true,
    decl: { args: [STRING_OBJECT, STRING_OBJECT, STRING_OBJECT], result: S },
    impl: (args) => {
      const [header, payload, key] = args as [Value, Value, Value];
      if (!(header instanceof RegoObject)) throw operandError(1, "object", typeName(header));
      if (!(payload instanceof RegoObject)) throw operandError(2, "object", typeName(payload));
      if (!(key instanceof RegoObject)) throw operandError(3, "object", typeName(key));
      return encodeSign(regoText(header), regoText(payload), JSON.stringify(toJson(key)));
    },
  },
];
