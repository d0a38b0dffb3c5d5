// Shared, Rego in the browser: stands in for node:crypto in the console's build of @keygate/rego.
// Every function throws, so a builtin that needs it fails with this message; the console checks a
// policy's builtins (NODE_CRYPTO_BUILTINS) first and simulates such a policy on the server instead.

const MESSAGE = "node:crypto is not available in the browser: this policy is simulated on the server";

function unavailable(): never {
  throw new Error(MESSAGE);
}

/** Throws: hashing needs node:crypto. */
export const createHash = unavailable;
/** Throws: HMAC needs node:crypto. */
export const createHmac = unavailable;
/** Throws: needs node:crypto. */
export const timingSafeEqual = unavailable;
/** Throws: keys need node:crypto. */
export const createPrivateKey = unavailable;
/** Throws: keys need node:crypto. */
export const createPublicKey = unavailable;
/** Throws: keys need node:crypto. */
export const createSecretKey = unavailable;
/** Throws: keys need node:crypto. */
export const generateKeyPairSync = unavailable;
/** Throws: signing needs node:crypto. */
export const sign = unavailable;
/** Throws: verifying needs node:crypto. */
export const verify = unavailable;
/** Empty: node:crypto's constants are not available. */
export const constants: Record<string, number> = {};

/** Cannot be constructed: certificates need node:crypto. */
export class X509Certificate {
  constructor() {
    unavailable();
  }
}

/** Matches no value: keys need node:crypto. */
export class KeyObject {}
