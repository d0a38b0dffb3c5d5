// Domain layer, policy evaluation: a job run a while after it is first asked for, or at once on
// demand, one run at a time (the sample writer and the sample pruner of policy-sample.ts).

/**
 * Runs `job` `delayMs` after the first `schedule()` since the last run began, or at once on
 * `run()`; a run starts only once the one before it has ended.
 */
export class DeferredJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly delayMs: number,
    private readonly job: () => Promise<void>,
    /** What a scheduled run's failure costs, said where it is dropped (nobody awaits that run). */
    private readonly onScheduledFailure: (error: unknown) => void,
  ) {}

  /** Asks for a run within `delayMs` (none is added while one is already asked for). */
  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run().catch(this.onScheduledFailure);
    }, this.delayMs);
    this.timer.unref();
  }

  /** Runs the job now, after any run in progress (a scheduled run is folded into it); resolves when it ended. */
  run(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.running = this.running.catch(() => {}).then(this.job);
    return this.running;
  }
}
