// Policy workers: the message a worker receives for one task: the task, and the cell in which the
// worker notes when it started it (so the pool's time limit counts running time, not waiting).
import type { PolicyTask } from "../domain/policy-evaluations/policy-task.js";

/** One task sent to a policy worker. */
export interface PolicyWorkerMessage {
  readonly task: PolicyTask;
  /** Shared with the pool: the worker stores the epoch microsecond it started the task at. */
  readonly startedAtUs: BigInt64Array;
}

/** The epoch time in microseconds, comparable across threads (each has its own time origin). */
export function epochMicros(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}
