// Domain layer, login policies: the clock the CPU meter (login-cpu-meter.ts) charges evaluations
// by. Reading the process's CPU time is a system call (about 1 µs, and a point where a loaded
// machine preempts the server): two per request cost more than a small policy's evaluation. So
// an evaluation is timed by the monotonic wall clock, which on one thread bounds its CPU time from
// above, and the CPU time is read only when that bound is loose: an evaluation that held the
// thread for long (preempted, or slow) is charged the process CPU time since a reading taken at
// most `precisionMs` before it started, if that is less. The default precision is 2 ms: a reading
// costs far more under load than when idle (getrusage sums the process's threads; profiled at
// about a third of a 100-rule policy's decision when read every 0.5 ms), and 2 ms is small beside
// the 50 ms per second an organization may use.

/** Process CPU milliseconds so far (user and system). */
export type CpuMsReader = () => number;

/** Milliseconds on a monotonic clock. */
export type WallMsReader = () => number;

/** An evaluation being timed: when it started on the wall clock. */
export interface EvaluationStart {
  readonly wallMs: number;
}

/** What an evaluation is charged, and when it ended on the wall clock. */
export interface EvaluationCharge {
  readonly ms: number;
  readonly endMs: number;
}

function processCpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

/**
 * How much an evaluation costs its organization: at least the CPU time it used, at most that plus
 * `precisionMs` (the CPU time of other work just before it, or waiting for a core); when it
 * failed, at least the wall time it held the thread.
 */
export class LoginCpuClock {
  /** Wall time of the last CPU reading (none yet: long ago). */
  private readAtMs = Number.NEGATIVE_INFINITY;
  private cpuMsAtRead = 0;

  constructor(
    private readonly precisionMs = 2,
    private readonly wall: WallMsReader = () => performance.now(),
    private readonly cpu: CpuMsReader = processCpuMs,
  ) {}

  /** Starts timing an evaluation (reads the CPU time when the last reading is older than the precision). */
  start(): EvaluationStart {
    const wallMs = this.wall();
    if (wallMs - this.readAtMs >= this.precisionMs) this.read(wallMs);
    return { wallMs };
  }

  /** Ends timing an evaluation started at `start`: the milliseconds to charge, and when it ended. */
  finish(start: EvaluationStart, failed: boolean): EvaluationCharge {
    const endMs = this.wall();
    const heldMs = endMs - start.wallMs;
    // A failed one (its budget ran out, say) costs the others all the time it held the thread.
    if (failed || heldMs < this.precisionMs) return { ms: heldMs, endMs };
    const cpuSince = this.cpu() - this.cpuMsAtRead;
    this.readAtMs = endMs;
    this.cpuMsAtRead += cpuSince;
    return { ms: Math.min(heldMs, cpuSince), endMs };
  }

  private read(wallMs: number): void {
    this.cpuMsAtRead = this.cpu();
    this.readAtMs = wallMs;
  }
}
