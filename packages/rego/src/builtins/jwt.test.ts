import { generateKeyPairSync } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { fromJson, toJson } from "../value/json.js";
import type { RegoObject, Value } from "../value/value.js";
import { type BuiltinContext, BuiltinError } from "./builtin.js";
import { JWT_BUILTINS } from "./jwt.js";

const CONFORMANCE = join(dirname(fileURLToPath(import.meta.url)), "../../../../../shared/conformance/opa/v1");

interface Case {
  note: string;
  modules: string[];
  want_result?: { x: unknown }[];
  want_error?: string;
}

function cases(folder: string): Case[] {
  const dir = join(CONFORMANCE, folder);
  return readdirSync(dir).flatMap(
    (f) => (parse(readFileSync(join(dir, f), "utf8")) as { cases: Case[] }).cases,
  );
}

/** The string literals (quoted or raw) passed to the first call of `name` in a case's module. */
function callArgs(c: Case, name: string): string[] {
  const module = c.modules.join("\n");
  const start = module.indexOf(`${name}(`);
  if (start < 0) throw new Error(`no ${name} call in ${c.note}`);
  const out: string[] = [];
  const re = /"(?:[^"\\]|\\.)*"|`[^`]*`/gy;
  let pos = start + name.length + 1;
  while (pos < module.length) {
    while (/[\s,]/.test(module[pos] as string)) pos++;
    re.lastIndex = pos;
    const m = re.exec(module);
    if (!m) break;
    out.push(m[0].startsWith("`") ? m[0].slice(1, -1) : (JSON.parse(m[0]) as string));
    pos = re.lastIndex;
  }
  return out;
}

const ctx: BuiltinContext = {
  nowNs: 1_700_000_000_000_000_000n,
  cache: new Map(),
  print: () => {},
  random: () => 0.5,
  capabilities: {},
};

function call(name: string, ...args: Value[]): Value | undefined {
  const b = JWT_BUILTINS.find((d) => d.name === name);
  if (!b) throw new Error(`no builtin ${name}`);
  expect(args.length).toBe(b.arity);
  return b.impl(args, ctx);
}

const obj = (record: Record<string, unknown>): RegoObject => fromJson(record) as RegoObject;

describe.skipIf(!existsSync(CONFORMANCE))("conformance cases", () => {
  it("io.jwt.decode", () => {
    for (const c of cases("jwtbuiltins")) {
      const [token] = callArgs(c, "io.jwt.decode");
      expect(toJson(call("io.jwt.decode", token as string) as Value), c.note).toEqual(c.want_result?.[0]?.x);
    }
  });

  it("io.jwt.verify_hs*", () => {
    for (const folder of ["jwtverifyhs256", "jwtverifyhs384", "jwtverifyhs512", "jwtverifyrsa"]) {
      for (const c of cases(folder)) {
        const name = /io\.jwt\.verify_\w+/.exec(c.modules.join(""))?.[0] as string;
        const [token, key] = callArgs(c, name);
        expect(call(name, token as string, key as string), c.note).toBe(c.want_result?.[0]?.x);
      }
    }
  });

  it("io.jwt.decode_verify (PS256 with certificates)", () => {
    for (const c of cases("jwtdecodeverify")) {
      const module = c.modules.join("\n");
      const [token] = callArgs(c, "io.jwt.decode_verify");
      const cert = /"cert":\s*("(?:[^"\\]|\\.)*"|`[^`]*`)/.exec(module)?.[1] as string;
      const certText = cert.startsWith("`") ? cert.slice(1, -1) : (JSON.parse(cert) as string);
      const got = call("io.jwt.decode_verify", token as string, obj({ cert: certText }));
      expect(toJson(got as Value), c.note).toEqual(c.want_result?.[0]?.x);
    }
  });

  it("io.jwt.encode_sign and encode_sign_raw", () => {
    for (const c of [
      ...cases("jwtencodesignraw"),
      ...cases("jwtencodesignheadererrors"),
      ...cases("jwtencodesignpayloaderrors"),
    ]) {
      const [header, payload, key] = callArgs(c, "io.jwt.encode_sign_raw");
      const run = () => call("io.jwt.encode_sign_raw", header as string, payload as string, key as string);
      if (c.want_error) expect(run, c.note).toThrow(c.want_error);
      else expect(run(), c.note).toBe(c.want_result?.[0]?.x);
    }
    const [c1, c2] = cases("jwtencodesign") as [Case, Case];
    expect(
      call(
        "io.jwt.encode_sign",
        obj({ alg: "HS256", typ: "JWT" }),
        obj({
          aud: ["bob", "saul"],
          exp: 1300819380,
          "http://example.com/is_root": true,
          iss: "joe",
          privateParams: { private_one: "one", private_two: "two" },
        }),
        obj({
          k: "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
          kty: "oct",
        }),
      ),
    ).toBe(c1.want_result?.[0]?.x);
    expect(
      call(
        "io.jwt.encode_sign",
        obj({ alg: "HS256", typ: "JWT" }),
        obj({}),
        obj({
          k: "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
          kty: "oct",
        }),
      ),
    ).toBe(c2.want_result?.[0]?.x);
  });
});

describe("round trips with generated keys", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ec256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ec384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const ec521 = generateKeyPairSync("ec", { namedCurve: "P-521" });
  const ed = generateKeyPairSync("ed25519");
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = (k: import("node:crypto").KeyObject) =>
    obj(k.export({ format: "jwk" }) as Record<string, unknown>);
  const pem = (k: import("node:crypto").KeyObject) => k.export({ format: "pem", type: "spki" }) as string;

  const pairs = [
    ["RS256", rsa],
    ["RS384", rsa],
    ["RS512", rsa],
    ["PS256", rsa],
    ["PS384", rsa],
    ["PS512", rsa],
    ["ES256", ec256],
    ["ES384", ec384],
    ["ES512", ec521],
    ["EdDSA", ed],
  ] as const;

  for (const [alg, pair] of pairs) {
    it(`${alg} signs and verifies with PEM and JWK keys`, () => {
      const token = call(
        "io.jwt.encode_sign",
        obj({ alg }),
        obj({ sub: "svc" }),
        jwk(pair.privateKey),
      ) as string;
      const verify = `io.jwt.verify_${alg.toLowerCase()}`;
      expect(call(verify, token, pem(pair.publicKey))).toBe(true);
      expect(call(verify, token, JSON.stringify(pair.publicKey.export({ format: "jwk" })))).toBe(true);
      const sigStart = token.lastIndexOf(".") + 1;
      const flipped = token[sigStart] === "A" ? "B" : "A";
      const tampered = `${token.slice(0, sigStart)}${flipped}${token.slice(sigStart + 1)}`;
      expect(call(verify, tampered, pem(pair.publicKey))).toBe(false);
      const [ok, header, payload] = call(
        "io.jwt.decode_verify",
        token,
        obj({ cert: pem(pair.publicKey) }),
      ) as Value[];
      expect(ok).toBe(true);
      expect(toJson(header as Value)).toEqual({ alg });
      expect(toJson(payload as Value)).toEqual({ sub: "svc" });
    });
  }

  it("an RSA token does not verify with another key", () => {
    const token = call("io.jwt.encode_sign", obj({ alg: "RS256" }), obj({}), jwk(rsa.privateKey)) as string;
    expect(call("io.jwt.verify_rs256", token, pem(other.publicKey))).toBe(false);
  });
});

describe("io.jwt.decode_verify constraints", () => {
  const secret = "s3cret";
  const key = obj({ kty: "oct", k: Buffer.from(secret).toString("base64url") });
  const nowS = 1_700_000_000;
  const token = (
    claims: Record<string, unknown>,
    header: Record<string, unknown> = { alg: "HS256", typ: "JWT" },
  ) => call("io.jwt.encode_sign", obj(header), obj(claims), key) as string;
  const verify = (t: string, constraints: Record<string, unknown>) =>
    (call("io.jwt.decode_verify", t, obj(constraints)) as Value[])[0];

  it("checks the secret, alg, iss and aud", () => {
    const t = token({ iss: "keygate", aud: ["api", "web"] });
    expect(verify(t, { secret, aud: "api" })).toBe(true);
    expect(verify(t, { secret: "wrong", aud: "api" })).toBe(false);
    expect(verify(t, { secret, aud: "api", alg: "HS512" })).toBe(false);
    expect(verify(t, { secret, aud: "api", iss: "keygate" })).toBe(true);
    expect(verify(t, { secret, aud: "api", iss: "other" })).toBe(false);
    expect(verify(t, { secret, aud: "nope" })).toBe(false);
    // A token with an audience needs an aud constraint.
    expect(verify(t, { secret })).toBe(false);
    expect(verify(token({}), { secret, aud: "api" })).toBe(false);
  });

  it("checks exp and nbf against the evaluation time or the time constraint (ns)", () => {
    expect(verify(token({ exp: nowS + 10 }), { secret })).toBe(true);
    expect(verify(token({ exp: nowS }), { secret })).toBe(false);
    expect(verify(token({ nbf: nowS + 10 }), { secret })).toBe(false);
    expect(verify(token({ nbf: nowS + 10 }), { secret, time: (nowS + 20) * 1e9 })).toBe(true);
    expect(() => verify(token({ exp: "soon" }), { secret })).toThrow("exp value must be a number");
  });

  it("returns false with empty objects when unverified", () => {
    expect(toJson(call("io.jwt.decode_verify", token({ exp: 1 }), obj({ secret })) as Value)).toEqual([
      false,
      {},
      {},
    ]);
  });

  it("rejects bad constraints", () => {
    const t = token({});
    expect(() => verify(t, { secret, foo: 1 })).toThrow("unknown token validation constraint: foo");
    expect(() => verify(t, {})).toThrow("no key constraint");
    expect(() => verify(t, { secret, cert: "{}" })).toThrow(BuiltinError);
  });

  it("treats a trusted key of the wrong kind as a mismatch, and a secret on an RSA token as an error", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = rsa.publicKey.export({ format: "pem", type: "spki" }) as string;
    expect(verify(token({}), { cert: pem })).toBe(false);
    expect(call("io.jwt.verify_rs256", token({}), pem)).toBe(false);
    const rsaToken = call(
      "io.jwt.encode_sign",
      obj({ alg: "RS256" }),
      obj({}),
      obj(rsa.privateKey.export({ format: "jwk" }) as Record<string, unknown>),
    ) as string;
    expect(() => verify(rsaToken, { secret })).toThrow("incorrect public key type");
    expect(() => call("io.jwt.verify_rs256", rsaToken, "not a key")).toThrow(
      "failed to parse a JWK key (set)",
    );
  });

  it("selects JWKS keys by kid", () => {
    const a = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const b = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const set = JSON.stringify({
      keys: [
        { ...a.publicKey.export({ format: "jwk" }), kid: "a" },
        { ...b.publicKey.export({ format: "jwk" }), kid: "b" },
      ],
    });
    const t = call(
      "io.jwt.encode_sign",
      obj({ alg: "ES256", kid: "b" }),
      obj({}),
      obj(b.privateKey.export({ format: "jwk" }) as Record<string, unknown>),
    ) as string;
    expect(verify(t, { cert: set })).toBe(true);
  });
});

describe("io.jwt.decode errors", () => {
  it("reports malformed tokens", () => {
    expect(() => call("io.jwt.decode", "abc")).toThrow("encoded JWT had no period separators");
    expect(() => call("io.jwt.decode", "a.b")).toThrow("encoded JWT must have 3 sections, found 2");
    expect(() => call("io.jwt.decode", "!!.e30.")).toThrow("JWT header had invalid encoding");
    expect(() => call("io.jwt.decode", 1)).toThrow("operand 1 must be string but got number");
  });
});
