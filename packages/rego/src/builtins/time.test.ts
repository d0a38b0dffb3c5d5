import { describe, expect, it } from "vitest";
import { BigNumber } from "../value/big-number.js";
import type { Value } from "../value/value.js";
import type { BuiltinContext } from "./builtin.js";
import { BuiltinError } from "./builtin.js";
import { TIME_BUILTINS } from "./time.js";

const ctx: BuiltinContext = {
  nowNs: 1_700_000_000_123_456_789n,
  cache: new Map(),
  print: () => {},
  random: () => 0.5,
  capabilities: {},
};

function call(name: string, ...args: Value[]): Value | undefined {
  const b = TIME_BUILTINS.find((d) => d.name === name);
  if (!b) throw new Error(`no builtin ${name}`);
  expect(args.length).toBe(b.arity);
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

const big = (s: string): BigNumber => BigNumber.parse(s) as BigNumber;

describe("time.now_ns", () => {
  it("returns the evaluation's fixed time, exactly", () => {
    expect(call("time.now_ns")).toEqual(big("1700000000123456789"));
  });
});

describe("time.parse_ns", () => {
  const cases: [string, string, string][] = [
    ["2006-01-02T15:04:05Z07:00", "2017-06-02T19:00:00-07:00", "1496455200000000000"],
    ["2006-01-02T15:04:05Z07:00", "1677-09-21T00:12:43.145224192-00:00", "-9223372036854775808"],
    ["2006-01-02T15:04:05Z07:00", "2262-04-11T23:47:16.854775807-00:00", "9223372036854775807"],
    ["01/02 03:04:05PM '06 -0700", "06/02 07:00:00PM '17 -0700", "1496455200000000000"],
    ["02 Jan 06 15:04 -0700", "02 Jun 17 19:00 -0700", "1496455200000000000"],
    ["RFC822Z", "02 Jun 17 19:00 -0700", "1496455200000000000"],
    ["RFC1123", "Fri, 02 Jun 2017 19:00:00 UTC", "1496430000000000000"],
    ["ANSIC", "Fri Jun  2 19:00:00 2017", "1496430000000000000"],
    ["2006-01-02", "2020-02-29", "1582934400000000000"],
    ["2006-01-02T15:04:05.000Z", "2020-01-01T00:00:00.250Z", "1577836800250000000"],
  ];
  for (const [layout, value, want] of cases) {
    it(`${layout} ${value}`, () => {
      const got = call("time.parse_ns", layout, value);
      const n = typeof got === "number" ? String(got) : (got as BigNumber).toString();
      expect(n).toBe(want);
    });
  }

  it("rejects times beyond int64 nanoseconds", () => {
    const small = callError(
      "time.parse_ns",
      "2006-01-02T15:04:05Z07:00",
      "1677-09-21T00:12:43.145224191-00:00",
    );
    expect(small.message).toBe("time outside of valid range");
    const large = callError(
      "time.parse_ns",
      "2006-01-02T15:04:05Z07:00",
      "2262-04-11T23:47:16.854775808-00:00",
    );
    expect(large.message).toBe("time outside of valid range");
    // Omitted elements default to year 0, January 1: far outside the range.
    expect(callError("time.parse_ns", "Kitchen", "3:04PM").message).toBe("time outside of valid range");
  });

  it("reports text that does not fit the layout as Go does", () => {
    expect(callError("time.parse_ns", "2006-01-02", "2020-1-02").message).toBe(
      'parsing time "2020-1-02" as "2006-01-02": cannot parse "1-02" as "01"',
    );
    expect(callError("time.parse_ns", "2006-01-02", "2020-02-30").message).toBe(
      'parsing time "2020-02-30": day out of range',
    );
    expect(callError("time.parse_ns", "2006-01-02", "2020-02-03x").message).toBe(
      'parsing time "2020-02-03x": extra text: "x"',
    );
  });

  it("raises a type error for a non-string layout", () => {
    const e = callError("time.parse_ns", 1, "x");
    expect(e.kind).toBe("type");
    expect(e.message).toBe("operand 1 must be string but got number");
  });
});

describe("time.parse_rfc3339_ns", () => {
  it("parses offsets and fractions", () => {
    expect(call("time.parse_rfc3339_ns", "2020-04-03T02:01:00Z")).toEqual(big("1585879260000000000"));
    expect(call("time.parse_rfc3339_ns", "1970-01-01T01:00:00.5+01:00")).toBe(500_000_000);
  });
});

describe("time.parse_duration_ns", () => {
  const cases: [string, number][] = [
    ["1h30m", 5_400_000_000_000],
    ["1.5h", 5_400_000_000_000],
    ["-1.5h", -5_400_000_000_000],
    ["300ms", 300_000_000],
    ["2µs", 2000],
    ["2us", 2000],
    ["1ns", 1],
    ["0", 0],
    ["+5s", 5_000_000_000],
  ];
  for (const [text, ns] of cases) {
    it(text, () => expect(call("time.parse_duration_ns", text)).toBe(ns));
  }
  it("reports Go's errors", () => {
    expect(callError("time.parse_duration_ns", "x").message).toBe('time: invalid duration "x"');
    expect(callError("time.parse_duration_ns", "1").message).toBe('time: missing unit in duration "1"');
    expect(callError("time.parse_duration_ns", "1d").message).toBe('time: unknown unit "d" in duration "1d"');
    expect(callError("time.parse_duration_ns", "").message).toBe('time: invalid duration ""');
  });
});

// 2017-06-02T19:00:00Z, a Friday.
const T = 1_496_430_000_000_000_000;

describe("time.date / time.clock / time.weekday", () => {
  it("reads UTC by default", () => {
    expect(call("time.date", T)).toEqual([2017, 6, 2]);
    expect(call("time.clock", T)).toEqual([19, 0, 0]);
    expect(call("time.weekday", T)).toBe("Friday");
  });

  it("applies IANA zones, including daylight saving", () => {
    expect(call("time.clock", [T, "America/New_York"])).toEqual([15, 0, 0]);
    expect(call("time.clock", [1_484_326_800_000_000_000, "America/New_York"])).toEqual([12, 0, 0]);
    expect(call("time.weekday", [T, "Asia/Tokyo"])).toBe("Saturday");
    expect(call("time.date", [T, "Asia/Tokyo"])).toEqual([2017, 6, 3]);
    expect(call("time.clock", [T, "Local"])).toEqual([19, 0, 0]);
    expect(call("time.clock", [T, ""])).toEqual([19, 0, 0]);
  });

  it("handles instants before the epoch and at the int64 limits", () => {
    expect(call("time.date", -1)).toEqual([1969, 12, 31]);
    expect(call("time.clock", -1)).toEqual([23, 59, 59]);
    expect(call("time.date", big("-9223372036854775808"))).toEqual([1677, 9, 21]);
    expect(call("time.date", big("9223372036854775807"))).toEqual([2262, 4, 11]);
  });

  it("serves the seed deployment-window policy: a Tuesday 03:00 UTC", () => {
    const tuesday3am = 1_700_535_600_000_000_000; // 2023-11-21T03:00:00Z
    expect(call("time.weekday", tuesday3am)).toBe("Tuesday");
    expect(call("time.clock", [tuesday3am, "UTC"])).toEqual([3, 0, 0]);
  });

  it("rejects unknown zones and bad operands", () => {
    expect(callError("time.clock", [T, "Mars/Olympus"]).message).toBe("unknown time zone Mars/Olympus");
    expect(callError("time.date", "x").message).toBe(
      "operand 1 must be either a number or an array but got string",
    );
    expect(callError("time.date", [T]).kind).toBe("type");
  });
});

describe("time.add_date", () => {
  it("normalizes overflowing fields like Go's AddDate", () => {
    const jan31 = call("time.parse_rfc3339_ns", "2021-01-31T10:00:00Z") as Value;
    const mar3 = call("time.parse_rfc3339_ns", "2021-03-03T10:00:00Z");
    expect(call("time.add_date", jan31, 0, 1, 0)).toEqual(mar3);
    expect(call("time.date", call("time.add_date", jan31, 1, -1, 1) as Value)).toEqual([2022, 1, 1]);
  });
  it("refuses results outside int64", () => {
    expect(callError("time.add_date", T, 300, 0, 0).message).toBe("time outside of valid range");
  });
  it("takes whole numbers only, as OPA does (1.0 is whole; a fractional or huge timestamp is 'too big')", () => {
    expect(call("time.add_date", 0, 1.0, 0, 0)).toEqual(call("time.add_date", 0, 1, 0, 0));
    const fractional = callError("time.add_date", 0, 1.5, 0, 0);
    expect(fractional.message).toBe("operand 2 must be integer number but got floating-point number");
    expect(fractional.kind).toBe("type");
    expect(callError("time.add_date", 0, 0, 0, 2.5).message).toBe(
      "operand 4 must be integer number but got floating-point number",
    );
    expect(callError("time.add_date", 0, "a", 0, 0).message).toBe("operand 2 must be number but got string");
    expect(callError("time.add_date", -2.5, 1, 0, 0).message).toBe("timestamp too big");
    expect(callError("time.add_date", 1e30, 0, 0, 0).message).toBe("timestamp too big");
  });
  it("shares the whole-number timestamp rule with every time builtin, as OPA does", () => {
    expect(call("time.weekday", 2.0)).toBe("Thursday");
    for (const [name, args] of [
      ["time.clock", [1.5e-3]],
      ["time.date", [1.5]],
      ["time.clock", [[1.5, "UTC"]]],
      ["time.format", [1.5]],
      ["time.diff", [1.5, 0]],
      ["time.clock", [1e30]],
    ] as const) {
      const error = callError(name, ...(args as unknown as Value[]));
      expect(error.message, name).toBe("timestamp too big");
      expect(error.kind, name).toBe("builtin");
    }
  });
});

describe("time.diff", () => {
  it("computes calendar differences regardless of order", () => {
    expect(call("time.diff", big("1703444325734390000"), big("1257894000000000000"))).toEqual([
      14, 1, 13, 19, 58, 45,
    ]);
    expect(call("time.diff", [big("1703444325734390000"), "UTC"], [big("1257894000000000000"), ""])).toEqual([
      14, 1, 13, 19, 58, 45,
    ]);
  });
});

describe("time.format", () => {
  it("formats RFC3339Nano by default and with zones and layouts", () => {
    expect(call("time.format", T)).toBe("2017-06-02T19:00:00Z");
    expect(call("time.format", big("1496430000123000000"))).toBe("2017-06-02T19:00:00.123Z");
    expect(call("time.format", [T, "America/New_York"])).toBe("2017-06-02T15:00:00-04:00");
    expect(call("time.format", [T, "UTC", "Mon Jan _2 15:04:05 2006"])).toBe("Fri Jun  2 19:00:00 2017");
    expect(call("time.format", [T, "America/New_York", "RFC1123"])).toBe("Fri, 02 Jun 2017 15:00:00 EDT");
    expect(call("time.format", [T, "UTC", "3:04PM .000 002"])).toBe("7:00PM .000 153");
  });
});

describe("whole seconds of a double timestamp", () => {
  it("agrees with exact bigint division at and around second boundaries", async () => {
    const { wholeSeconds } = await import("./time.js");
    const bases = [1e9, 1_700_000_000e9, 1_779_647_400e9, 4_500_000_000e9, 123_456_789_012_345_680];
    for (const base of bases) {
      for (const delta of [-1e6, -4096, -512, -256, 0, 256, 512, 4096, 1e6, 999_999_744]) {
        const ns = base + delta;
        if (!Number.isInteger(ns) || ns < 1e9) continue;
        const exact = Number(BigInt(ns) / 1_000_000_000n);
        expect(wholeSeconds(ns)).toBe(exact);
      }
    }
    expect(wholeSeconds(1.5e9 + 0.5)).toBeUndefined();
    expect(wholeSeconds(-5e9)).toBeUndefined();
    expect(wholeSeconds(5e18)).toBeUndefined();
  });
});

describe("time.clock and time.weekday on UTC timestamps", () => {
  it("agree with the calendar path for instants around midnight and every weekday", async () => {
    const { TIME_BUILTINS } = await import("./time.js");
    const clock = TIME_BUILTINS.find((b) => b.name === "time.clock");
    const weekday = TIME_BUILTINS.find((b) => b.name === "time.weekday");
    const ctx = {} as BuiltinContext;
    const start = Date.UTC(2026, 10, 22, 23, 59, 58);
    for (let ms = start; ms < start + 8 * 86_400_000; ms += 3_600_000 + 999) {
      const ns = ms * 1e6 + 123;
      const d = new Date(ms);
      expect(clock?.impl([[ns, "UTC"]], ctx)).toEqual([d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]);
      expect(weekday?.impl([ns], ctx)).toBe(
        ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][d.getUTCDay()],
      );
    }
  });
});
