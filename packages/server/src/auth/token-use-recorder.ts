// Auth, request path step 4: last-used-at, noted in memory on each request and written to the
// store in batches by a timer, never on the request's critical path. A token's use is written
// at most once per granularity (a minute by default): the first use at once (next flush), later
// ones when the stored time is a granularity old. A server whose load spreads over 10,000 tokens
// of a 1M-token table otherwise rewrites thousands of scattered rows (and WAL pages) a second.
import { recordTokenUse, type TokenUse } from "../domain/tokens/token-usage.js";
import type { Store } from "../store/store.js";

/** How stale a stored last-used-at may be while its token is in use, by default (ms). */
export const DEFAULT_USAGE_GRANULARITY_MS = 60_000;

/** Tokens whose last written use is remembered before old entries are swept. */
const WRITTEN_SWEEP_SIZE = 100_000;

/** Collects token uses and flushes them to the store periodically. */
export class TokenUseRecorder {
  private pending = new Map<string, number>();
  /** The use time last written per token (this process's writes). */
  private readonly written = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    intervalMs = 1000,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly granularityMs = DEFAULT_USAGE_GRANULARITY_MS,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Notes that the token was used at `usedAt` (epoch ms). */
  note(tokenId: string, usedAt: number): void {
    this.pending.set(tokenId, usedAt);
  }

  /** Writes every pending use that is due now (also called by the timer and on close). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch: TokenUse[] = [];
      for (const [tokenId, usedAt] of this.pending) {
        const last = this.written.get(tokenId);
        if (last !== undefined && usedAt - last < this.granularityMs) continue;
        batch.push({ tokenId, usedAt });
      }
      this.pending = new Map();
      if (batch.length === 0) return;
      try {
        await recordTokenUse(this.store, batch);
        for (const use of batch) this.written.set(use.tokenId, use.usedAt);
        if (this.written.size > WRITTEN_SWEEP_SIZE) this.sweep(batch[0]!.usedAt);
      } catch (error) {
        this.onError(error);
      }
    });
    return this.flushing;
  }

  /** Forgets writes older than the granularity (their tokens' next use is written anyway). */
  private sweep(now: number): void {
    for (const [tokenId, at] of this.written) if (now - at >= this.granularityMs) this.written.delete(tokenId);
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
