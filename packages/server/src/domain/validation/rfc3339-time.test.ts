// Validation: RFC 3339 date-times, strictly, on real calendar dates.
import { describe, expect, it } from "vitest";
import { MAX_EPOCH_MS, parseRfc3339 } from "./rfc3339-time.js";

function ms(text: string): number | string {
  const parsed = parseRfc3339(text);
  return parsed.ok ? parsed.ms : parsed.reason;
}

describe("parseRfc3339", () => {
  it("reads date-times with Z or an offset, and fractions to the millisecond", () => {
    expect(ms("2027-01-31T00:00:00Z")).toBe(Date.UTC(2027, 0, 31));
    expect(ms("2027-01-31t00:00:00z")).toBe(Date.UTC(2027, 0, 31));
    expect(ms("2027-01-31 01:30:00+01:30")).toBe(Date.UTC(2027, 0, 31));
    expect(ms("2027-01-31T00:00:00-02:00")).toBe(Date.UTC(2027, 0, 31, 2));
    expect(ms("2027-01-31T00:00:00.123456Z")).toBe(Date.UTC(2027, 0, 31) + 123);
    expect(ms("2028-02-29T12:00:00Z")).toBe(Date.UTC(2028, 1, 29, 12));
    expect(ms("2000-02-29T00:00:00Z")).toBe(Date.UTC(2000, 1, 29));
    expect(ms("9999-12-31T23:59:59.999Z")).toBe(MAX_EPOCH_MS);
  });

  it("refuses days that do not exist instead of rolling over", () => {
    expect(ms("2027-02-30T00:00:00Z")).toMatch(/2027-02 has no day 30/);
    expect(ms("2027-02-29T00:00:00Z")).toMatch(/has no day 29/);
    expect(ms("1900-02-29T00:00:00Z")).toMatch(/has no day 29/);
    expect(ms("2027-04-31T00:00:00Z")).toMatch(/has no day 31/);
    expect(ms("2027-13-01T00:00:00Z")).toMatch(/no month 13/);
    expect(ms("2027-00-01T00:00:00Z")).toMatch(/no month 00/);
    expect(ms("2027-01-00T00:00:00Z")).toMatch(/has no day 00/);
  });

  it("refuses times of day and offsets out of range", () => {
    expect(ms("2027-01-01T24:00:00Z")).toMatch(/time of day/);
    expect(ms("2027-01-01T23:60:00Z")).toMatch(/time of day/);
    expect(ms("2027-01-01T23:59:60Z")).toMatch(/time of day/);
    expect(ms("2027-01-01T00:00:00+24:00")).toMatch(/offset/);
  });

  it("refuses everything that is not a full date-time: empty, date only, no offset, other shapes", () => {
    for (const text of [
      "",
      " ",
      "2027-01-31",
      "2027-01-31T00:00:00",
      "2027-01-31T00:00Z",
      "2027-1-31T00:00:00Z",
      "+002027-01-31T00:00:00Z",
      "Jan 31 2027",
      "1779647400000",
      "2027-01-31T00:00:00Z ",
      "２０２７-01-31T00:00:00Z",
    ]) {
      expect(parseRfc3339(text).ok, text).toBe(false);
    }
  });

  it("refuses times before 1970 (times are epoch milliseconds >= 0)", () => {
    expect(ms("1969-12-31T23:59:59Z")).toMatch(/outside the accepted range/);
    expect(ms("0001-01-01T00:00:00Z")).toMatch(/outside the accepted range/);
  });
});
