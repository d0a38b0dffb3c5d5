// Auth, request path step 4: last-used-at, noted in memory on each request and written to the
// store in batches by a timer, never on the request's critical path.
import { recordTokenUse, type TokenUse } from "../domain/tokens/token-usage.js";
import type { Store } from "../store/store.js";

/** Collects token uses and flushes them to the store periodically. */
export class TokenUseRecorder {
  private pending = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    intervalMs = 1000,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Notes that the token was used at `usedAt` (epoch ms). */
  note(tokenId: string, usedAt: number): void {
    this.pending.set(tokenId, usedAt);
  }

  /** Writes every pending use now (also called by the timer and on close). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch: TokenUse[] = [...this.pending].map(([tokenId, usedAt]) => ({ tokenId, usedAt }));
      this.pending = new Map();
      try {
        await recordTokenUse(this.store, batch);
      } catch (error) {
        this.onError(error);
      }
    });
    return this.flushing;
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
