// Domain layer, login policies: the per-organization meter of login-policy CPU. Each organization
// may spend a fixed number of milliseconds per wall-clock second evaluating login policies; past it,
// its callers whose decision is not already known are refused until the second ends, so a flood of
// callers with a hostile policy in one organization cannot stall the others.

/** Login-policy CPU spent per organization within the current second. */
export class LoginCpuMeter {
  private readonly spent = new Map<string, { second: number; ms: number }>();

  constructor(private readonly msPerSecond: () => number) {}

  /** Milliseconds until the organization may evaluate again (0: it may now). */
  waitMs(organizationId: string, nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    const entry = this.spent.get(organizationId);
    if (entry === undefined || entry.second !== second) return 0;
    return entry.ms > this.msPerSecond() ? (second + 1) * 1000 - nowMs : 0;
  }

  /** Charges `ms` of evaluation to the organization in the second of `nowMs`. */
  charge(organizationId: string, ms: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const entry = this.spent.get(organizationId);
    if (entry === undefined || entry.second !== second) {
      // Entries of past seconds are replaced, so the map holds at most one per organization.
      this.spent.set(organizationId, { second, ms });
      return;
    }
    entry.ms += ms;
  }
}
