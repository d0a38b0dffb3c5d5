import { describe, expect, it } from "vitest";
import { RegoObject, RegoSet, type Value } from "../value/value.js";
import { type BuiltinContext, BuiltinError } from "./builtin.js";
import { formatIp, NET_BUILTINS, parseIp } from "./net.js";

const ctx: BuiltinContext = {
  nowNs: 0n,
  cache: new Map(),
  print: () => {},
  random: () => 0.5,
  capabilities: {},
};

function call(name: string, ...args: Value[]): Value | undefined {
  const b = NET_BUILTINS.find((d) => d.name === name);
  if (!b) throw new Error(`no builtin ${name}`);
  return b.impl(args, ctx);
}

function callError(name: string, ...args: Value[]): BuiltinError {
  try {
    call(name, ...args);
  } catch (e) {
    if (e instanceof BuiltinError) return e;
    throw e;
  }
  throw new Error("expected an error");
}

const strings = (v: Value | undefined): Value[] => [...(v as RegoSet).values()];

describe("net.cidr_contains", () => {
  it("checks IPs and networks (the seed IP-restriction policy)", () => {
    expect(call("net.cidr_contains", "10.0.0.0/8", "10.20.30.40")).toBe(true);
    expect(call("net.cidr_contains", "192.168.100.0/24", "192.168.101.1")).toBe(false);
    expect(call("net.cidr_contains", "10.0.0.0/8", "10.1.0.0/24")).toBe(true);
    expect(call("net.cidr_contains", "172.17.0.0/24", "172.17.0.0/16")).toBe(false);
    expect(call("net.cidr_contains", "10.0.0.0/8", "::ffff:10.1.2.3")).toBe(true);
    expect(call("net.cidr_contains", "2001:db8::/32", "2001:db8:1::1")).toBe(true);
    expect(call("net.cidr_contains", "2001:db8::/32", "10.0.0.1")).toBe(false);
    // IPv4 is tested on 32-bit numbers: addresses at and above 2^31, and the widest and
    // narrowest prefixes, read back unsigned.
    expect(call("net.cidr_contains", "128.0.0.0/1", "255.255.255.255")).toBe(true);
    expect(call("net.cidr_contains", "128.0.0.0/1", "127.255.255.255")).toBe(false);
    expect(call("net.cidr_contains", "0.0.0.0/0", "200.1.2.3")).toBe(true);
    expect(call("net.cidr_contains", "255.255.255.255/32", "255.255.255.255")).toBe(true);
    expect(call("net.cidr_contains", "255.255.255.254/32", "255.255.255.255")).toBe(false);
    expect(call("net.cidr_contains", "192.168.100.0/24", "192.168.100.0/25")).toBe(true);
    expect(call("net.cidr_contains", "::ffff:192.168.0.0/112", "192.168.7.7")).toBe(true);
    expect(call("net.cidr_overlap", "192.168.1.0/24", "192.168.1.67")).toBe(true);
  });

  it("reports invalid input", () => {
    expect(callError("net.cidr_contains", "10.0.0.0/33", "10.0.0.1").message).toBe(
      "invalid CIDR address: 10.0.0.0/33",
    );
    expect(callError("net.cidr_contains", "10.0.0.0/8", "nope").message).toBe("invalid CIDR address: nope");
    expect(callError("net.cidr_contains", 1, "x").message).toBe("operand 1 must be string but got number");
    expect(callError("net.cidr_contains", "010.0.0.0/8", "10.0.0.1").message).toContain("invalid CIDR");
  });
});

describe("net.cidr_intersects / is_valid", () => {
  it("detects overlapping networks", () => {
    expect(call("net.cidr_intersects", "192.168.1.0/25", "192.168.1.64/26")).toBe(true);
    expect(call("net.cidr_intersects", "192.168.1.0/24", "192.168.2.0/24")).toBe(false);
    expect(call("net.cidr_intersects", "fd00::/8", "fd12::/16")).toBe(true);
  });
  it("validates CIDRs", () => {
    expect(call("net.cidr_is_valid", "10.0.0.0/8")).toBe(true);
    expect(call("net.cidr_is_valid", "::/0")).toBe(true);
    expect(call("net.cidr_is_valid", "10.0.0.0")).toBe(false);
    expect(call("net.cidr_is_valid", "10.0.0.256/8")).toBe(false);
    expect(call("net.cidr_is_valid", 7)).toBe(false);
  });
});

describe("net.cidr_expand", () => {
  it("lists every address from the network's start", () => {
    expect(strings(call("net.cidr_expand", "192.168.1.1/30"))).toEqual([
      "192.168.1.0",
      "192.168.1.1",
      "192.168.1.2",
      "192.168.1.3",
    ]);
    expect(strings(call("net.cidr_expand", "2001:db8::/127"))).toEqual(["2001:db8::", "2001:db8::1"]);
  });
  it("refuses to expand huge networks", () => {
    expect(callError("net.cidr_expand", "10.0.0.0/8").message).toBe(
      "CIDR 10.0.0.0/8 has 16777216 addresses, more than the 65536 this engine expands",
    );
    expect((call("net.cidr_expand", "10.0.0.0/16") as RegoSet).size).toBe(65536);
  });
});

describe("net.cidr_merge", () => {
  it("merges siblings and drops contained networks", () => {
    expect(strings(call("net.cidr_merge", ["192.0.128.0/24", "192.0.129.0/24"]))).toEqual(["192.0.128.0/23"]);
    expect(strings(call("net.cidr_merge", ["192.0.2.112/30", "192.0.2.116/31", "192.0.2.118/31"]))).toEqual([
      "192.0.2.112/29",
    ]);
    expect(strings(call("net.cidr_merge", ["192.0.128.0/24", "0.0.0.0/0"]))).toEqual(["0.0.0.0/0"]);
    expect(strings(call("net.cidr_merge", ["192.0.129.0/24", "192.0.130.0/24"]))).toEqual([
      "192.0.129.0/24",
      "192.0.130.0/24",
    ]);
    expect(
      strings(
        call(
          "net.cidr_merge",
          RegoSet.of(["2601:600:8a80:207e:a57d:7567:e2c9:e7b3/64", "2601:600:8a80:207e::1/128"]),
        ),
      ),
    ).toEqual(["2601:600:8a80:207e::/64"]);
  });
  it("requires a prefix on IPv6 addresses", () => {
    expect(callError("net.cidr_merge", ["2601:600:8a80:207e:a57d:7567:e2c9:e7b3"]).message).toBe(
      "IPv6 invalid: needs prefix length",
    );
  });
});

describe("net.cidr_contains_matches", () => {
  it("pairs keys of matching networks and addresses", () => {
    expect(strings(call("net.cidr_contains_matches", "1.1.1.0/24", "1.1.1.1"))).toEqual([
      ["1.1.1.0/24", "1.1.1.1"],
    ]);
    expect(
      strings(call("net.cidr_contains_matches", ["1.1.2.0/24", "1.1.1.0/24"], ["1.1.1.1", "1.1.2.1"])),
    ).toEqual([
      [0, 1],
      [1, 0],
    ]);
    const obj = RegoObject.fromRecord({ a: ["10.0.0.0/8", "extra"], b: "192.168.0.0/16" });
    expect(strings(call("net.cidr_contains_matches", obj, RegoSet.of(["10.1.1.1"])))).toEqual([
      ["a", "10.1.1.1"],
    ]);
  });
});

describe("addresses", () => {
  it("formats IPv6 as Go does", () => {
    const show = (s: string): string => {
      const ip = parseIp(s);
      if (!ip) throw new Error(`bad ip ${s}`);
      return formatIp(ip.bits, ip.value);
    };
    expect(show("2001:0db8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1");
    expect(show("::")).toBe("::");
    expect(show("1:0:0:1:0:0:0:1")).toBe("1:0:0:1::1");
    expect(show("::1.2.3.4")).toBe("::102:304");
    expect(parseIp("1::2::3")).toBeUndefined();
  });
});
