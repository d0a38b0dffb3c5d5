import { describe, expect, it } from "vitest";
import { DeferredJob } from "./deferred-job.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("DeferredJob", () => {
  it("runs once for every schedule() within its delay, and again when asked after that run", async () => {
    let runs = 0;
    const job = new DeferredJob(
      20,
      async () => void runs++,
      () => {},
    );
    for (let i = 0; i < 5; i++) job.schedule();
    expect(runs).toBe(0);
    await sleep(60);
    expect(runs).toBe(1);
    job.schedule();
    await sleep(60);
    expect(runs).toBe(2);
  });

  it("runs at once on run(), folding a scheduled run into it, and never two runs at a time", async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    const job = new DeferredJob(
      20,
      async () => {
        active++;
        most = Math.max(most, active);
        await sleep(10);
        runs++;
        active--;
      },
      () => {},
    );
    job.schedule();
    await Promise.all([job.run(), job.run(), job.run()]);
    expect(runs).toBe(3);
    expect(most).toBe(1);
    await sleep(60);
    expect(runs).toBe(3);
  });

  it("hands a scheduled run's failure to its handler, rejects a demanded one, and runs on after either", async () => {
    const failures: unknown[] = [];
    let fail = true;
    let runs = 0;
    const job = new DeferredJob(
      10,
      async () => {
        runs++;
        if (fail) throw new Error("store closed");
      },
      (error) => failures.push(error),
    );
    job.schedule();
    await sleep(40);
    expect(failures).toHaveLength(1);
    await expect(job.run()).rejects.toThrow("store closed");
    fail = false;
    await job.run();
    expect(runs).toBe(3);
  });
});
