import { describe, expect, it } from "vitest";
import { idTimePart, newId } from "./random-id.js";

describe("ids", () => {
  it("are the prefix, a dash and 16 characters of [0-9A-Za-z], distinct within one millisecond", () => {
    const now = Date.UTC(2026, 11, 6, 9, 30);
    const ids = Array.from({ length: 5000 }, () => newId("tok", now));
    for (const id of ids) expect(id).toMatch(/^tok-[0-9a-z]{8}[0-9A-Za-z]{8}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(4, 12))).size).toBe(1);
  });

  it("sort in creation order across milliseconds, in binary and in case-folding collations", () => {
    const newYear = Date.UTC(2026, 0, 1);
    const times = [0, 1, 35, 36, 1_000, newYear, newYear + 1, Date.UTC(2058, 11, 31)];
    const ids = times.map((t) => newId("key", t));
    const binary = [...ids].sort();
    const folded = [...ids].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    // Ids of different milliseconds compare on their time part alone.
    expect(binary.map((id) => id.slice(4, 12))).toEqual(times.map(idTimePart));
    expect(folded.map((id) => id.slice(4, 12))).toEqual(times.map(idTimePart));
  });

  it("keep their length after 2059, when the time part wraps", () => {
    expect(idTimePart(36 ** 8 + 5)).toBe("00000005");
    expect(newId("org", 36 ** 8 + 5)).toMatch(/^org-00000005[0-9A-Za-z]{8}$/);
  });
});
