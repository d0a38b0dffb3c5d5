// Auth: limits failed authentications per client address (fixed window), so secrets can't be
// guessed at speed. Only failures are limited: once an address is over the limit its failed
// attempts get 429 until the window ends, while requests with a valid credential from it are
// still served (one noisy client behind a NAT must not lock out its neighbours).
import { DomainError } from "../domain/domain-error.js";

interface Window {
  start: number;
  failures: number;
}

/** Counts failed authentications per address and refuses failures over the limit. */
export class FailedAuthLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /**
   * Records one failed authentication from the address; throws `rate_limited` (with the seconds
   * until the window ends) when the address has now failed more than the limit in this window.
   */
  fail(ip: string, now: number): void {
    let window = this.windows.get(ip);
    if (!window || now - window.start >= this.windowMs) {
      if (this.windows.size >= 100_000) this.sweep(now);
      window = { start: now, failures: 0 };
      this.windows.set(ip, window);
    }
    window.failures++;
    if (window.failures > this.limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
      throw new DomainError(
        "rate_limited",
        `too many failed authentications from ${ip}; try again in ${retryAfterSeconds} s`,
        { details: { retryAfterSeconds } },
      );
    }
  }

  private sweep(now: number): void {
    for (const [ip, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(ip);
  }
}
