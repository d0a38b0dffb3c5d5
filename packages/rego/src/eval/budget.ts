// Evaluation: the budget of one evaluation. Policies are untrusted input, so every evaluation
// is bounded in steps and wall-clock time and ends with `eval_cancel_error` when over.

import { RegoError } from "../errors.js";
import type { Location } from "../syntax/location.js";

/** Limits for one evaluation. */
export interface BudgetLimits {
  /** Maximum expressions evaluated (default 10,000,000). */
  readonly maxSteps?: number;
  /** Maximum wall-clock milliseconds (default 5,000). */
  readonly timeoutMs?: number;
}

/** Steps between two checks of the budget. */
export const CHECK_EVERY = 1024;

/**
 * The limits of an evaluation, resolved once and shared by every evaluation of a query. The
 * evaluator counts its steps and calls `check` every CHECK_EVERY steps; the clock starts at the
 * first check, after 1,024 steps: most evaluations end before, and never read it.
 */
export class Budget {
  private readonly maxSteps: number;
  private readonly timeoutMs: number;

  constructor(limits: BudgetLimits = {}) {
    this.maxSteps = limits.maxSteps ?? 10_000_000;
    this.timeoutMs = limits.timeoutMs ?? 5_000;
  }

  /**
   * Checks `steps` so far against the limits, `started` being the time of the first check (0
   * before it); returns that time. Throws `eval_cancel_error` when the budget is spent.
   */
  check(steps: number, started: number, location: Location): number {
    if (steps > this.maxSteps) {
      throw RegoError.of(
        "eval_cancel_error",
        `evaluation exceeded its budget of ${this.maxSteps} steps`,
        location,
      );
    }
    const now = Date.now();
    if (started === 0) return now;
    if (now - started > this.timeoutMs) {
      throw RegoError.of("eval_cancel_error", "evaluation exceeded its time limit", location);
    }
    return started;
  }
}
