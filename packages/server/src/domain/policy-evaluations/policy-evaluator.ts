// Domain layer, policy evaluation: where tenants' policies are evaluated. The server hands the
// domain a worker pool (policy-workers/), which runs each task off the event loop under memory and
// time limits; tests and one-off tools may evaluate in process. Failures are values with a kind.
import { type PolicyTask, type PolicyTaskResults, runPolicyTask } from "./policy-task.js";

/** Why an evaluation produced no result. */
export type PolicyEvaluationFailureKind =
  /** It ran past the time limit and its worker was stopped. */
  | "timeout"
  /** Its worker ran out of its heap limit. */
  | "out_of_memory"
  /** It threw, or its worker died for another reason. */
  | "failed"
  /** Too many evaluations are waiting: try again later (`retryAfterSeconds`). */
  | "busy";

/** An evaluation that produced no result, with a message a person can act on. */
export class PolicyEvaluationFailure extends Error {
  constructor(
    readonly kind: PolicyEvaluationFailureKind,
    message: string,
    /** For `busy`: when to try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "PolicyEvaluationFailure";
  }
}

/** Runs policy tasks for an organization (whose share of the evaluators it counts against). */
export interface PolicyEvaluator {
  /** True when evaluations run off the calling thread (then worth running outside transactions). */
  readonly offThread: boolean;
  /** Runs a task; rejects with PolicyEvaluationFailure when it cannot produce a result. */
  run<T extends PolicyTask>(organizationId: string, task: T): Promise<PolicyTaskResults[T["kind"]]>;
}

/**
 * Evaluates in the calling thread, with no limits of its own beyond the engine's: for tests and
 * one-off tools, never for a server (whose evaluator is its PolicyWorkerPool).
 */
export const IN_PROCESS_POLICY_EVALUATOR: PolicyEvaluator = {
  offThread: false,
  async run<T extends PolicyTask>(_organizationId: string, task: T): Promise<PolicyTaskResults[T["kind"]]> {
    return runPolicyTask(task) as PolicyTaskResults[T["kind"]];
  },
};
