// @keygate/rego for browsers: the public API as in index.ts, plus the names of the builtins that
// need node:crypto. A browser build replaces node:crypto with a module whose functions throw
// (browsers only offer asynchronous WebCrypto), so a caller checks a policy's builtins first.
import { CRYPTO_BUILTINS } from "./builtins/crypto.js";
import { JWT_BUILTINS } from "./builtins/jwt.js";
import { PROVIDERS_AWS_BUILTINS } from "./builtins/providers-aws.js";

export * from "./index.js";

/** The builtins that need node:crypto (hashes, HMACs, X.509, JWT, AWS signing): not in a browser. */
export const NODE_CRYPTO_BUILTINS: ReadonlySet<string> = new Set(
  [...CRYPTO_BUILTINS, ...JWT_BUILTINS, ...PROVIDERS_AWS_BUILTINS].map((builtin) => builtin.name),
);
