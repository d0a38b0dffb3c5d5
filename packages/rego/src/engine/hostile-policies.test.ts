import { describe, expect, it } from "vitest";
import { RegoError } from "../errors.js";
import { DEFAULT_MAX_BYTES } from "../eval/budget.js";
import { HOSTILE_POLICIES, hostileModule } from "../test-support/hostile-policies.js";
import { Engine } from "./engine.js";

// Each evaluation gets one second (unless its case says otherwise); the goal is to end within that plus 100 ms, asserted with a
// margin for a loaded machine. Memory: the evaluation may produce at most DEFAULT_MAX_BYTES
// (estimated); the heap it adds, and the process's peak resident size it adds, must stay under
// MEMORY_BOUND.
const TIMEOUT_MS = 1000;
const TIME_MARGIN_MS = 1000;
const MB = 1024 * 1024;
const MEMORY_BOUND = 2 * DEFAULT_MAX_BYTES;

describe("hostile policies end cleanly through the library", () => {
  for (const hostile of HOSTILE_POLICIES) {
    it(hostile.name, () => {
      const timeoutMs = hostile.timeoutMs ?? TIMEOUT_MS;
      const engine = new Engine({ budget: { timeoutMs } });
      const compileStart = performance.now();
      let outcome: { error: string } | { value: unknown } | { undefined: true } | undefined;
      try {
        engine.addModule("hostile.rego", hostileModule(hostile));
      } catch (e) {
        if (!(e instanceof RegoError)) throw e;
        outcome = { error: e.code };
      }
      const compileMs = performance.now() - compileStart;
      const heapBefore = process.memoryUsage().heapUsed;
      const rssPeakBefore = process.resourceUsage().maxRSS * 1024;
      const start = performance.now();
      if (outcome === undefined) {
        try {
          const results = engine.evalQuery("data.hostile.p");
          outcome = results.length === 0 ? { undefined: true } : { value: results[0]?.expressions[0]?.value };
        } catch (e) {
          if (!(e instanceof RegoError)) throw e;
          outcome = { error: e.code };
        }
      }
      const elapsed = performance.now() - start;
      const heapAdded = process.memoryUsage().heapUsed - heapBefore;
      const rssPeakAdded = process.resourceUsage().maxRSS * 1024 - rssPeakBefore;
      console.log(
        `${hostile.name}: ${JSON.stringify(outcome)} in ${elapsed.toFixed(0)} ms (compile ${compileMs.toFixed(0)} ms); ` +
          `heap +${(heapAdded / MB).toFixed(0)} MB, peak RSS +${(rssPeakAdded / MB).toFixed(0)} MB`,
      );
      expect(outcome).toEqual(hostile.outcome);
      expect(elapsed).toBeLessThan(timeoutMs + TIME_MARGIN_MS);
      expect(heapAdded).toBeLessThan(MEMORY_BOUND);
      expect(rssPeakAdded).toBeLessThan(MEMORY_BOUND);
    });
  }
});
