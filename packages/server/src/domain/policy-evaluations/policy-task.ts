// Domain layer, policy evaluation: the evaluations that run off the request's thread, as plain
// data (what a policy worker receives and returns), and the function that runs one in the thread
// it is given to. Policies travel as text and are compiled there (cached by content hash).
import { compiledSetsOf, type PolicySetTexts } from "./policy-compile-cache.js";
import { decideSave, type SaveDecision } from "./policy-decision.js";
import { type SimulationOutcome, type SimulationTask, simulateSamples } from "./simulation-run.js";

/** Decide a save: the policy sets that apply to it, its input, its time (for `time.now_ns()`). */
export interface SaveTask {
  readonly kind: "save";
  readonly sets: readonly PolicySetTexts[];
  readonly input: unknown;
  readonly nowNs: bigint;
}

/** Any evaluation a policy worker runs. */
export type PolicyTask = SaveTask | SimulationTask;

/** The result of each kind of task. */
export interface PolicyTaskResults {
  readonly save: SaveDecision;
  readonly simulation: SimulationOutcome;
}

/** What the evaluating thread answers: the result of the task's kind. */
export type PolicyTaskResult = PolicyTaskResults[PolicyTask["kind"]];

/** Runs a task in the current thread (the body of a policy worker). */
export function runPolicyTask(task: PolicyTask): PolicyTaskResult {
  switch (task.kind) {
    case "save":
      return decideSave(compiledSetsOf(task.sets), task.input, task.nowNs);
    case "simulation":
      return simulateSamples(task);
  }
}
