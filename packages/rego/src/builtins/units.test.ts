import { describe, expect, it } from "vitest";
import { callerFor } from "./test-context.js";
import { UNIT_BUILTINS } from "./units.js";

const call = callerFor(UNIT_BUILTINS);

describe("units.parse", () => {
  it("applies SI and binary suffixes exactly", () => {
    expect(call("units.parse", "500m")).toBe(0.5);
    expect(call("units.parse", "0.0005K")).toBe(0.5);
    expect(call("units.parse", "0.0000005M")).toBe(0.5);
    expect(call("units.parse", "1Ki")).toBe(1024);
    expect(call("units.parse", "2")).toBe(2);
    expect(call("units.parse", '"10G"')).toBe(1e10);
  });

  it("reports bad input", () => {
    expect(() => call("units.parse", "1 K")).toThrow("spaces not allowed in resource strings");
    expect(() => call("units.parse", "K")).toThrow("no amount provided");
    expect(() => call("units.parse", "1Q")).toThrow("unit Q not recognized");
    expect(() => call("units.parse", "1.2.3")).toThrow("could not parse amount to a number");
    expect(() => call("units.parse", "1e1234567K")).toThrow("exponent too large");
    expect(() => call("units.parse", "1KB")).toThrow("unit Kb not recognized");
  });

  it("accepts signs and exponents, and rounds fractions to 10 decimals", () => {
    expect(call("units.parse", "1e3K")).toBe(1000000);
    expect(call("units.parse", "-5K")).toBe(-5000);
    expect(String(call("units.parse", "1E"))).toBe("1000000000000000000");
    expect(call("units.parse", "0.000000000001m")).toBe(0);
    expect(call("units.parse", "0.0000000155")).toBe(0.0000000155);
  });
});

describe("units.parse_bytes", () => {
  it("parses byte sizes case-insensitively, truncating to whole bytes", () => {
    expect(call("units.parse_bytes", "1KiB")).toBe(1024);
    expect(call("units.parse_bytes", "2MiB")).toBe(2097152);
    expect(call("units.parse_bytes", "2Mi")).toBe(2097152);
    expect(call("units.parse_bytes", "3MB")).toBe(3000000);
    expect(call("units.parse_bytes", "128Gi")).toBe(137438953472);
    expect(call("units.parse_bytes", "4.1Mi")).toBe(4299161);
    expect(() => call("units.parse_bytes", "kb")).toThrow("no byte amount provided");
    expect(() => call("units.parse_bytes", "1xb")).toThrow("byte unit xb not recognized");
  });
});
