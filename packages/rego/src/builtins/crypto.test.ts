import { generateKeyPairSync } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { RegoObject, type Value } from "../value/value.js";
import { type BuiltinContext, BuiltinError } from "./builtin.js";
import { CRYPTO_BUILTINS } from "./crypto.js";

const CONFORMANCE = join(dirname(fileURLToPath(import.meta.url)), "../../../../../shared/conformance/opa/v1");
// These tests take their certificates, keys and expected values from the shared conformance cases.
const NO_DATA = !existsSync(CONFORMANCE);

interface Case {
  note: string;
  modules: string[];
  input?: Record<string, string>;
  want_result?: { x: unknown }[];
}

function cases(folder: string): Case[] {
  const dir = join(CONFORMANCE, folder);
  return readdirSync(dir).flatMap(
    (f) => (parse(readFileSync(join(dir, f), "utf8")) as { cases: Case[] }).cases,
  );
}

/** The string a module binds to `name := "..."` or `` name := `...` ``. */
function moduleString(c: Case, name: string): string {
  const module = c.modules.join("\n");
  const raw = new RegExp(`${name} := \`([^\`]*)\``).exec(module);
  if (raw) return raw[1] as string;
  const quoted = new RegExp(`${name} := ("(?:[^"\\\\]|\\\\.)*")`).exec(module);
  if (!quoted) throw new Error(`no ${name} in ${c.note}`);
  return JSON.parse(quoted[1] as string) as string;
}

// Verification reads the evaluation's clock: pinned to a day inside the conformance chains'
// validity (their root expires in June 2031), so the test does not start failing then.
const ctx: BuiltinContext = {
  nowNs: BigInt(Date.parse("2026-12-04T00:00:00Z")) * 1_000_000n,
  cache: new Map(),
  print: () => {},
  random: () => 0.5,
  capabilities: {},
};

function call(name: string, ...args: Value[]): Value | undefined {
  const b = CRYPTO_BUILTINS.find((d) => d.name === name);
  if (!b) throw new Error(`no builtin ${name}`);
  expect(args.length).toBe(b.arity);
  return b.impl(args, ctx);
}

const field = (v: Value | undefined, ...path: string[]): Value | undefined =>
  path.reduce<Value | undefined>((acc, k) => (acc instanceof RegoObject ? acc.get(k) : undefined), v);

describe.skipIf(NO_DATA)("hashes and HMACs", () => {
  it("hashes UTF-8 text", () => {
    expect(call("crypto.sha256", "lorem ipsum")).toBe(
      "5e2bf57d3f40c4b6df69daf1936cb766f832374b4fc0259a7cbff06e2f70f269",
    );
    expect(call("crypto.md5", "")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(call("crypto.sha1", "abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  });

  it("matches the conformance HMAC cases, including unicode", () => {
    for (const [folder, name] of [
      ["cryptohmacmd5", "crypto.hmac.md5"],
      ["cryptohmacsha1", "crypto.hmac.sha1"],
      ["cryptohmacsha256", "crypto.hmac.sha256"],
      ["cryptohmacsha512", "crypto.hmac.sha512"],
    ] as const) {
      for (const c of cases(folder)) {
        const input = c.input as Record<string, string>;
        const want = (c.want_result?.[0]?.x as string[] | undefined)?.[0];
        expect(call(name, input.message as string, input.key as string), c.note).toBe(want);
      }
    }
  });

  it("compares MACs", () => {
    for (const c of cases("cryptohmacequal")) {
      const input = c.input as Record<string, string>;
      const want = (c.want_result?.[0]?.x as boolean[] | undefined)?.[0];
      expect(call("crypto.hmac.equal", input.mac1 as string, input.mac2 as string), c.note).toBe(want);
    }
    expect(call("crypto.hmac.equal", "abc", "abcd")).toBe(false);
    expect(() => call("crypto.hmac.equal", 1, "a")).toThrow("operand 1 must be string but got number");
  });
});

describe.skipIf(NO_DATA)("crypto.x509.parse_certificates", () => {
  it("reads single DER certificates and DER chains in base64", () => {
    for (const c of cases("cryptox509parsecertificates")) {
      const certs = call("crypto.x509.parse_certificates", moduleString(c, "certs")) as Value[];
      expect(
        certs.map((cert) => field(cert, "Subject", "CommonName")),
        c.note,
      ).toEqual(c.want_result?.[0]?.x);
    }
  });

  it("fills in the common certificate fields", () => {
    const c = cases("cryptox509parsecertificates")[0] as Case;
    const [cert] = call("crypto.x509.parse_certificates", moduleString(c, "certs")) as Value[];
    expect(field(cert, "Version")).toBe(3);
    expect(field(cert, "Issuer", "Organization")).toEqual(["Google Inc"]);
    expect(field(cert, "NotBefore")).toBe("2014-01-29T13:27:43Z");
    expect(field(cert, "DNSNames")).toEqual(["mail.google.com"]);
    expect(field(cert, "IsCA")).toBe(false);
  });

  it("reports bad base64", () => {
    expect(() => call("crypto.x509.parse_certificates", "not base64!")).toThrow(BuiltinError);
  });
});

describe.skipIf(NO_DATA)("crypto.x509.parse_and_verify_certificates", () => {
  it("verifies the conformance chains and returns them leaf first", () => {
    for (const c of cases("cryptox509parseandverifycertificates")) {
      const [valid, chain] = call("crypto.x509.parse_and_verify_certificates", moduleString(c, "certs")) as [
        boolean,
        Value[],
      ];
      const want = c.want_result?.[0]?.x as {
        valid: boolean;
        certs: { CN: string; DNS: unknown; URI: unknown }[];
      };
      expect(valid, c.note).toBe(want.valid);
      expect(
        chain.map((cert) => ({
          CN: field(cert, "Subject", "CommonName"),
          DNS: field(cert, "DNSNames"),
          URI: field(cert, "URIStrings"),
        })),
        c.note,
      ).toEqual(want.certs);
    }
  });

  it("fails a chain that does not link up", () => {
    const c = cases("cryptox509parseandverifycertificates")[0] as Case;
    const pems =
      moduleString(c, "certs").match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    const broken = [pems[0], pems[pems.length - 1]].join("\n");
    expect(call("crypto.x509.parse_and_verify_certificates", broken)).toEqual([false, []]);
  });
});

describe.skipIf(NO_DATA)("crypto.x509.parse_certificate_request", () => {
  it("reads PEM and base64 PEM requests", () => {
    for (const c of cases("cryptox509parsecertificaterequest")) {
      const csr = call("crypto.x509.parse_certificate_request", moduleString(c, "csr"));
      expect(field(csr, "Subject", "CommonName"), c.note).toBe(c.want_result?.[0]?.x);
    }
  });
});

describe.skipIf(NO_DATA)("crypto.x509.parse_keypair", () => {
  it("returns the certificate chain as base64 DER", () => {
    for (const c of cases("cryptox509parsekeypair")) {
      const input = c.input as Record<string, string>;
      const pair = call("crypto.x509.parse_keypair", input.cert as string, input.key as string);
      expect((field(pair, "Certificate") as string[])[0], c.note).toBe(c.want_result?.[0]?.x);
    }
  });

  it("rejects a key that does not belong to the certificate", () => {
    const c = cases("cryptox509parsekeypair")[0] as Case;
    const input = c.input as Record<string, string>;
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      format: "pem",
      type: "pkcs8",
    });
    expect(() => call("crypto.x509.parse_keypair", input.cert as string, other as string)).toThrow(
      "tls: private key does not match public key",
    );
  });
});

describe.skipIf(NO_DATA)("crypto.x509.parse_rsa_private_key", () => {
  it("returns the key as a JWK", () => {
    const [valid, invalid] = cases("cryptox509parsersaprivatekey") as [Case, Case];
    const jwk = call("crypto.x509.parse_rsa_private_key", moduleString(valid, "pem")) as RegoObject;
    const want = valid.want_result?.[0]?.x as Record<string, string>;
    for (const k of Object.keys(want)) expect(jwk.get(k), k).toBe(want[k]);
    expect(() => call("crypto.x509.parse_rsa_private_key", "invalid")).toThrow(/illegal base64/);
    expect(invalid.note).toContain("invalid");
  });
});
