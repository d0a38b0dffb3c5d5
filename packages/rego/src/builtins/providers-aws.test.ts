import { describe, expect, it } from "vitest";
import { BigNumber } from "../value/big-number.js";
import { fromJson, toJson } from "../value/json.js";
import type { Value } from "../value/value.js";
import type { BuiltinContext } from "./builtin.js";
import { BuiltinError } from "./builtin.js";
import { PROVIDERS_AWS_BUILTINS } from "./providers-aws.js";

const ctx: BuiltinContext = {
  nowNs: 0n,
  cache: new Map(),
  print: () => {},
  random: () => 0.5,
  capabilities: {},
};

const sign = (req: unknown, config: unknown, ts: Value): Value | undefined =>
  PROVIDERS_AWS_BUILTINS[0]?.impl([fromJson(req), fromJson(config), ts], ctx);

const creds = {
  aws_access_key: "MYAWSACCESSKEYGOESHERE",
  aws_secret_access_key: "MYAWSSECRETACCESSKEYGOESHERE",
  aws_service: "s3",
  aws_region: "us-east-1",
};
const TS = BigNumber.parse("1451311705000000000") as BigNumber;

describe("providers.aws.sign_req", () => {
  it("signs a plain GET (OPA's reference vector)", () => {
    expect(toJson(sign({ method: "get", url: "http://example.com" }, creds, TS) as Value)).toEqual({
      headers: {
        Authorization:
          "AWS4-HMAC-SHA256 Credential=MYAWSACCESSKEYGOESHERE/20151228/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=0047a7016c81e5c7f29cd522f97e911e04fc472fced0aee7916cbc287ad6c8e3",
        host: "example.com",
        "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "x-amz-date": "20151228T140825Z",
      },
      method: "get",
      url: "http://example.com",
    });
  });

  it("signs the request's own headers too", () => {
    const out = toJson(
      sign({ method: "get", url: "https://example.com", headers: { foo: "bar" } }, creds, TS) as Value,
    ) as { headers: Record<string, string> };
    expect(out.headers.Authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=MYAWSACCESSKEYGOESHERE/20151228/us-east-1/s3/aws4_request,SignedHeaders=foo;host;x-amz-content-sha256;x-amz-date,Signature=8f1dc7c9b9978356a0d0989fd26a95307f4f8a4aa264d8220647b7097d839952",
    );
    expect(out.headers.foo).toBe("bar");
  });

  it("adds the session token and honours disable_payload_signing", () => {
    const out = toJson(
      sign(
        { method: "get", url: "http://example.com" },
        { ...creds, aws_session_token: "TOKEN", disable_payload_signing: true },
        TS,
      ) as Value,
    ) as { headers: Record<string, string> };
    expect(out.headers["x-amz-security-token"]).toBe("TOKEN");
    expect(out.headers["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD");
    expect(out.headers.Authorization).toContain(
      "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,",
    );
  });

  it("reports OPA's operand errors", () => {
    const err = (f: () => unknown): BuiltinError => {
      try {
        f();
      } catch (e) {
        if (e instanceof BuiltinError) return e;
      }
      throw new Error("expected a BuiltinError");
    };
    const ok = { method: "get", url: "http://example.com" };
    expect(err(() => sign({}, creds, TS)).message).toBe(
      'operand 1 missing required request parameters(s): {"method", "url"}',
    );
    expect(err(() => sign({ method: 1, url: 2 }, creds, TS)).message).toBe(
      'operand 1 invalid values for required request parameters(s): {"method", "url"}',
    );
    expect(err(() => sign(ok, { example: "x" }, TS)).message).toBe(
      'operand 2 missing required AWS config parameters(s): {"aws_access_key", "aws_region", "aws_secret_access_key", "aws_service"}',
    );
    expect(err(() => sign(ok, { ...creds, aws_region: 5 }, TS)).message).toContain(
      "operand 2 invalid values",
    );
    expect(err(() => sign(ok, creds, -1e9)).message).toBe(
      "operand 3 could not convert time_ns value into a unix timestamp",
    );
    const e = err(() => sign(ok, { ...creds, disable_payload_signing: "false" }, TS));
    expect(e.message).toBe("operand 2 invalid value for 'disable_payload_signing' in AWS config");
    expect(e.kind).toBe("type");
  });
});
