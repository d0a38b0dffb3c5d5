// Policy workers: the body of a worker thread of the pool. Runs one task at a time; the pool
// stops the thread from outside when it overruns its time, and V8 stops it when it overruns its
// heap. Compiled policies stay in the thread between tasks (policy-compile-cache.ts).
import { type PolicyTaskResult, runPolicyTask } from "../domain/policy-evaluations/policy-task.js";
import { epochMicros, type PolicyWorkerMessage } from "./policy-worker-message.js";

/** Runs one task (piscina calls the module's default export). */
export default function evaluatePolicyTask(message: PolicyWorkerMessage): PolicyTaskResult {
  Atomics.store(message.startedAtUs, 0, epochMicros());
  return runPolicyTask(message.task);
}
