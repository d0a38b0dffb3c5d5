// Builtins: time (`time.*`) on int64 nanoseconds since the epoch, kept as bigint throughout.
//
// Time arguments are `ns`, `[ns, "zone"]` or (for time.format) `[ns, "zone", "layout"]`;
// zones are IANA names resolved through Intl ("", "UTC" and "Local" are UTC).

import { BigNumber } from "../value/big-number.js";
import { isNumber, typeName, type Value } from "../value/value.js";
import { type BuiltinDefinition, BuiltinError, operandError, type TypeSpec } from "./builtin.js";
import { toBigInt } from "./operands.js";
import {
  type CivilTime,
  checkNsRange,
  daysIn,
  fromCivil,
  loadZone,
  toCivil,
  toCivilSeconds,
  WEEKDAY_NAMES,
  type Zone,
} from "./time-calendar.js";
import { formatTime, parseDuration, parseTime, resolveLayout } from "./time-layout.js";

/** A bigint as a Rego number: a double when exact, else a BigNumber. */
export function bigintValue(n: bigint): Value {
  const d = Number(n);
  return Number.isSafeInteger(d) ? d : new BigNumber(n, 0);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A Rego number as integer nanoseconds: a whole number within int64, else OPA's "timestamp too big". */
function toNs(v: Value, pos: number): bigint {
  if (!isNumber(v)) throw operandError(pos, "number", typeName(v));
  // OPA takes a timestamp only as an integer that fits in int64 (2.0 is one; 1.5 and 1e30 are not).
  const ns = toBigInt(v);
  if (ns === undefined || ns < INT64_MIN || ns > INT64_MAX) throw new BuiltinError("builtin", "timestamp too big");
  return ns;
}

interface TimeArg {
  readonly ns: bigint;
  readonly zone: Zone;
  readonly layout: string | undefined;
}

/** Reads `ns`, `[ns, tz]` or (when layouts are allowed) `[ns, tz, layout]`. */
function timeArg(v: Value, pos: number, allowLayout: boolean): TimeArg {
  if (isNumber(v)) return { ns: toNs(v, pos), zone: loadZone("UTC"), layout: undefined };
  if (Array.isArray(v)) {
    const arr = v as readonly Value[];
    const maxLen = allowLayout ? 3 : 2;
    if (arr.length < 2 || arr.length > maxLen) {
      throw new BuiltinError(
        "type",
        `operand ${pos} must be array of ${allowLayout ? "two or three" : "two"} elements but got array of ${arr.length} elements`,
      );
    }
    const ns = arr[0] as Value;
    if (!isNumber(ns)) throw operandError(pos, "number as first element of array", typeName(ns));
    const tz = arr[1] as Value;
    if (typeof tz !== "string") throw operandError(pos, "string as second element of array", typeName(tz));
    let layout: string | undefined;
    if (arr.length === 3) {
      const l = arr[2] as Value;
      if (typeof l !== "string") throw operandError(pos, "string as third element of array", typeName(l));
      layout = resolveLayout(l);
    }
    return { ns: toNs(ns, pos), zone: loadZone(tz), layout };
  }
  throw operandError(pos, "either a number or an array", typeName(v));
}

/**
 * The whole-second fields of a time argument. A positive integral double `ns` before 2116 (how
 * JSON input carries timestamps) is split into seconds exactly in doubles; anything else takes
 * the bigint path.
 */
function civilToSecond(args: readonly Value[], pos: number): CivilTime {
  const v = args[pos - 1] as Value;
  let ns: Value | undefined;
  let zone: Zone | undefined;
  if (typeof v === "number") {
    ns = v;
  } else if (Array.isArray(v) && v.length === 2 && typeof v[1] === "string") {
    ns = v[0] as Value;
    zone = loadZone(v[1] as string);
  }
  if (typeof ns === "number") {
    const secs = wholeSeconds(ns);
    if (secs !== undefined) return toCivilSeconds(secs, zone ?? loadZone("UTC"));
  }
  return civil(args, pos);
}

/**
 * The seconds since the epoch of a time argument that is a timestamp in UTC (`ns` or
 * `[ns, "UTC"]`) when wholeSeconds can split it, else undefined: the whole-second fields of such
 * an instant need no calendar object.
 */
function utcSeconds(v: Value): number | undefined {
  if (typeof v === "number") return wholeSeconds(v);
  if (Array.isArray(v) && v.length === 2) {
    const arr = v as readonly Value[];
    const ns = arr[0];
    const tz = arr[1];
    if (typeof ns === "number" && typeof tz === "string" && loadZone(tz).formatter === undefined) {
      return wholeSeconds(ns);
    }
  }
  return undefined;
}

/**
 * floor(ns / 1e9) computed exactly in doubles, for integral 1e9 <= ns < 4.6e18: the quotient's
 * floor is off by at most one; s * 1e9 = s * 1953125 * 512 is exact while s * 1953125 < 2^53,
 * and ns - s * 1e9 is exact because both are within a factor of two (Sterbenz), so the
 * remainder's sign and size correct it.
 */
export function wholeSeconds(ns: number): number | undefined {
  if (!(ns >= 1e9 && ns < 4.6e18) || !Number.isInteger(ns)) return undefined;
  let secs = Math.floor(ns / 1e9);
  const rem = ns - secs * 1953125 * 512;
  if (rem < 0) secs -= 1;
  else if (rem >= 1e9) secs += 1;
  return secs;
}

function civil(args: readonly Value[], pos: number): CivilTime {
  const t = timeArg(args[pos - 1] as Value, pos, false);
  return toCivil(t.ns, t.zone);
}

function str(args: readonly Value[], i: number): string {
  const v = args[i] as Value;
  if (typeof v !== "string") throw operandError(i + 1, "string", typeName(v));
  return v;
}

/** A time.add_date count (operand `i + 1`): a number with no fractional part, as OPA demands. */
function countArg(args: readonly Value[], i: number): number {
  const v = args[i] as Value;
  if (!isNumber(v)) throw operandError(i + 1, "number", typeName(v));
  const count = toBigInt(v);
  if (count === undefined) throw operandError(i + 1, "integer number", "floating-point number");
  return Number(count);
}



/** Go's AddDate in UTC: fields overflow into the next unit. */
function addDate(ns: bigint, years: number, months: number, days: number): bigint {
  const utc = loadZone("UTC");
  const t = toCivil(ns, utc);
  return fromCivil(
    t.year + years,
    t.month + months,
    t.day + days,
    t.hour,
    t.minute,
    t.second,
    BigInt(t.nanosecond),
    utc,
  );
}

/** Calendar difference between two instants, in the first one's zone (years ... seconds, all >= 0). */
function timeDiff(a: TimeArg, b: TimeArg): number[] {
  const [x, y] = a.ns <= b.ns ? [a.ns, b.ns] : [b.ns, a.ns];
  const t1 = toCivil(x, a.zone);
  const t2 = toCivil(y, a.zone);
  let year = t2.year - t1.year;
  let month = t2.month - t1.month;
  let day = t2.day - t1.day;
  let hour = t2.hour - t1.hour;
  let minute = t2.minute - t1.minute;
  let second = t2.second - t1.second;
  if (second < 0) {
    second += 60;
    minute--;
  }
  if (minute < 0) {
    minute += 60;
    hour--;
  }
  if (hour < 0) {
    hour += 24;
    day--;
  }
  if (day < 0) {
    day += daysIn(t1.month, t1.year);
    month--;
  }
  if (month < 0) {
    month += 12;
    year--;
  }
  return [year, month, day, hour, minute, second];
}

const N: TypeSpec = { type: "number" };
const S: TypeSpec = { type: "string" };
const TIME_ARG: TypeSpec = {
  type: "any",
  of: [N, { type: "array", static: [N, S] }],
};
const TRIPLE: TypeSpec = { type: "array", static: [N, N, N] };

/** Every `time.*` builtin. */
export const TIME_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: "time.now_ns",
    arity: 0,
    nondeterministic: true,
    decl: { args: [], result: N },
    impl: (_args, ctx) => bigintValue(ctx.nowNs),
  },
  {
    name: "time.parse_ns",
    arity: 2,
    decl: { args: [S, S], result: N },
    impl: (args) => {
      const layout = str(args, 0);
      const value = str(args, 1);
      return bigintValue(checkNsRange(parseTime(layout, value)));
    },
  },
  {
    name: "time.parse_rfc3339_ns",
    arity: 1,
    decl: { args: [S], result: N },
    impl: (args) => bigintValue(checkNsRange(parseTime("RFC3339", str(args, 0)))),
  },
  {
    name: "time.parse_duration_ns",
    arity: 1,
    decl: { args: [S], result: N },
    impl: (args) => bigintValue(parseDuration(str(args, 0))),
  },
  {
    name: "time.date",
    arity: 1,
    decl: { args: [TIME_ARG], result: TRIPLE },
    impl: (args) => {
      const t = civilToSecond(args, 1);
      return [t.year, t.month, t.day];
    },
  },
  {
    name: "time.clock",
    arity: 1,
    decl: { args: [TIME_ARG], result: TRIPLE },
    impl: (args) => {
      const secs = utcSeconds(args[0] as Value);
      if (secs !== undefined) {
        const inDay = secs - Math.floor(secs / 86_400) * 86_400;
        return [Math.floor(inDay / 3600), Math.floor((inDay % 3600) / 60), inDay % 60];
      }
      const t = civilToSecond(args, 1);
      return [t.hour, t.minute, t.second];
    },
  },
  {
    name: "time.weekday",
    arity: 1,
    decl: { args: [TIME_ARG], result: S },
    impl: (args) => {
      const secs = utcSeconds(args[0] as Value);
      // 1970-01-01 was a Thursday.
      const weekday = secs !== undefined ? (Math.floor(secs / 86_400) + 4) % 7 : civilToSecond(args, 1).weekday;
      return WEEKDAY_NAMES[weekday] as string;
    },
  },
  {
    name: "time.add_date",
    arity: 4,
    decl: { args: [N, N, N, N], result: N },
    impl: (args) => {
      const ns = toNs(args[0] as Value, 1);
      return bigintValue(checkNsRange(addDate(ns, countArg(args, 1), countArg(args, 2), countArg(args, 3))));
    },
  },
  {
    name: "time.diff",
    arity: 2,
    decl: { args: [TIME_ARG, TIME_ARG], result: { type: "array", static: [N, N, N, N, N, N] } },
    impl: (args) => timeDiff(timeArg(args[0] as Value, 1, false), timeArg(args[1] as Value, 2, false)),
  },
  {
    name: "time.format",
    arity: 1,
    decl: {
      args: [
        {
          type: "any",
          of: [N, { type: "array", static: [N, S] }, { type: "array", static: [N, S, S] }],
        },
      ],
      result: S,
    },
    impl: (args) => {
      const t = timeArg(args[0] as Value, 1, true);
      return formatTime(toCivil(t.ns, t.zone), t.layout ?? resolveLayout("RFC3339Nano"));
    },
  },
];
