import { describe, expect, it } from "vitest";
import { RegoObject, type Value } from "../value/value.js";
import { type BuiltinContext, BuiltinError, type HostCapabilities } from "./builtin.js";
import { NETWORK_BUILTINS } from "./network.js";

function context(capabilities: HostCapabilities): BuiltinContext {
  return { nowNs: 0n, cache: new Map(), print: () => {}, random: () => 0, capabilities };
}

function builtin(name: string) {
  const b = NETWORK_BUILTINS.find((d) => d.name === name);
  if (!b) throw new Error(`no builtin ${name}`);
  return b;
}

describe("http.send", () => {
  const request = RegoObject.fromRecord({ method: "GET", url: "https://example.com" });

  it("is refused with an explanation when the host gives no capability", () => {
    const call = () => builtin("http.send").impl([request], context({}));
    expect(call).toThrow(BuiltinError);
    expect(call).toThrow(/network access is disabled.*capabilities\.httpSend/);
  });

  it("delegates to the host's httpSend", () => {
    const seen: Value[] = [];
    const ctx = context({
      httpSend: (req) => {
        seen.push(req);
        return RegoObject.fromRecord({ status_code: 200 });
      },
    });
    const res = builtin("http.send").impl([request], ctx) as RegoObject;
    expect(res.get("status_code")).toBe(200);
    expect(seen).toEqual([request]);
  });

  it("checks its operand", () => {
    expect(() => builtin("http.send").impl(["x"], context({}))).toThrow(
      "operand 1 must be object but got string",
    );
  });
});

describe("net.lookup_ip_addr and opa.runtime", () => {
  it("refuses DNS lookups", () => {
    expect(() => builtin("net.lookup_ip_addr").impl(["example.com"], context({}))).toThrow(
      /network access is disabled/,
    );
  });
  it("returns an empty runtime object", () => {
    const r = builtin("opa.runtime").impl([], context({}));
    expect(r).toBeInstanceOf(RegoObject);
    expect((r as RegoObject).size).toBe(0);
  });
});
