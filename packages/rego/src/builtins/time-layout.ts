// Builtins (time support): Go reference-time layouts ("2006-01-02T15:04:05Z07:00") for parsing
// and formatting, and Go's duration syntax ("1h30m"), as OPA's time builtins inherit them.

import { BuiltinError } from "./builtin.js";
import {
  type CivilTime,
  daysIn,
  fromCivil,
  isLeap,
  loadZone,
  MONTH_NAMES,
  NS_PER_SECOND,
  WEEKDAY_NAMES,
} from "./time-calendar.js";

/** Go's named layouts, accepted wherever a layout is. */
export const NAMED_LAYOUTS: Readonly<Record<string, string>> = {
  ANSIC: "Mon Jan _2 15:04:05 2006",
  UnixDate: "Mon Jan _2 15:04:05 MST 2006",
  RubyDate: "Mon Jan 02 15:04:05 -0700 2006",
  RFC822: "02 Jan 06 15:04 MST",
  RFC822Z: "02 Jan 06 15:04 -0700",
  RFC850: "Monday, 02-Jan-06 15:04:05 MST",
  RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
  RFC1123Z: "Mon, 02 Jan 2006 15:04:05 -0700",
  RFC3339: "2006-01-02T15:04:05Z07:00",
  RFC3339Nano: "2006-01-02T15:04:05.999999999Z07:00",
  Kitchen: "3:04PM",
  Stamp: "Jan _2 15:04:05",
  StampMilli: "Jan _2 15:04:05.000",
  StampMicro: "Jan _2 15:04:05.000000",
  StampNano: "Jan _2 15:04:05.000000000",
  DateTime: "2006-01-02 15:04:05",
  DateOnly: "2006-01-02",
  TimeOnly: "15:04:05",
};

/** A layout name resolved to its layout; other strings are layouts already. */
export function resolveLayout(layout: string): string {
  return Object.hasOwn(NAMED_LAYOUTS, layout) ? (NAMED_LAYOUTS[layout] as string) : layout;
}

type Std =
  | "LongMonth"
  | "Month"
  | "NumMonth"
  | "ZeroMonth"
  | "LongWeekDay"
  | "WeekDay"
  | "Day"
  | "UnderDay"
  | "ZeroDay"
  | "UnderYearDay"
  | "ZeroYearDay"
  | "Hour"
  | "Hour12"
  | "ZeroHour12"
  | "Minute"
  | "ZeroMinute"
  | "Second"
  | "ZeroSecond"
  | "LongYear"
  | "Year"
  | "PM"
  | "pm"
  | "TZ"
  | "ISO8601TZ"
  | "ISO8601SecondsTZ"
  | "ISO8601ShortTZ"
  | "ISO8601ColonTZ"
  | "ISO8601ColonSecondsTZ"
  | "NumTZ"
  | "NumSecondsTz"
  | "NumShortTZ"
  | "NumColonTZ"
  | "NumColonSecondsTZ"
  | "FracSecond0"
  | "FracSecond9";

/** One element of a layout: a literal run or a reference-time element. */
type Chunk =
  | { readonly kind: "literal"; readonly text: string }
  | {
      readonly kind: "std";
      readonly std: Std;
      readonly text: string;
      readonly digits: number;
      readonly sep: string;
    };

const STD_0X: readonly Std[] = ["ZeroMonth", "ZeroDay", "ZeroHour12", "ZeroMinute", "ZeroSecond", "Year"];

function isLower(c: string | undefined): boolean {
  return c !== undefined && c >= "a" && c <= "z";
}

function isDigitAt(s: string, i: number): boolean {
  const c = s[i];
  return c !== undefined && c >= "0" && c <= "9";
}

/** Finds the first reference-time element at or after `i`: [start, length, std, digits]. */
function findStd(layout: string, from: number): [number, number, Std, number] | undefined {
  const has = (i: number, s: string): boolean => layout.startsWith(s, i);
  for (let i = from; i < layout.length; i++) {
    switch (layout[i]) {
      case "J":
        if (has(i, "Jan")) {
          if (has(i, "January")) return [i, 7, "LongMonth", 0];
          if (!isLower(layout[i + 3])) return [i, 3, "Month", 0];
        }
        break;
      case "M":
        if (has(i, "Mon")) {
          if (has(i, "Monday")) return [i, 6, "LongWeekDay", 0];
          if (!isLower(layout[i + 3])) return [i, 3, "WeekDay", 0];
        }
        if (has(i, "MST")) return [i, 3, "TZ", 0];
        break;
      case "0": {
        const n = layout[i + 1];
        if (n !== undefined && n >= "1" && n <= "6") return [i, 2, STD_0X[Number(n) - 1] as Std, 0];
        if (has(i, "002")) return [i, 3, "ZeroYearDay", 0];
        break;
      }
      case "1":
        if (layout[i + 1] === "5") return [i, 2, "Hour", 0];
        return [i, 1, "NumMonth", 0];
      case "2":
        if (has(i, "2006")) return [i, 4, "LongYear", 0];
        return [i, 1, "Day", 0];
      case "_":
        if (layout[i + 1] === "2") {
          if (has(i + 1, "2006")) return [i + 1, 4, "LongYear", 0];
          return [i, 2, "UnderDay", 0];
        }
        if (has(i, "__2")) return [i, 3, "UnderYearDay", 0];
        break;
      case "3":
        return [i, 1, "Hour12", 0];
      case "4":
        return [i, 1, "Minute", 0];
      case "5":
        return [i, 1, "Second", 0];
      case "P":
        if (layout[i + 1] === "M") return [i, 2, "PM", 0];
        break;
      case "p":
        if (layout[i + 1] === "m") return [i, 2, "pm", 0];
        break;
      case "-":
        if (has(i, "-070000")) return [i, 7, "NumSecondsTz", 0];
        if (has(i, "-07:00:00")) return [i, 9, "NumColonSecondsTZ", 0];
        if (has(i, "-0700")) return [i, 5, "NumTZ", 0];
        if (has(i, "-07:00")) return [i, 6, "NumColonTZ", 0];
        if (has(i, "-07")) return [i, 3, "NumShortTZ", 0];
        break;
      case "Z":
        if (has(i, "Z070000")) return [i, 7, "ISO8601SecondsTZ", 0];
        if (has(i, "Z07:00:00")) return [i, 9, "ISO8601ColonSecondsTZ", 0];
        if (has(i, "Z0700")) return [i, 5, "ISO8601TZ", 0];
        if (has(i, "Z07:00")) return [i, 6, "ISO8601ColonTZ", 0];
        if (has(i, "Z07")) return [i, 3, "ISO8601ShortTZ", 0];
        break;
      case ".":
      case ",": {
        const ch = layout[i + 1];
        if (ch === "0" || ch === "9") {
          let j = i + 1;
          while (layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) return [i, j - i, ch === "0" ? "FracSecond0" : "FracSecond9", j - i - 1];
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

const chunkCache = new Map<string, readonly Chunk[]>();

/** Splits a Go layout into literal and reference-time chunks. */
export function layoutChunks(layout: string): readonly Chunk[] {
  const hit = chunkCache.get(layout);
  if (hit) return hit;
  const chunks: Chunk[] = [];
  let pos = 0;
  while (pos < layout.length) {
    const found = findStd(layout, pos);
    if (!found) {
      chunks.push({ kind: "literal", text: layout.slice(pos) });
      break;
    }
    const [start, len, std, digits] = found;
    if (start > pos) chunks.push({ kind: "literal", text: layout.slice(pos, start) });
    chunks.push({
      kind: "std",
      std,
      text: layout.slice(start, start + len),
      digits,
      sep: layout[start] ?? ".",
    });
    pos = start + len;
  }
  if (chunkCache.size > 200) chunkCache.clear();
  chunkCache.set(layout, chunks);
  return chunks;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${s}` : s;
}

function formatOffset(offset: number, std: Std): string {
  if (std.startsWith("ISO8601") && offset === 0) return "Z";
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const hh = pad(Math.floor(abs / 3600), 2);
  const mm = pad(Math.floor((abs % 3600) / 60), 2);
  const ss = pad(abs % 60, 2);
  switch (std) {
    case "ISO8601ShortTZ":
    case "NumShortTZ":
      return sign + hh;
    case "ISO8601TZ":
    case "NumTZ":
      return sign + hh + mm;
    case "ISO8601ColonTZ":
    case "NumColonTZ":
      return `${sign}${hh}:${mm}`;
    case "ISO8601SecondsTZ":
    case "NumSecondsTz":
      return sign + hh + mm + ss;
    default:
      return `${sign}${hh}:${mm}:${ss}`;
  }
}

/** Formats a wall-clock time with a Go layout. */
export function formatTime(t: CivilTime, layout: string): string {
  let out = "";
  for (const c of layoutChunks(layout)) {
    if (c.kind === "literal") {
      out += c.text;
      continue;
    }
    switch (c.std) {
      case "LongMonth":
        out += MONTH_NAMES[t.month - 1];
        break;
      case "Month":
        out += MONTH_NAMES[t.month - 1]?.slice(0, 3);
        break;
      case "NumMonth":
        out += String(t.month);
        break;
      case "ZeroMonth":
        out += pad(t.month, 2);
        break;
      case "LongWeekDay":
        out += WEEKDAY_NAMES[t.weekday];
        break;
      case "WeekDay":
        out += WEEKDAY_NAMES[t.weekday]?.slice(0, 3);
        break;
      case "Day":
        out += String(t.day);
        break;
      case "UnderDay":
        out += t.day < 10 ? ` ${t.day}` : String(t.day);
        break;
      case "ZeroDay":
        out += pad(t.day, 2);
        break;
      case "UnderYearDay":
        out += String(t.yearDay).padStart(3, " ");
        break;
      case "ZeroYearDay":
        out += pad(t.yearDay, 3);
        break;
      case "Hour":
        out += pad(t.hour, 2);
        break;
      case "Hour12":
        out += String(t.hour % 12 === 0 ? 12 : t.hour % 12);
        break;
      case "ZeroHour12":
        out += pad(t.hour % 12 === 0 ? 12 : t.hour % 12, 2);
        break;
      case "Minute":
        out += String(t.minute);
        break;
      case "ZeroMinute":
        out += pad(t.minute, 2);
        break;
      case "Second":
        out += String(t.second);
        break;
      case "ZeroSecond":
        out += pad(t.second, 2);
        break;
      case "LongYear":
        out += pad(t.year, 4);
        break;
      case "Year":
        out += pad(((t.year % 100) + 100) % 100, 2);
        break;
      case "PM":
        out += t.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += t.hour >= 12 ? "pm" : "am";
        break;
      case "TZ":
        if (t.zoneName !== "" && !/^GMT[+-]/.test(t.zoneName)) {
          out += t.zoneName;
        } else {
          const o = formatOffset(t.offsetSeconds, "NumTZ");
          out += o.endsWith("00") ? o.slice(0, 3) : o;
        }
        break;
      case "FracSecond0":
        out += c.sep + pad(t.nanosecond, 9).slice(0, c.digits);
        break;
      case "FracSecond9": {
        const frac = pad(t.nanosecond, 9).slice(0, c.digits).replace(/0+$/, "");
        if (frac !== "") out += c.sep + frac;
        break;
      }
      default:
        out += formatOffset(t.offsetSeconds, c.std);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing

class ParseFailure extends Error {}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** Reads 1 or 2 digits (exactly 2 when fixed). */
function getNum(s: string, fixed: boolean): [number, string] {
  if (!isDigitAt(s, 0)) throw new ParseFailure();
  if (!isDigitAt(s, 1)) {
    if (fixed) throw new ParseFailure();
    return [Number(s[0]), s.slice(1)];
  }
  return [Number(s.slice(0, 2)), s.slice(2)];
}

function getNum3(s: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(s, i); i++) n = n * 10 + Number(s[i]);
  if (i === 0 || (fixed && i !== 3)) throw new ParseFailure();
  return [n, s.slice(i)];
}

function lookupName(names: readonly string[], s: string, short: boolean): [number, string] {
  for (let i = 0; i < names.length; i++) {
    const name = short ? (names[i] as string).slice(0, 3) : (names[i] as string);
    if (s.length >= name.length && s.slice(0, name.length).toLowerCase() === name.toLowerCase()) {
      return [i, s.slice(name.length)];
    }
  }
  throw new ParseFailure();
}

/** Skips a literal, where a space in the layout matches any run of spaces (Go's `skip`). */
function skipLiteral(value: string, literal: string): string {
  let v = value;
  let p = literal;
  while (p.length > 0) {
    if (p[0] === " ") {
      if (v.length > 0 && v[0] !== " ") throw new ParseFailure();
      p = p.replace(/^ +/, "");
      v = v.replace(/^ +/, "");
      continue;
    }
    if (v.length === 0 || v[0] !== p[0]) throw new ParseFailure();
    p = p.slice(1);
    v = v.slice(1);
  }
  return v;
}

function parseNanos(s: string, n: number): bigint {
  // s[0] is the separator; the digits follow.
  let digits = s.slice(1, n);
  if (!/^[0-9]*$/.test(digits)) throw new ParseFailure();
  if (digits.length > 9) digits = digits.slice(0, 9);
  return BigInt(digits.padEnd(9, "0") || "0");
}

/** Parses a zone abbreviation as Go accepts it (3-5 upper-case letters, or GMT±h); returns its length. */
function zoneAbbreviationLength(s: string): number {
  if (s.startsWith("ChST") || s.startsWith("MeST")) return 4;
  if (s.startsWith("GMT")) {
    const m = /^GMT[+-]\d{1,2}/.exec(s);
    return m ? m[0].length : 3;
  }
  if (s[0] === "+" || s[0] === "-") {
    const m = /^[+-]\d{2}(\d{2})?/.exec(s);
    return m ? m[0].length : 0;
  }
  let n = 0;
  while (n < s.length && (s[n] as string) >= "A" && (s[n] as string) <= "Z") n++;
  if (n >= 3 && n <= 5) return n;
  if (n === 4 && s[3] === "T") return 4;
  return 0;
}

/** Parses `value` with a Go layout; returns nanoseconds since the epoch (may be outside int64). */
export function parseTime(layoutIn: string, value: string): bigint {
  const layout = resolveLayout(layoutIn);
  const chunks = layoutChunks(layout);
  let v = value;
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0n;
  let pmSet = false;
  let amSet = false;
  let offset: number | undefined;
  let zoneUtc = false;
  let rangeError = "";

  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci] as Chunk;
    const before = v;
    try {
      if (c.kind === "literal") {
        v = skipLiteral(v, c.text);
        continue;
      }
      switch (c.std) {
        case "Year": {
          if (v.length < 2 || !isDigitAt(v, 0) || !isDigitAt(v, 1)) throw new ParseFailure();
          const y = Number(v.slice(0, 2));
          v = v.slice(2);
          year = y >= 69 ? y + 1900 : y + 2000;
          break;
        }
        case "LongYear":
          if (v.length < 4 || ![0, 1, 2, 3].every((i) => isDigitAt(v, i))) throw new ParseFailure();
          year = Number(v.slice(0, 4));
          v = v.slice(4);
          break;
        case "Month":
        case "LongMonth": {
          const [m, rest] = lookupName(MONTH_NAMES, v, c.std === "Month");
          month = m + 1;
          v = rest;
          break;
        }
        case "NumMonth":
        case "ZeroMonth": {
          const [m, rest] = getNum(v, c.std === "ZeroMonth");
          if (m <= 0 || m > 12) rangeError = "month";
          month = m;
          v = rest;
          break;
        }
        case "WeekDay":
        case "LongWeekDay":
          v = lookupName(WEEKDAY_NAMES, v, c.std === "WeekDay")[1];
          break;
        case "Day":
        case "UnderDay":
        case "ZeroDay": {
          if (c.std === "UnderDay" && v[0] === " ") v = v.slice(1);
          const [d, rest] = getNum(v, c.std === "ZeroDay");
          day = d;
          v = rest;
          break;
        }
        case "UnderYearDay":
        case "ZeroYearDay": {
          for (let i = 0; i < 2 && c.std === "UnderYearDay" && v[0] === " "; i++) v = v.slice(1);
          const [d, rest] = getNum3(v, c.std === "ZeroYearDay");
          yday = d;
          v = rest;
          break;
        }
        case "Hour": {
          const [h, rest] = getNum(v, false);
          if (h < 0 || h >= 24) rangeError = "hour";
          hour = h;
          v = rest;
          break;
        }
        case "Hour12":
        case "ZeroHour12": {
          const [h, rest] = getNum(v, c.std === "ZeroHour12");
          if (h < 0 || h > 12) rangeError = "hour";
          hour = h;
          v = rest;
          break;
        }
        case "Minute":
        case "ZeroMinute": {
          const [m, rest] = getNum(v, c.std === "ZeroMinute");
          if (m < 0 || m >= 60) rangeError = "minute";
          minute = m;
          v = rest;
          break;
        }
        case "Second":
        case "ZeroSecond": {
          const [s, rest] = getNum(v, c.std === "ZeroSecond");
          if (s < 0 || s >= 60) rangeError = "second";
          second = s;
          v = rest;
          // A fractional second in the value that the layout does not spell out is still accepted.
          const next = chunks[ci + 1];
          const nextIsFrac =
            next?.kind === "std" && (next.std === "FracSecond0" || next.std === "FracSecond9");
          if (v.length >= 2 && (v[0] === "." || v[0] === ",") && isDigitAt(v, 1) && !nextIsFrac) {
            let n = 2;
            while (n < v.length && isDigitAt(v, n)) n++;
            nanos = parseNanos(v, n);
            v = v.slice(n);
          }
          break;
        }
        case "PM":
          if (v.startsWith("PM")) pmSet = true;
          else if (v.startsWith("AM")) amSet = true;
          else throw new ParseFailure();
          v = v.slice(2);
          break;
        case "pm":
          if (v.startsWith("pm")) pmSet = true;
          else if (v.startsWith("am")) amSet = true;
          else throw new ParseFailure();
          v = v.slice(2);
          break;
        case "TZ": {
          if (v.startsWith("UTC")) {
            v = v.slice(3);
            zoneUtc = true;
            break;
          }
          const n = zoneAbbreviationLength(v);
          if (n === 0) throw new ParseFailure();
          const abbr = v.slice(0, n);
          const m = /^(?:GMT)?([+-])(\d{1,2})(\d{2})?$/.exec(abbr);
          if (m) offset = (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60);
          else zoneUtc = true;
          v = v.slice(n);
          break;
        }
        case "FracSecond0": {
          const n = 1 + c.digits;
          if (v.length < n || (v[0] !== "." && v[0] !== ",")) throw new ParseFailure();
          nanos = parseNanos(v, n);
          v = v.slice(n);
          break;
        }
        case "FracSecond9": {
          if (v.length < 2 || (v[0] !== "." && v[0] !== ",") || !isDigitAt(v, 1)) break;
          let i = 0;
          while (i + 1 < v.length && isDigitAt(v, i + 1)) i++;
          nanos = parseNanos(v, 1 + i);
          v = v.slice(1 + i);
          break;
        }
        default: {
          // Numeric and ISO 8601 zone offsets.
          if (c.std.startsWith("ISO8601") && v[0] === "Z") {
            v = v.slice(1);
            zoneUtc = true;
            break;
          }
          const colon = c.std.includes("Colon");
          const withSeconds = c.std.includes("Seconds");
          const short = c.std.includes("Short");
          const re = short
            ? /^([+-])(\d{2})/
            : colon
              ? withSeconds
                ? /^([+-])(\d{2}):(\d{2}):(\d{2})/
                : /^([+-])(\d{2}):(\d{2})/
              : withSeconds
                ? /^([+-])(\d{2})(\d{2})(\d{2})/
                : /^([+-])(\d{2})(\d{2})/;
          const m = re.exec(v);
          if (!m) throw new ParseFailure();
          const hh = Number(m[2]);
          const mm = Number(m[3] ?? 0);
          const ss = Number(m[4] ?? 0);
          if (hh > 24 || mm > 60 || ss > 60) rangeError = "time zone offset";
          offset = (m[1] === "-" ? -1 : 1) * (hh * 3600 + mm * 60 + ss);
          v = v.slice(m[0].length);
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof ParseFailure)) throw e;
      const elem = c.kind === "literal" ? c.text : c.text;
      throw new BuiltinError(
        "builtin",
        `parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${quote(before)} as ${quote(elem)}`,
      );
    }
    if (rangeError !== "") {
      throw new BuiltinError("builtin", `parsing time ${quote(value)}: ${rangeError} out of range`);
    }
  }
  if (v.length > 0) {
    throw new BuiltinError("builtin", `parsing time ${quote(value)}: extra text: ${quote(v)}`);
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;

  if (yday >= 0) {
    const last = isLeap(year) ? 366 : 365;
    if (yday < 1 || yday > last)
      throw new BuiltinError("builtin", `parsing time ${quote(value)}: day-of-year out of range`);
    let m = 1;
    let rem = yday;
    while (rem > daysIn(m, year)) {
      rem -= daysIn(m, year);
      m++;
    }
    if (month >= 0 && month !== m)
      throw new BuiltinError("builtin", `parsing time ${quote(value)}: day-of-year does not match month`);
    if (day >= 0 && day !== rem)
      throw new BuiltinError("builtin", `parsing time ${quote(value)}: day-of-year does not match day`);
    month = m;
    day = rem;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) {
    throw new BuiltinError("builtin", `parsing time ${quote(value)}: day out of range`);
  }
  const utc = loadZone("UTC");
  const local = fromCivil(year, month, day, hour, minute, second, nanos, utc);
  if (offset !== undefined && !zoneUtc) return local - BigInt(offset) * NS_PER_SECOND;
  return local;
}

// ---------------------------------------------------------------------------------------------
// Durations

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n,
  "\u03bcs": 1_000n,
  ms: 1_000_000n,
  s: NS_PER_SECOND,
  m: 60n * NS_PER_SECOND,
  h: 3600n * NS_PER_SECOND,
};

const MAX_DURATION = 2n ** 63n;

/** Parses a Go duration ("1h30m", "-1.5h", "300ms") to nanoseconds, with Go's error messages. */
export function parseDuration(input: string): bigint {
  const invalid = (): BuiltinError => new BuiltinError("builtin", `time: invalid duration ${quote(input)}`);
  let s = input;
  let neg = false;
  if (s[0] === "-" || s[0] === "+") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let total = 0n;
  while (s !== "") {
    if (!(s[0] === "." || isDigitAt(s, 0))) throw invalid();
    let i = 0;
    while (isDigitAt(s, i)) i++;
    const pre = i > 0;
    const whole = pre ? BigInt(s.slice(0, i)) : 0n;
    if (whole > MAX_DURATION) throw invalid();
    s = s.slice(i);
    let post = false;
    let frac = 0n;
    let scale = 1;
    if (s[0] === ".") {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (isDigitAt(s, j)) {
        if (!overflow) {
          const next = frac * 10n + BigInt(s[j] as string);
          if (next > MAX_DURATION - 1n) overflow = true;
          else {
            frac = next;
            scale *= 10;
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let u = 0;
    while (u < s.length && s[u] !== "." && !isDigitAt(s, u)) u++;
    if (u === 0) throw new BuiltinError("builtin", `time: missing unit in duration ${quote(input)}`);
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = UNITS[unitName];
    if (unit === undefined) {
      throw new BuiltinError("builtin", `time: unknown unit ${quote(unitName)} in duration ${quote(input)}`);
    }
    let part = whole * unit;
    if (frac > 0n) part += BigInt(Math.trunc(Number(frac) * (Number(unit) / scale)));
    total += part;
    if (total > MAX_DURATION) throw invalid();
  }
  if (neg) return -total;
  if (total > MAX_DURATION - 1n) throw invalid();
  return total;
}
