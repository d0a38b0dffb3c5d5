// Conformance, isolation: the worker-thread side of an isolated run. Runs the cases it is given
// from a start index and posts each outcome, so the main thread can stop a case that hangs.

import { parentPort, workerData } from "node:worker_threads";
import { type CaseBudget, runCase } from "./case-runner.js";
import type { ConformanceCase } from "./conformance-case.js";

/** What the main thread hands a worker. */
export interface CaseWorkerData {
  readonly cases: readonly ConformanceCase[];
  readonly start: number;
  readonly budget: CaseBudget;
}

const port = parentPort;
if (port) {
  const { cases, start, budget } = workerData as CaseWorkerData;
  for (let index = start; index < cases.length; index++) {
    port.postMessage({ index, outcome: runCase(cases[index] as ConformanceCase, budget) });
  }
}
