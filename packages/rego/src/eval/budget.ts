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

const CHECK_EVERY = 1024;

/**
 * Counts steps and checks the clock now and then; throws `eval_cancel_error` when spent. The
 * clock starts at the first check, after 1,024 steps: most evaluations end before, and never
 * read it.
 */
export class Budget {
  private steps = 0;
  private readonly maxSteps: number;
  private readonly timeoutMs: number;
  private started = 0;

  constructor(limits: BudgetLimits = {}) {
    this.maxSteps = limits.maxSteps ?? 10_000_000;
    this.timeoutMs = limits.timeoutMs ?? 5_000;
  }

  /** Records one step; throws when the budget is spent. */
  step(location: Location): void {
    this.steps++;
    if (this.steps % CHECK_EVERY !== 0) return;
    if (this.steps > this.maxSteps) {
      throw RegoError.of(
        "eval_cancel_error",
        `evaluation exceeded its budget of ${this.maxSteps} steps`,
        location,
      );
    }
    const now = Date.now();
    if (this.started === 0) this.started = now;
    else if (now - this.started > this.timeoutMs) {
      throw RegoError.of("eval_cancel_error", "evaluation exceeded its time limit", location);
    }
  }

  /** Steps used so far. */
  get used(): number {
    return this.steps;
  }
}
