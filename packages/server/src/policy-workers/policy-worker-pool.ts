// Policy workers: the pool that evaluates tenants' policies off the event loop (piscina worker
// threads, each with a V8 heap limit). Its time limit is enforced from outside: a worker that runs
// a task past it is terminated and replaced. Waiting tasks are bounded and taken from the
// organizations in turn; one organization may fill the whole queue while no other needs room, and
// when it is full an organization with fewer waiting takes the place of the newest task of the one
// with the most. So one tenant's flood neither grows memory without bound nor keeps the others'
// evaluations waiting behind it, and a lone busy tenant is not refused while room is free.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import {
  PolicyEvaluationFailure,
  type PolicyEvaluator,
} from "../domain/policy-evaluations/policy-evaluator.js";
import type { PolicyTask, PolicyTaskResults } from "../domain/policy-evaluations/policy-task.js";
import { epochMicros, type PolicyWorkerMessage } from "./policy-worker-message.js";
import type { PolicyWorkerSettings } from "./policy-worker-settings.js";

/** How long a task may wait for its (re)starting worker to take it before it is given up. */
const WORKER_START_LIMIT_MS = 15_000;

/** Longest error text passed on from a failed evaluation. */
const ERROR_TEXT_LIMIT = 300;

/** The built worker module: beside this one in dist, or, when running from the sources (tests), in dist. */
export function policyWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const built = here.endsWith(".ts")
    ? fileURLToPath(new URL("../../dist/policy-workers/policy-worker.js", import.meta.url))
    : fileURLToPath(new URL("./policy-worker.js", import.meta.url));
  return built;
}

/** Counts of what the pool did, for metrics. */
export interface PolicyWorkerPoolStats {
  completed: number;
  timedOut: number;
  outOfMemory: number;
  failed: number;
  /** Refused because too many were waiting (503). */
  refused: number;
}

interface Job {
  readonly task: PolicyTask;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: unknown) => void;
}

function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** The policy worker pool: a PolicyEvaluator whose evaluations run in worker threads under limits. */
export class PolicyWorkerPool implements PolicyEvaluator {
  readonly offThread = true;
  readonly stats: PolicyWorkerPoolStats = {
    completed: 0,
    timedOut: 0,
    outOfMemory: 0,
    failed: 0,
    refused: 0,
  };
  private piscina: Piscina | undefined;
  private running = 0;
  private waitingCount = 0;
  // Waiting jobs per organization; an organization served goes to the end (insertion order).
  private readonly waiting = new Map<string, Job[]>();
  private closed = false;

  constructor(
    readonly settings: PolicyWorkerSettings,
    private readonly filename: string = policyWorkerFile(),
  ) {}

  /** Evaluations running and waiting now. */
  get load(): { readonly running: number; readonly waiting: number } {
    return { running: this.running, waiting: this.waitingCount };
  }

  /** Runs a task in a worker; rejects with PolicyEvaluationFailure (timeout, out_of_memory, failed, busy). */
  run<T extends PolicyTask>(organizationId: string, task: T): Promise<PolicyTaskResults[T["kind"]]> {
    return new Promise<PolicyTaskResults[T["kind"]]>((resolve, reject) => {
      const job: Job = { task, resolve: resolve as (result: unknown) => void, reject };
      if (this.closed) {
        reject(new PolicyEvaluationFailure("busy", "the server is shutting down; try again shortly", 1));
        return;
      }
      if (this.running < this.settings.workers && this.waitingCount === 0) {
        this.start(job);
        return;
      }
      if (this.waitingCount >= this.settings.queue && !this.makeRoomFor(organizationId)) {
        this.stats.refused++;
        reject(this.busy());
        return;
      }
      const queued = this.waiting.get(organizationId);
      if (queued) queued.push(job);
      else this.waiting.set(organizationId, [job]);
      this.waitingCount++;
    });
  }

  /**
   * The queue is full: when another organization has more tasks waiting than `organizationId`,
   * its newest waiting task is refused to make room (true); otherwise nothing changes (false).
   */
  private makeRoomFor(organizationId: string): boolean {
    const own = this.waiting.get(organizationId)?.length ?? 0;
    let largest: { readonly organizationId: string; readonly jobs: Job[] } | undefined;
    for (const [id, jobs] of this.waiting) {
      if (jobs.length > (largest?.jobs.length ?? own)) largest = { organizationId: id, jobs };
    }
    const displaced = largest?.jobs.pop();
    if (largest === undefined || displaced === undefined) return false;
    if (largest.jobs.length === 0) this.waiting.delete(largest.organizationId);
    this.waitingCount--;
    this.stats.refused++;
    displaced.reject(this.busy(largest.jobs.length + 1));
    return true;
  }

  /** Refuses waiting tasks and stops the workers (running tasks end with an error). */
  async close(): Promise<void> {
    this.closed = true;
    for (const jobs of this.waiting.values()) {
      for (const job of jobs)
        job.reject(new PolicyEvaluationFailure("busy", "the server is shutting down", 1));
    }
    this.waiting.clear();
    this.waitingCount = 0;
    const pool = this.piscina;
    this.piscina = undefined;
    if (pool) await pool.destroy();
  }

  /**
   * The refusal when the queue is full, or (`organizationWaiting` given) of a waiting task whose
   * place went to an organization with fewer waiting.
   */
  private busy(organizationWaiting?: number): PolicyEvaluationFailure {
    const { workers, timeoutMs, queue } = this.settings;
    // Long enough for the waiting tasks to have run at their limit.
    const seconds = Math.max(1, Math.ceil(((this.waitingCount / workers) * timeoutMs) / 1000));
    const why =
      organizationWaiting === undefined
        ? `too many policy evaluations are waiting (${this.waitingCount}, the most allowed, for ${workers} workers)`
        : `this organization had ${organizationWaiting} policy evaluations waiting in a full queue (${queue} in all, ` +
          `for ${workers} workers), and its newest gave its place to another organization with fewer waiting`;
    return new PolicyEvaluationFailure("busy", `${why}; try again in ${seconds} s`, seconds);
  }

  private pool(): Piscina {
    if (this.piscina) return this.piscina;
    if (!existsSync(this.filename)) {
      throw new Error(
        `the policy worker module ${this.filename} is missing; build the server (npm run build)`,
      );
    }
    const { workers, memoryMb } = this.settings;
    const pool = new Piscina({
      filename: this.filename,
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: Number.POSITIVE_INFINITY,
      resourceLimits: {
        maxOldGenerationSizeMb: memoryMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.floor(memoryMb / 8))),
        stackSizeMb: 4,
      },
      recordTiming: false,
    });
    // A worker that fails with no task on it (it is replaced) must not become an uncaught 'error'.
    pool.on("error", () => {});
    this.piscina = pool;
    return pool;
  }

  // Piscina stops replacing workers that fail while starting; a pool whose workers never take a
  // task is dropped, and the next task starts a new one.
  private replacePool(): void {
    const stuck = this.piscina;
    this.piscina = undefined;
    if (stuck) void stuck.destroy().catch(() => {});
  }

  private start(job: Job): void {
    this.running++;
    const startedAtUs = new BigInt64Array(new SharedArrayBuffer(8));
    const abort = new AbortController();
    const dispatchedAt = performance.now();
    const { timeoutMs } = this.settings;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    // Checked from outside the worker: the worker may be in a loop that never yields.
    const check = (): void => {
      const started = Atomics.load(startedAtUs, 0);
      if (started === 0n) {
        // Not taken yet: its worker is (re)starting.
        if (performance.now() - dispatchedAt > WORKER_START_LIMIT_MS) {
          timedOut = true;
          abort.abort();
          this.replacePool();
          return;
        }
        timer = setTimeout(check, Math.min(timeoutMs, 20));
        return;
      }
      const ranMs = Number(epochMicros() - started) / 1000;
      if (ranMs >= timeoutMs) {
        timedOut = true;
        abort.abort();
        return;
      }
      timer = setTimeout(check, Math.ceil(timeoutMs - ranMs));
    };
    timer = setTimeout(check, timeoutMs);
    const message: PolicyWorkerMessage = { task: job.task, startedAtUs };
    let running: Promise<unknown>;
    try {
      running = this.pool().run(message, { signal: abort.signal });
    } catch (error) {
      running = Promise.reject(error);
    }
    // The worker is counted free before the caller hears back, so that its next task finds it free.
    const finish = (): void => {
      clearTimeout(timer);
      this.running--;
      this.startWaiting();
    };
    running.then(
      (result) => {
        finish();
        this.stats.completed++;
        job.resolve(result);
      },
      (error: unknown) => {
        finish();
        job.reject(this.failureOf(error, timedOut));
      },
    );
  }

  private failureOf(error: unknown, timedOut: boolean): PolicyEvaluationFailure {
    const { timeoutMs, memoryMb } = this.settings;
    if (timedOut) {
      this.stats.timedOut++;
      return new PolicyEvaluationFailure(
        "timeout",
        `the evaluation ran past its time limit of ${timeoutMs} ms (KEYGATE_POLICY_TIMEOUT_MS) and was stopped`,
      );
    }
    if (errorCode(error) === "ERR_WORKER_OUT_OF_MEMORY") {
      this.stats.outOfMemory++;
      return new PolicyEvaluationFailure(
        "out_of_memory",
        `the evaluation ran out of memory (limit ${memoryMb} MB, KEYGATE_POLICY_MEMORY_MB) and was stopped`,
      );
    }
    if (this.closed)
      return new PolicyEvaluationFailure("busy", "the server is shutting down; try again shortly", 1);
    this.stats.failed++;
    const text = error instanceof Error ? error.message : String(error);
    return new PolicyEvaluationFailure(
      "failed",
      `the evaluation failed: ${text.length > ERROR_TEXT_LIMIT ? `${text.slice(0, ERROR_TEXT_LIMIT)}…` : text}`,
    );
  }

  private startWaiting(): void {
    while (this.running < this.settings.workers && this.waitingCount > 0) {
      const next = this.waiting.entries().next();
      if (next.done) return;
      const [organizationId, jobs] = next.value;
      const job = jobs.shift();
      this.waiting.delete(organizationId);
      if (job === undefined) continue;
      if (jobs.length > 0) this.waiting.set(organizationId, jobs);
      this.waitingCount--;
      this.start(job);
    }
  }
}
