// Auth: limits failed authentications per client address (fixed window), so secrets can't be
// guessed at speed; after the limit every request from that address gets 429 until the window ends.
import { DomainError } from "../domain/domain-error.js";

interface Window {
  start: number;
  failures: number;
}

/** Counts failed authentications per address and refuses addresses over the limit. */
export class FailedAuthLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Throws `rate_limited` if the address has failed too often in the current window. */
  check(ip: string, now: number): void {
    const window = this.windows.get(ip);
    if (!window) return;
    if (now - window.start >= this.windowMs) {
      this.windows.delete(ip);
      return;
    }
    if (window.failures >= this.limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
      throw new DomainError(
        "rate_limited",
        `too many failed authentications from ${ip}; try again in ${retryAfterSeconds} s`,
        { details: { retryAfterSeconds } },
      );
    }
  }

  /** Records one failed authentication from the address. */
  fail(ip: string, now: number): void {
    const window = this.windows.get(ip);
    if (!window || now - window.start >= this.windowMs) {
      if (this.windows.size >= 100_000) this.sweep(now);
      this.windows.set(ip, { start: now, failures: 1 });
      return;
    }
    window.failures++;
  }

  private sweep(now: number): void {
    for (const [ip, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(ip);
  }
}
