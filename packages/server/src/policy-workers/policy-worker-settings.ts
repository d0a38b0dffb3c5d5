// Policy workers: the limits of the pool that evaluates tenants' policies, from the environment
// (`KEYGATE_POLICY_*`), with defaults that keep one tenant from stalling the others.
import { availableParallelism } from "node:os";

/** The limits of the policy worker pool. */
export interface PolicyWorkerSettings {
  /** Worker threads evaluating policies at once. */
  readonly workers: number;
  /** Time one evaluation (a save's policies, or a simulation) may run before its worker is stopped, in ms. */
  readonly timeoutMs: number;
  /** Heap limit of each worker (V8 old generation), in MB. */
  readonly memoryMb: number;
  /** Evaluations that may wait for a worker; beyond it callers get 503 with Retry-After. */
  readonly queue: number;
}

/**
 * The defaults: a worker per core but one (which stays with the event loop; at least one worker, at
 * most four), 1 s, 128 MB, 64 waiting.
 */
export function defaultPolicyWorkerSettings(): PolicyWorkerSettings {
  return { workers: Math.max(1, Math.min(4, availableParallelism() - 1)), timeoutMs: 1000, memoryMb: 128, queue: 64 };
}

/** A `KEYGATE_POLICY_*` value that is not a whole number in range, naming the variable. */
export class PolicyWorkerSettingError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = "PolicyWorkerSettingError";
  }
}

function wholeNumber(
  env: Readonly<Record<string, string | undefined>>,
  setting: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = env[setting];
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new PolicyWorkerSettingError(setting, `${setting} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** The pool's limits from KEYGATE_POLICY_WORKERS, _TIMEOUT_MS, _MEMORY_MB and _QUEUE (defaults otherwise). */
export function policyWorkerSettingsFrom(env: Readonly<Record<string, string | undefined>>): PolicyWorkerSettings {
  const defaults = defaultPolicyWorkerSettings();
  return {
    workers: wholeNumber(env, "KEYGATE_POLICY_WORKERS", defaults.workers, 1, 64),
    timeoutMs: wholeNumber(env, "KEYGATE_POLICY_TIMEOUT_MS", defaults.timeoutMs, 10, 600_000),
    // Below about 16 MB a worker cannot load the engine.
    memoryMb: wholeNumber(env, "KEYGATE_POLICY_MEMORY_MB", defaults.memoryMb, 32, 16_384),
    queue: wholeNumber(env, "KEYGATE_POLICY_QUEUE", defaults.queue, 0, 100_000),
  };
}
