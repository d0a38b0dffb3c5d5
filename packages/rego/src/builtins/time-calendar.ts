// Builtins (time support): civil calendar arithmetic on bigint nanoseconds and IANA zone offsets.
//
// A wall-clock reading is computed as Go's time package does: seconds since the epoch plus the
// zone's offset at that instant, split into proleptic Gregorian date and clock fields.

import { BuiltinError } from "./builtin.js";

/** Nanoseconds per second, minute, hour, day. */
export const NS_PER_SECOND = 1_000_000_000n;
const SECONDS_PER_DAY = 86_400n;

/** Smallest and largest instants Rego can hold as int64 nanoseconds. */
export const MIN_NS = -(2n ** 63n);
/** Largest int64 nanosecond value. */
export const MAX_NS = 2n ** 63n - 1n;

/** A broken-down wall-clock time in some zone. */
export interface CivilTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly nanosecond: number;
  /** 0 = Sunday. */
  readonly weekday: number;
  /** 1-based day of the year. */
  readonly yearDay: number;
  /** Seconds east of UTC. */
  readonly offsetSeconds: number;
  /** The zone's name or abbreviation, for the `MST` layout element. */
  readonly zoneName: string;
}

/** Days since 1970-01-01 of a proleptic Gregorian date; month and day may overflow. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const m0 = month - 1;
  const y = year + Math.floor(m0 / 12);
  const m = (((m0 % 12) + 12) % 12) + 1;
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5);
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468 + (day - 1);
}

/** The date of a day count since 1970-01-01. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Whether a year is a leap year. */
export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** Days in a month of a year. */
export function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Floor division and modulo on bigint. */
function floorDivMod(a: bigint, b: bigint): [bigint, bigint] {
  let q = a / b;
  let r = a % b;
  if (r < 0n) {
    q -= 1n;
    r += b;
  }
  return [q, r];
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** A zone known to Intl; "", "UTC" and "Local" are UTC (the server runs in UTC). */
export interface Zone {
  readonly name: string;
  /** Undefined for UTC. */
  readonly formatter: Intl.DateTimeFormat | undefined;
}

const UTC: Zone = { name: "UTC", formatter: undefined };

/** Resolves a zone name as Go's time.LoadLocation would, via Intl's IANA database. */
export function loadZone(name: string): Zone {
  if (name === "" || name === "UTC" || name === "Local") return UTC;
  let f = zoneFormatters.get(name);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: name,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
        timeZoneName: "short",
      });
    } catch {
      throw new BuiltinError("builtin", `unknown time zone ${name}`);
    }
    if (zoneFormatters.size > 500) zoneFormatters.clear();
    zoneFormatters.set(name, f);
  }
  return { name, formatter: f };
}

/** The zone's offset (seconds east of UTC) and abbreviation at an instant given in seconds. */
export function zoneOffset(zone: Zone, epochSeconds: bigint): { offset: number; abbreviation: string } {
  if (!zone.formatter) return { offset: 0, abbreviation: "UTC" };
  const parts = zone.formatter.formatToParts(new Date(Number(epochSeconds) * 1000));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? "0";
  let year = Number(get("year"));
  if (get("era") === "BC" || get("era") === "B") year = 1 - year;
  const local =
    daysFromCivil(year, Number(get("month")), Number(get("day"))) * 86400 +
    Number(get("hour")) * 3600 +
    Number(get("minute")) * 60 +
    Number(get("second"));
  const offset = local - Number(epochSeconds);
  return { offset, abbreviation: get("timeZoneName") };
}

/** Breaks an instant (ns since the epoch) down into wall-clock fields in a zone. */
export function toCivil(ns: bigint, zone: Zone): CivilTime {
  const [secs, nanos] = floorDivMod(ns, NS_PER_SECOND);
  const { offset, abbreviation } = zoneOffset(zone, secs);
  // |secs| < 2^34 (ns is an int64), so the rest is exact in doubles.
  return civilAt(Number(secs) + offset, Number(nanos), offset, abbreviation);
}

/**
 * Like toCivil, for an instant given in whole seconds since the epoch; `nanosecond` is 0. For
 * readers of whole-second fields (clock, weekday, date), without bigint arithmetic.
 */
export function toCivilSeconds(secs: number, zone: Zone): CivilTime {
  if (!zone.formatter) return civilAt(secs, 0, 0, "UTC");
  const { offset, abbreviation } = zoneOffset(zone, BigInt(secs));
  return civilAt(secs + offset, 0, offset, abbreviation);
}

/** Breaks local seconds (epoch seconds plus offset) into fields. */
function civilAt(localSeconds: number, nanosecond: number, offsetSeconds: number, zoneName: string): CivilTime {
  const d = Math.floor(localSeconds / 86_400);
  const r = localSeconds - d * 86_400;
  const { year, month, day } = civilFromDays(d);
  return {
    year,
    month,
    day,
    hour: Math.floor(r / 3600),
    minute: Math.floor((r % 3600) / 60),
    second: r % 60,
    nanosecond,
    weekday: (((d + 4) % 7) + 7) % 7,
    yearDay: d - daysFromCivil(year, 1, 1) + 1,
    offsetSeconds,
    zoneName,
  };
}

/**
 * The instant of a wall-clock time in a zone (fields may overflow, as in Go's time.Date). For
 * times that fall in a zone transition, the offset in force just before is used, as Go does.
 */
export function fromCivil(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  nanosecond: bigint,
  zone: Zone,
): bigint {
  const local =
    BigInt(daysFromCivil(year, month, 1) + day - 1) * SECONDS_PER_DAY +
    BigInt(hour) * 3600n +
    BigInt(minute) * 60n +
    BigInt(second);
  let offset = zoneOffset(zone, local).offset;
  const guess = local - BigInt(offset);
  const actual = zoneOffset(zone, guess).offset;
  if (actual !== offset) {
    const retry = zoneOffset(zone, local - BigInt(actual)).offset;
    offset = retry === actual ? actual : Math.max(offset, actual);
  }
  return (local - BigInt(offset)) * NS_PER_SECOND + nanosecond;
}

/** Throws OPA's range error unless ns fits in int64. */
export function checkNsRange(ns: bigint): bigint {
  if (ns < MIN_NS || ns > MAX_NS) throw new BuiltinError("builtin", "time outside of valid range");
  return ns;
}

/** English month names, January first. */
export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

/** English weekday names, Sunday first. */
export const WEEKDAY_NAMES = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
] as const;
