// CLI, output: the progress line for long work.
import { describe, expect, it } from "vitest";
import { progressBar } from "./progress-bar.js";

describe("progress bar", () => {
  it("draws nothing when stderr is not a terminal", () => {
    const written: string[] = [];
    const bar = progressBar((t) => written.push(t), false);
    bar.update("testing", 1, 2);
    bar.clear();
    expect(written).toEqual([]);
  });

  it("draws a spinner, a bar and the count, at most once per interval, always the last step, then erases", () => {
    const written: string[] = [];
    let now = 0;
    const bar = progressBar((t) => written.push(t), true, { intervalMs: 100, now: () => now });
    bar.update("testing", 0, 4);
    now = 50;
    bar.update("testing", 1, 4); // within the interval: skipped
    now = 150;
    bar.update("testing", 2, 4);
    now = 160;
    bar.update("testing", 4, 4); // the end is always drawn
    bar.clear();
    expect(written).toEqual([
      `\r\x1b[K| testing [${".".repeat(24)}] 0/4`,
      `\r\x1b[K/ testing [${"#".repeat(12)}${".".repeat(12)}] 2/4`,
      `\r\x1b[K- testing [${"#".repeat(24)}] 4/4`,
      "\r\x1b[K",
    ]);
  });
});
