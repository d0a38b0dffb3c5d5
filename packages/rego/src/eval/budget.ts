// Evaluation: the budget of one evaluation. Policies are untrusted input, so every evaluation
// is bounded in steps, wall-clock time and memory, and ends with `eval_cancel_error` when over.

import { RegoError } from "../errors.js";
import type { Location } from "../syntax/location.js";

/** Limits for one evaluation. */
export interface BudgetLimits {
  /** Maximum steps: expressions evaluated, elements enumerated or produced (default 10,000,000). */
  readonly maxSteps?: number;
  /** Maximum wall-clock milliseconds (default 5,000). */
  readonly timeoutMs?: number;
  /**
   * Maximum bytes the evaluation may produce, estimated as ELEMENT_BYTES per collection element
   * and two bytes per string character (default 128 MiB). What it produces bounds what it holds.
   */
  readonly maxBytes?: number;
}

/** Steps charged between two checks of the budget (the clock is read at each check). */
export const CHECK_EVERY = 1024;

/** The bytes charged for one element of a collection an evaluation builds. */
export const ELEMENT_BYTES = 32;

/** Characters of a string a builtin produces that count one step. */
export const CHARS_PER_STEP = 64;

/**
 * Characters a builtin scans (a regex match) that count one step: matching costs tens of ns a
 * character, as much as a few steps of evaluation do for a handful.
 */
export const SCANNED_CHARS_PER_STEP = 4;

/**
 * A scan this long reads the clock before it starts, and is refused when its expected duration
 * (SCAN_NS_PER_CHAR a character) would end it past the time limit: it runs uninterrupted.
 */
export const LONG_SCAN = 16_384;

/** Expected nanoseconds per character of a long scan (RE2 matching, measured: 30 to 40). */
export const SCAN_NS_PER_CHAR = 40;

/** Default maximum of produced bytes (see BudgetLimits.maxBytes). */
export const DEFAULT_MAX_BYTES = 128 * 1024 * 1024;

/**
 * The limits of an evaluation, resolved once and shared by every evaluation of a query. The
 * evaluator charges steps (and bytes) as it works, and calls `check` whenever the steps charged
 * since the last check reach CHECK_EVERY, however they came: one step per expression, one per
 * element, or many at once for a builtin's result, so the clock is read at a cadence set by the
 * work done, never by how often ticks happen. The clock starts at the first check: most
 * evaluations end before, and never read it.
 */
export class Budget {
  readonly maxSteps: number;
  readonly timeoutMs: number;
  readonly maxBytes: number;

  constructor(limits: BudgetLimits = {}) {
    this.maxSteps = positive(limits.maxSteps, 10_000_000, "maxSteps");
    this.timeoutMs = positive(limits.timeoutMs, 5_000, "timeoutMs");
    this.maxBytes = positive(limits.maxBytes, DEFAULT_MAX_BYTES, "maxBytes");
  }

  /**
   * Checks `steps` and `bytes` so far against the limits, `started` being the time of the first
   * check (0 before it), and the time so far plus `upcomingMs` (work about to run that cannot be
   * interrupted); returns the first check's time. Throws `eval_cancel_error` when the budget is
   * spent.
   */
  check(
    steps: number,
    bytes: number,
    started: number,
    location: Location | undefined,
    upcomingMs = 0,
  ): number {
    if (bytes > this.maxBytes) {
      throw cancel(`evaluation exceeded its memory budget of ${this.maxBytes} bytes`, location);
    }
    if (steps > this.maxSteps) {
      throw cancel(`evaluation exceeded its budget of ${this.maxSteps} steps`, location);
    }
    const now = performance.now();
    const elapsed = started === 0 ? 0 : now - started;
    if (elapsed + upcomingMs > this.timeoutMs) {
      throw cancel(`evaluation exceeded its time limit of ${this.timeoutMs} ms`, location);
    }
    return started === 0 ? now : started;
  }
}

function cancel(message: string, location: Location | undefined): RegoError {
  return RegoError.of("eval_cancel_error", message, location);
}

function positive(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!(v > 0)) throw new RangeError(`budget ${name} must be a positive number, got ${v}`);
  return v;
}
