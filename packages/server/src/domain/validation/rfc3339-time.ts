// Domain layer, validation: times given as text. Only RFC 3339 date-times on real calendar dates
// are accepted (`Date.parse` would take "2027-02-30" as March 2nd, and many other shapes).

/** The latest time any input may name: 9999-12-31T23:59:59.999Z, in epoch milliseconds. */
export const MAX_EPOCH_MS = 253_402_300_799_999;

/** A parsed time, or why the text is not an RFC 3339 date-time. */
export type Rfc3339Result =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly reason: string };

/** An example to show in error messages. */
export const RFC3339_EXAMPLE = "2027-01-31T00:00:00Z";

// date "T" time fraction? offset; `t`, `z` and a space for `T` as RFC 3339 (section 5.6 and its note) allow.
const SHAPE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses an RFC 3339 date-time (`2027-01-31T00:00:00Z`, `2027-01-31T01:00:00.5+01:00`) to epoch ms. */
export function parseRfc3339(text: string): Rfc3339Result {
  const match = SHAPE.exec(text);
  if (match === null) {
    return { ok: false, reason: "is not an RFC 3339 date-time (date, time and offset)" };
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) return { ok: false, reason: `has no month ${match[2]}` };
  if (day < 1 || day > daysInMonth(year, month)) {
    return {
      ok: false,
      reason: `names a day that does not exist (${match[1]}-${match[2]} has no day ${match[3]})`,
    };
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return { ok: false, reason: `has a time of day out of range (${match[4]}:${match[5]}:${match[6]})` };
  }
  let offsetMinutes = 0;
  if (match[9] !== undefined) {
    const offsetHours = Number(match[10]);
    const offsetMins = Number(match[11]);
    if (offsetHours > 23 || offsetMins > 59) {
      return { ok: false, reason: `has an offset out of range (${match[8]})` };
    }
    offsetMinutes = (match[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // Milliseconds: further digits of the fraction are dropped (the store keeps milliseconds).
  const fraction = match[7] === undefined ? 0 : Math.floor(Number(`0${match[7]}`) * 1000);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, fraction);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear puts them back.
  const date = new Date(utc);
  if (year < 100) date.setUTCFullYear(year);
  const ms = date.getTime() - offsetMinutes * 60_000;
  if (ms < 0 || ms > MAX_EPOCH_MS) {
    return {
      ok: false,
      reason: "is outside the accepted range (1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z)",
    };
  }
  return { ok: true, ms };
}
