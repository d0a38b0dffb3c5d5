// Builtins: `providers.aws.sign_req`, AWS Signature Version 4 signing of an http.send request object.

import { createHash, createHmac } from "node:crypto";
import { BigNumber } from "../value/big-number.js";
import { toJson } from "../value/json.js";
import { RegoObject, typeName, type Value } from "../value/value.js";
import { type BuiltinDefinition, BuiltinError, operandError, type TypeSpec } from "./builtin.js";
import { loadZone, toCivil } from "./time-calendar.js";
import { formatTime } from "./time-layout.js";

const REQUIRED_REQUEST = ["method", "url"] as const;
const REQUIRED_CONFIG = ["aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"] as const;

/** Headers that proxies may rewrite, so AWS signers leave them out. */
const IGNORED_HEADERS = new Set(["authorization", "user-agent", "x-amzn-trace-id"]);

function typeError(message: string): BuiltinError {
  return new BuiltinError("type", message);
}

function requireStrings(
  obj: RegoObject,
  keys: readonly string[],
  pos: number,
  what: string,
): Record<string, string> {
  const list = `{${keys.map((k) => JSON.stringify(k)).join(", ")}}`;
  if (keys.some((k) => !obj.has(k)))
    throw typeError(`operand ${pos} missing required ${what} parameters(s): ${list}`);
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = obj.get(k) as Value;
    if (typeof v !== "string")
      throw typeError(`operand ${pos} invalid values for required ${what} parameters(s): ${list}`);
    out[k] = v;
  }
  return out;
}

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/** The raw path and query of a URL as written, as Go's url.URL keeps them (an empty path stays empty). */
function rawPathAndQuery(text: string): { path: string; query: string } {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^?#]*)(?:\?([^#]*))?/.exec(text);
  return { path: m?.[1] ?? "", query: m?.[2] ?? "" };
}

function timestampNs(v: Value): bigint {
  const fail = () => typeError("operand 3 could not convert time_ns value into a unix timestamp");
  let ns: bigint | undefined;
  if (typeof v === "number") ns = Number.isInteger(v) ? BigInt(v) : undefined;
  else if (v instanceof BigNumber) ns = v.toBigInt();
  else throw operandError(3, "number", typeName(v));
  // Signing times before the epoch are never meaningful; OPA rejects them as non-integer literals.
  if (ns === undefined || ns < 0n || ns >= 2n ** 63n) throw fail();
  return ns;
}

/** Signs the request; returns a copy with Authorization and the x-amz-* headers added. */
function signRequest(request: RegoObject, config: RegoObject, ts: Value): RegoObject {
  const req = requireStrings(request, REQUIRED_REQUEST, 1, "request");
  const cfg = requireStrings(config, REQUIRED_CONFIG, 2, "AWS config");
  const sessionToken = config.get("aws_session_token");
  const disable = config.get("disable_payload_signing");
  if (disable !== undefined && typeof disable !== "boolean") {
    throw typeError("operand 2 invalid value for 'disable_payload_signing' in AWS config");
  }
  const ns = timestampNs(ts);
  let url: URL;
  try {
    url = new URL(req.url as string);
  } catch {
    throw new BuiltinError("builtin", `invalid URL in request: ${req.url}`);
  }
  const rawBody = request.get("raw_body");
  const body = request.get("body");
  const payload =
    typeof rawBody === "string"
      ? rawBody
      : body !== undefined && body !== null
        ? JSON.stringify(toJson(body))
        : "";
  const contentSha = disable === true ? "UNSIGNED-PAYLOAD" : sha256Hex(payload);

  const t = toCivil(ns, loadZone("UTC"));
  const date = formatTime(t, "20060102");
  const stamp = formatTime(t, "20060102T150405Z");
  const service = cfg.aws_service as string;
  const region = cfg.aws_region as string;

  const awsHeaders: Record<string, string> = {
    host: url.host,
    "x-amz-content-sha256": contentSha,
    "x-amz-date": stamp,
  };
  if (typeof sessionToken === "string" && sessionToken !== "")
    awsHeaders["x-amz-security-token"] = sessionToken;

  const toSign = new Map<string, string>(Object.entries(awsHeaders));
  const headers = request.get("headers");
  const outHeaders = new RegoObject();
  if (headers instanceof RegoObject) {
    for (const { key, value } of headers.entries()) {
      outHeaders.set(key, value);
      if (typeof key !== "string") continue;
      const name = key.toLowerCase();
      if (IGNORED_HEADERS.has(name)) continue;
      toSign.set(name, typeof value === "string" ? value : JSON.stringify(toJson(value)));
    }
  }
  const names = [...toSign.keys()].sort();
  const signedHeaders = names.join(";");
  const { path, query } = rawPathAndQuery(req.url as string);
  // OPA signs the method exactly as given (http.send lower-cases it anyway).
  const canonical = [
    req.method as string,
    path,
    query,
    ...names.map((n) => `${n}:${toSign.get(n)}`),
    "",
    signedHeaders,
    contentSha,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, sha256Hex(canonical)].join("\n");
  let key = hmac(`AWS4${cfg.aws_secret_access_key}`, date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, "aws4_request");
  const signature = hmac(key, stringToSign).toString("hex");

  outHeaders.set(
    "Authorization",
    `AWS4-HMAC-SHA256 Credential=${cfg.aws_access_key}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`,
  );
  for (const [k, v] of Object.entries(awsHeaders)) outHeaders.set(k, v);
  const out = new RegoObject();
  for (const { key: k, value } of request.entries()) out.set(k, value);
  out.set("headers", outHeaders);
  return out;
}

const STRING_OBJECT: TypeSpec = {
  type: "object",
  dynamic: { key: { type: "string" }, value: { type: "any" } },
};

/** `providers.aws.sign_req`. */
export const PROVIDERS_AWS_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: "providers.aws.sign_req",
    arity: 3,
    decl: {
      args: [STRING_OBJECT, STRING_OBJECT, { type: "number" }],
      result: { type: "object", dynamic: { key: { type: "any" }, value: { type: "any" } } },
    },
    impl: (args) => {
      const [request, config, ts] = args as [Value, Value, Value];
      if (!(request instanceof RegoObject)) throw operandError(1, "object", typeName(request));
      if (!(config instanceof RegoObject)) throw operandError(2, "object", typeName(config));
      return signRequest(request, config, ts);
    },
  },
];
