import { describe, expect, it } from "vitest";
import { LoginCpuClock } from "./login-cpu-clock.js";

/** A clock over fake wall and CPU readings, counting the CPU readings. */
function fakeClock(precisionMs = 0.5) {
  const state = { wallMs: 1000, cpuMs: 50, cpuReads: 0 };
  const clock = new LoginCpuClock(
    precisionMs,
    () => state.wallMs,
    () => {
      state.cpuReads++;
      return state.cpuMs;
    },
  );
  /** Time passing: `wallMs` on the wall clock, of which the process ran `cpuMs`. */
  const pass = (wallMs: number, cpuMs = wallMs) => {
    state.wallMs += wallMs;
    state.cpuMs += cpuMs;
  };
  return { clock, state, pass };
}

describe("LoginCpuClock", () => {
  it("charges a short evaluation its wall time, reading the CPU time at most once per precision", () => {
    const { clock, state, pass } = fakeClock();
    const charges: number[] = [];
    for (let i = 0; i < 10; i++) {
      const start = clock.start();
      pass(0.01);
      charges.push(clock.finish(start, false).ms);
      pass(0.09);
    }
    for (const ms of charges) expect(ms).toBeCloseTo(0.01, 9);
    // Ten evaluations over 1 ms: a reading at the first, one once 0.5 ms had passed.
    expect(state.cpuReads).toBe(2);
  });

  it("charges a preempted evaluation the CPU time it used, not the time it waited for a core", () => {
    const { clock, pass } = fakeClock();
    const start = clock.start();
    // 30 ms on the wall clock, of which the process ran 0.2 ms.
    pass(30, 0.2);
    const charged = clock.finish(start, false);
    expect(charged.ms).toBeCloseTo(0.2, 9);
    expect(charged.endMs).toBe(1030);
  });

  it("never charges less than the CPU time used, counting from a reading before the start", () => {
    const { clock, pass } = fakeClock();
    clock.start();
    // Other work (0.3 ms) since the last reading, within the precision: no new reading at start.
    pass(0.3);
    const start = clock.start();
    pass(5, 2);
    // 2 ms used by the evaluation, 0.3 ms just before it: charged within the precision above.
    const ms = clock.finish(start, false).ms;
    expect(ms).toBeGreaterThanOrEqual(2);
    expect(ms).toBeLessThanOrEqual(2 + 0.5);
  });

  it("charges a failed evaluation at least the wall time it held the thread", () => {
    const { clock, pass } = fakeClock();
    const start = clock.start();
    pass(25, 1);
    expect(clock.finish(start, true).ms).toBe(25);
  });

  it("charges a long evaluation that kept its core its CPU time", () => {
    const { clock, pass } = fakeClock();
    const start = clock.start();
    pass(12);
    expect(clock.finish(start, false).ms).toBe(12);
    // The reading at the end serves the next evaluation: no new one within the precision.
    const next = clock.start();
    pass(0.1);
    expect(clock.finish(next, false).ms).toBeCloseTo(0.1, 9);
  });
});
