// Builtins: hashes and HMACs (`crypto.md5`, `crypto.sha*`, `crypto.hmac.*`) via node:crypto,
// plus the X.509 builtins from crypto-x509.ts.

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { typeName, type Value } from "../value/value.js";
import { type BuiltinDefinition, operandError, type TypeSpec } from "./builtin.js";
import { X509_BUILTINS } from "./crypto-x509.js";

function str(args: readonly Value[], i: number): string {
  const v = args[i] as Value;
  if (typeof v !== "string") throw operandError(i + 1, "string", typeName(v));
  return v;
}

const S: TypeSpec = { type: "string" };

function hash(name: string, algorithm: string): BuiltinDefinition {
  return {
    name,
    arity: 1,
    decl: { args: [S], result: S },
    impl: (args) => createHash(algorithm).update(str(args, 0), "utf8").digest("hex"),
  };
}

function hmac(name: string, algorithm: string): BuiltinDefinition {
  return {
    name,
    arity: 2,
    decl: { args: [S, S], result: S },
    impl: (args) => {
      const message = str(args, 0);
      const key = str(args, 1);
      return createHmac(algorithm, Buffer.from(key, "utf8")).update(message, "utf8").digest("hex");
    },
  };
}

/** Whether two MACs are equal, in time independent of where they differ. */
export function macEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}

/** Every `crypto.*` builtin. */
export const CRYPTO_BUILTINS: readonly BuiltinDefinition[] = [
  hash("crypto.md5", "md5"),
  hash("crypto.sha1", "sha1"),
  hash("crypto.sha256", "sha256"),
  hmac("crypto.hmac.md5", "md5"),
  hmac("crypto.hmac.sha1", "sha1"),
  hmac("crypto.hmac.sha256", "sha256"),
  hmac("crypto.hmac.sha512", "sha512"),
  {
    name: "crypto.hmac.equal",
    arity: 2,
    decl: { args: [S, S], result: { type: "boolean" } },
    impl: (args) => macEqual(str(args, 0), str(args, 1)),
  },
  ...X509_BUILTINS,
];
