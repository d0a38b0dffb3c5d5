import { describe, expect, it } from "vitest";
import { ChangeFreshness } from "./change-freshness.js";

/** A freshness tracker over a fake database of counters and a hand-moved clock. */
function tracker() {
  const counters = new Map<string, number>();
  const reads: string[][] = [];
  const dropped: string[] = [];
  let now = 1_000_000;
  let failing = false;
  const freshness = new ChangeFreshness(
    async (ids) => {
      reads.push([...ids]);
      if (failing) throw new Error("database unreachable");
      return new Map(ids.map((id) => [id, counters.get(id) ?? 0]));
    },
    (id) => dropped.push(id),
    () => now,
  );
  return {
    freshness,
    counters,
    reads,
    dropped,
    advance(ms: number) {
      now += ms;
    },
    fail(value: boolean) {
      failing = value;
    },
  };
}

describe("ChangeFreshness", () => {
  it("confirms an organization first seen before serving it, dropping what was cached without a baseline", async () => {
    const t = tracker();
    t.counters.set("org-a", 7);
    const wait = t.freshness.ensureFresh("org-a", 5000);
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(t.dropped).toEqual(["org-a"]);
    expect(t.freshness.ensureFresh("org-a", 5000)).toBeUndefined();
    expect(t.reads).toEqual([["org-a"]]);
  });

  it("serves without asking under half the bound, confirms in the background up to the bound, and waits beyond it", async () => {
    const t = tracker();
    await t.freshness.ensureFresh("org-a", 5000);
    t.advance(2000);
    expect(t.freshness.ensureFresh("org-a", 5000)).toBeUndefined();
    expect(t.reads).toHaveLength(1);
    t.advance(1000);
    // 3 s old: still served, but a confirmation starts.
    expect(t.freshness.ensureFresh("org-a", 5000)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 0));
    expect(t.reads).toHaveLength(2);
    // Confirmed at 3 s: fresh again until 5.5 s (half of the bound after that).
    t.advance(2400);
    expect(t.freshness.ensureFresh("org-a", 5000)).toBeUndefined();
    t.advance(10_000);
    const wait = t.freshness.ensureFresh("org-a", 5000);
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(t.reads).toHaveLength(3);
    expect(t.dropped).toEqual(["org-a"]);
  });

  it("drops an organization whose counter moved past what was heard, and not one whose changes were all heard", async () => {
    const t = tracker();
    await t.freshness.ensureFresh("org-a", 0);
    t.dropped.length = 0;
    t.counters.set("org-a", 2);
    t.freshness.heard("org-a", 1);
    t.freshness.heard("org-a", 2);
    await t.freshness.ensureFresh("org-a", 0);
    expect(t.dropped).toEqual([]);
    // Number 3 committed, but its notification never came.
    t.counters.set("org-a", 4);
    t.freshness.heard("org-a", 4);
    await t.freshness.ensureFresh("org-a", 0);
    expect(t.dropped).toEqual(["org-a"]);
    // Heard out of order (a later commit delivered first) is fine once the gap fills.
    t.counters.set("org-a", 6);
    t.freshness.heard("org-a", 6);
    t.freshness.heard("org-a", 5);
    await t.freshness.ensureFresh("org-a", 0);
    expect(t.dropped).toEqual(["org-a"]);
  });

  it("shares one query among organizations asking in the same tick, and among callers of one organization", async () => {
    const t = tracker();
    const waits = [
      t.freshness.ensureFresh("org-a", 5000),
      t.freshness.ensureFresh("org-b", 5000),
      t.freshness.ensureFresh("org-a", 5000),
    ];
    await Promise.all(waits);
    expect(t.reads).toEqual([["org-a", "org-b"]]);
  });

  it("fails the callers past the bound when the database cannot be asked, and asks again next time", async () => {
    const t = tracker();
    t.fail(true);
    await expect(t.freshness.ensureFresh("org-a", 5000)).rejects.toThrow("database unreachable");
    t.fail(false);
    await t.freshness.ensureFresh("org-a", 5000);
    expect(t.freshness.ensureFresh("org-a", 5000)).toBeUndefined();
  });

  it("starts every organization afresh after forgetAll", async () => {
    const t = tracker();
    await t.freshness.ensureFresh("org-a", 5000);
    t.freshness.forgetAll();
    const wait = t.freshness.ensureFresh("org-a", 5000);
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(t.dropped).toEqual(["org-a", "org-a"]);
  });
});
