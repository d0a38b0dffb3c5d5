import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatValue } from "../value/format-value.js";
import { fromJson } from "../value/json.js";
import { RegoObject, RegoSet, type Value, valuesEqual } from "../value/value.js";
import type { BuiltinContext } from "./builtin.js";
import { CRYPTO_BUILTINS } from "./crypto.js";
import { callerFor, plainContext } from "./test-context.js";

const fixture = (name: string): string =>
  readFileSync(new URL(`./testdata/x509/${name}`, import.meta.url), "utf8");

const NS_PER_MS = 1_000_000n;
const at = (iso: string): bigint => BigInt(Date.parse(iso)) * NS_PER_MS;
const IN_RANGE = at("2030-01-01T00:00:00Z");

const ctx = (nowNs: bigint): BuiltinContext => ({ ...plainContext(), nowNs });
const call = callerFor(CRYPTO_BUILTINS, ctx(IN_RANGE));

const ROOT = fixture("root.pem");
const INTER = fixture("inter.pem");
const SERVER = fixture("server.pem");
const CLIENT = fixture("client.pem");
const PLAIN = fixture("plain.pem");
const SERVER_CHAIN = ROOT + INTER + SERVER;

const object = (record: Record<string, Value>): RegoObject => RegoObject.fromRecord(record);

function expectSame(actual: Value | undefined, expected: Value): void {
  if (actual === undefined || !valuesEqual(actual, expected)) {
    expect(actual === undefined ? "undefined" : formatValue(actual)).toBe(formatValue(expected));
  }
}

/** The common names of a verification result's chain, leaf first, or false when it failed. */
function verified(result: Value | undefined): string[] | false {
  const [ok, chain] = result as [boolean, RegoObject[]];
  if (!ok) {
    expect(chain).toEqual([]);
    return false;
  }
  return chain.map((c) => (c.get("Subject") as RegoObject).get("CommonName") as string);
}

const withOptions = (certs: string, options: Record<string, Value>): Value | undefined =>
  call("crypto.x509.parse_and_verify_certificates_with_options", certs, object(options));

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("no error");
}

describe("crypto.x509.parse_and_verify_certificates_with_options", () => {
  const chainNames = ["server.example.com", "Keygate Test Intermediate", "Keygate Test Root"];

  it("verifies a chain given root first and returns it leaf first, without URIStrings", () => {
    const result = withOptions(SERVER_CHAIN, {});
    expect(verified(result)).toEqual(chainNames);
    const leaf = (result as [boolean, RegoObject[]])[1][0] as RegoObject;
    expect(leaf.has("URIStrings")).toBe(false);
    expect(leaf.get("DNSNames")).toEqual(["api.example.com", "*.svc.example.com"]);
    // The variant without options adds OPA's URIStrings field.
    const plain = call("crypto.x509.parse_and_verify_certificates", SERVER_CHAIN) as [boolean, RegoObject[]];
    expect(plain[1][0]?.get("URIStrings")).toEqual(["spiffe://example.org/ns/web"]);
  });

  it("finds the path whatever order the intermediates come in", () => {
    const extra = fixture("inter2.pem");
    expect(verified(withOptions(ROOT + extra + INTER + SERVER, {}))).toEqual(chainNames);
  });

  it("matches DNSName as Go's VerifyHostname does: SANs only, wildcards for one label", () => {
    const dns = (name: string): string[] | false => verified(withOptions(SERVER_CHAIN, { DNSName: name }));
    expect(dns("api.example.com")).toEqual(chainNames);
    expect(dns("API.Example.COM")).toEqual(chainNames);
    expect(dns("api.example.com.")).toEqual(chainNames);
    expect(dns('"api.example.com"')).toEqual(chainNames);
    expect(dns("x.svc.example.com")).toEqual(chainNames);
    expect(dns("a.b.svc.example.com")).toBe(false);
    expect(dns("svc.example.com")).toBe(false);
    expect(dns("other.example.com")).toBe(false);
    // The common name is never matched.
    expect(dns("server.example.com")).toBe(false);
    expect(dns("10.0.0.1")).toEqual(chainNames);
    expect(dns("10.0.0.2")).toBe(false);
    expect(dns("[2001:db8::1]")).toEqual(chainNames);
    expect(dns("2001:db8:0::1")).toEqual(chainNames);
  });

  it("verifies at CurrentTime (nanoseconds) rather than the evaluation's time", () => {
    const time = (iso: string): string[] | false =>
      verified(withOptions(SERVER_CHAIN, { CurrentTime: fromJson(at(iso)) }));
    expect(time("2030-06-01T00:00:00Z")).toEqual(chainNames);
    expect(time("2020-01-01T00:00:00Z")).toBe(false);
    expect(time("2124-01-01T00:00:00Z")).toBe(false);
    const early = callerFor(CRYPTO_BUILTINS, ctx(at("2000-01-01T00:00:00Z")));
    const options = object({ CurrentTime: fromJson(IN_RANGE) });
    const name = "crypto.x509.parse_and_verify_certificates_with_options";
    expect(verified(early(name, SERVER_CHAIN, options))).toEqual(chainNames);
    expect(verified(early(name, SERVER_CHAIN, new RegoObject()))).toBe(false);
  });

  it("checks extended key usages down the chain, server authentication by default", () => {
    const clientChain = ROOT + INTER + CLIENT;
    const usages = (certs: string, names: Value): string[] | false =>
      verified(withOptions(certs, { KeyUsages: names }));
    expect(verified(withOptions(clientChain, {}))).toBe(false);
    expect(usages(clientChain, ["KeyUsageClientAuth"])).not.toBe(false);
    expect(usages(clientChain, ["KeyUsageAny"])).not.toBe(false);
    expect(usages(clientChain, ["KeyUsageServerAuth"])).toBe(false);
    const either = new RegoSet();
    either.add("KeyUsageServerAuth");
    either.add("KeyUsageClientAuth");
    expect(usages(clientChain, either)).not.toBe(false);
    expect(usages(SERVER_CHAIN, ["KeyUsageClientAuth"])).toBe(false);
    expect(usages(SERVER_CHAIN, [])).toEqual(chainNames);
    // A leaf without the extension allows every usage.
    expect(usages(ROOT + INTER + PLAIN, ["KeyUsageCodeSigning"])).not.toBe(false);
  });

  it("accepts MaxConstraintComparisons and ignores keys that are not strings", () => {
    expect(verified(withOptions(SERVER_CHAIN, { MaxConstraintComparisons: 10 }))).toEqual(chainNames);
    const options = new RegoObject();
    options.set(1, "ignored");
    expect(
      verified(call("crypto.x509.parse_and_verify_certificates_with_options", SERVER_CHAIN, options)),
    ).toEqual(chainNames);
  });

  it("fails chains Go would not verify", () => {
    expect(verified(withOptions(SERVER, {}))).toBe(false);
    expect(verified(withOptions(ROOT + SERVER, {}))).toBe(false);
    // Go trusts whatever is given as the root, self-signed or not.
    expect(verified(withOptions(INTER + SERVER, {}))).toEqual(chainNames.slice(0, 2));
    expect(verified(withOptions(INTER + ROOT + SERVER, {}))).toEqual(chainNames.slice(0, 2));
    // Signed with SHA-1.
    expect(verified(withOptions(ROOT + INTER + fixture("server-sha1.pem"), {}))).toBe(false);
    // The intermediate's pathlen:0 forbids the CA below it.
    expect(verified(withOptions(ROOT + INTER + fixture("inter2.pem") + fixture("deep.pem"), {}))).toBe(false);
    // A root given as its own leaf is a chain of one.
    expect(verified(withOptions(ROOT + ROOT, {}))).toEqual(["Keygate Test Root"]);
  });

  it("answers [false, []] for input that does not parse, before looking at the options", () => {
    expect(withOptions("not base64!", { Bogus: 1 })).toEqual([false, []]);
    expect(call("crypto.x509.parse_and_verify_certificates", "not base64!")).toEqual([false, []]);
  });

  it("rejects bad options with OPA's messages", () => {
    const bad = (options: Record<string, Value>): string => errorOf(() => withOptions(SERVER_CHAIN, options));
    expect(bad({ DNSName: 1 })).toBe("'DNSName' should be a string");
    expect(bad({ CurrentTime: "now" })).toBe("'CurrentTime' should be a number");
    expect(bad({ CurrentTime: 1.5 })).toBe("'CurrentTime' should be a valid int64 number");
    expect(bad({ CurrentTime: fromJson(2n ** 63n) })).toBe("'CurrentTime' should be a valid int64 number");
    expect(bad({ MaxConstraintComparisons: "10" })).toBe("'MaxConstraintComparisons' should be a number");
    expect(bad({ MaxConstraintComparisons: 2.5 })).toBe(
      "'MaxConstraintComparisons' should be a valid number",
    );
    expect(bad({ KeyUsages: "KeyUsageAny" })).toBe("'KeyUsages' should be an Array or Set");
    expect(bad({ KeyUsages: ["KeyUsageServerAuth", "Bogus", 1, '"Other"'] })).toBe(
      "invalid entries for 'KeyUsages' found: [Bogus Other]",
    );
    expect(bad({ Foo: 1 })).toBe("invalid key option");
    // Options are read in key order.
    expect(bad({ KeyUsages: "x", DNSName: 1 })).toBe("'DNSName' should be a string");
  });

  it("checks its operand types", () => {
    expect(() => call("crypto.x509.parse_and_verify_certificates_with_options", 1, new RegoObject())).toThrow(
      "operand 1 must be string but got number",
    );
    expect(() => call("crypto.x509.parse_and_verify_certificates_with_options", SERVER_CHAIN, [])).toThrow(
      "operand 2 must be object but got array",
    );
  });
});

// ---------------------------------------------------------------------------------------------

const parseKeys = (text: string): Value | undefined => call("crypto.parse_private_keys", text);

function keyPem(key: KeyObject, type: "pkcs1" | "pkcs8" | "sec1"): string {
  return key.export({ format: "pem", type }) as string;
}

const big = (b64url: string | undefined): bigint => {
  const hex = Buffer.from(b64url ?? "", "base64url").toString("hex");
  return BigInt(`0x${hex || "0"}`);
};

function rsaExpected(key: KeyObject): Value {
  const j = key.export({ format: "jwk" });
  return fromJson({
    N: big(j.n),
    E: big(j.e),
    D: big(j.d),
    Primes: [big(j.p), big(j.q)],
    Precomputed: { Dp: big(j.dp), Dq: big(j.dq), Qinv: big(j.qi), CRTValues: [] },
  });
}

function ecExpected(key: KeyObject): Value {
  const j = key.export({ format: "jwk" });
  return fromJson({ Curve: {}, X: big(j.x), Y: big(j.y), D: big(j.d) });
}

function relabel(pem: string, type: string): string {
  return pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, `-----$1 ${type}-----`);
}

describe("crypto.parse_private_keys", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
  const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey;
  const ed25519 = generateKeyPairSync("ed25519").privateKey;

  it("renders an RSA key as Go's rsa.PrivateKey marshals to JSON", () => {
    const { values } = JSON.parse(fixture("rsa-pkcs1.json")) as { values: Record<string, string> };
    const n = (k: string): bigint => BigInt(values[k] as string);
    expectSame(
      parseKeys(fixture("rsa-pkcs1.key")),
      fromJson([
        {
          N: n("N"),
          E: n("E"),
          D: n("D"),
          Primes: [n("P"), n("Q")],
          Precomputed: { Dp: n("Dp"), Dq: n("Dq"), Qinv: n("Qinv"), CRTValues: [] },
        },
      ]),
    );
    expectSame(parseKeys(keyPem(rsa, "pkcs8")), [rsaExpected(rsa)]);
  });

  it("renders EC keys as Go's ecdsa.PrivateKey, the curve as an empty object", () => {
    const { values } = JSON.parse(fixture("server-ec.json")) as { values: Record<string, string> };
    const n = (k: string): bigint => BigInt(values[k] as string);
    expectSame(
      parseKeys(fixture("server-ec.key")),
      fromJson([{ Curve: {}, X: n("X"), Y: n("Y"), D: n("D") }]),
    );
    expectSame(parseKeys(keyPem(p384, "pkcs8")), [ecExpected(p384)]);
    expectSame(parseKeys(keyPem(p384, "sec1")), [ecExpected(p384)]);
    // P-224 is one of Go's curves, though JWK has no name for it.
    const p224 = generateKeyPairSync("ec", { namedCurve: "secp224r1" }).privateKey;
    const [key] = parseKeys(keyPem(p224, "sec1")) as RegoObject[];
    expect(key?.keys()).toEqual(["Curve", "D", "X", "Y"]);
  });

  it("renders Ed25519 as base64 of seed and public key, X25519 as an empty object", () => {
    const j = ed25519.export({ format: "jwk" });
    const bytes = Buffer.concat([Buffer.from(j.d ?? "", "base64url"), Buffer.from(j.x ?? "", "base64url")]);
    expect(parseKeys(keyPem(ed25519, "pkcs8"))).toEqual([bytes.toString("base64")]);
    const x25519 = generateKeyPairSync("x25519").privateKey;
    expectSame(parseKeys(keyPem(x25519, "pkcs8")), [new RegoObject()]);
  });

  it("reads every key block of a text, skipping blocks of other types, and base64 of PEM", () => {
    const text = [
      keyPem(rsa, "pkcs1"),
      SERVER,
      keyPem(p384, "sec1"),
      "some text\n",
      keyPem(ed25519, "pkcs8"),
    ].join("");
    const keys = parseKeys(text) as Value[];
    expect(keys).toHaveLength(3);
    expectSame(keys[0] as Value, rsaExpected(rsa));
    expectSame(keys[1] as Value, ecExpected(p384));
    expectSame(parseKeys(Buffer.from(text).toString("base64")) as Value, keys);
    const commented = keyPem(p384, "sec1").replace("-----\n", "-----\nComment: a header\n\n");
    expectSame(parseKeys(commented), [ecExpected(p384)]);
  });

  it("is null for the empty string and empty without key blocks", () => {
    expect(parseKeys("")).toBeNull();
    expect(parseKeys("no keys here")).toEqual([]);
    expect(parseKeys(SERVER)).toEqual([]);
    // base64 of DER is not PEM: OPA finds no blocks in it.
    const der = rsa.export({ format: "der", type: "pkcs1" }).toString("base64");
    expect(parseKeys(der)).toEqual([]);
  });

  it("skips malformed PEM blocks, as Go's pem.Decode does", () => {
    const broken = "-----BEGIN RSA PRIVATE KEY-----\n!!!!\n-----END RSA PRIVATE KEY-----\n";
    const mismatched = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
    expectSame(parseKeys(broken + mismatched + keyPem(p384, "sec1")), [ecExpected(p384)]);
  });

  it("fails with Go's errors for keys in the wrong block or of types Go does not support", () => {
    const err = (text: string): string => errorOf(() => parseKeys(text));
    expect(err(relabel(keyPem(rsa, "pkcs8"), "RSA PRIVATE KEY"))).toBe(
      "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)",
    );
    expect(err(relabel(keyPem(p384, "sec1"), "PRIVATE KEY"))).toBe(
      "x509: failed to parse private key (use ParseECPrivateKey instead for this key format)",
    );
    expect(err(relabel(keyPem(rsa, "pkcs1"), "EC PRIVATE KEY"))).toBe(
      "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)",
    );
    const ed448 = generateKeyPairSync("ed448").privateKey;
    expect(err(keyPem(ed448, "pkcs8"))).toBe(
      "x509: PKCS#8 wrapping contained private key with unknown algorithm: 1.3.101.113",
    );
    const pss = generateKeyPairSync("rsa-pss", { modulusLength: 1024 }).privateKey;
    expect(err(keyPem(pss, "pkcs8"))).toBe(
      "x509: PKCS#8 wrapping contained private key with unknown algorithm: 1.2.840.113549.1.1.10",
    );
    const k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey;
    expect(err(keyPem(k1, "sec1"))).toBe("x509: unknown elliptic curve");
    expect(err(keyPem(k1, "pkcs8"))).toBe(
      "x509: failed to parse EC private key embedded in PKCS#8: x509: unknown elliptic curve",
    );
    expect(err("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")).toBe(
      "x509: malformed PKCS #1 RSA private key",
    );
    const withTrailing = Buffer.concat([rsa.export({ format: "der", type: "pkcs1" }), Buffer.from([0])]);
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${withTrailing.toString("base64")}\n-----END RSA PRIVATE KEY-----\n`;
    expect(err(pem)).toBe("asn1: syntax error: trailing data");
  });

  it("checks its operand type and stays linear on adversarial PEM", () => {
    expect(() => call("crypto.parse_private_keys", 1)).toThrow("operand 1 must be string but got number");
    const started = Date.now();
    const many = "-----BEGIN RSA PRIVATE KEY-----\n".repeat(50_000);
    // Only the last BEGIN starts a well-formed block (holding no key).
    expect(errorOf(() => parseKeys(`${many}AAAA\n-----END RSA PRIVATE KEY-----\n`))).toBe(
      "x509: malformed PKCS #1 RSA private key",
    );
    expect(parseKeys(`${"-----BEGIN A-----\nx: y\n".repeat(50_000)}`)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
