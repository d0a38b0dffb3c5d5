// Storage layer: a lock handed to its waiters in arrival order. Releasing it wakes exactly one
// waiter (the oldest), who owns it from that moment: nothing arriving later can take it first.
//
// Handed over at once, the lock passes from waiter to waiter in promise continuations only; when
// the work it guards never waits for I/O (better-sqlite3 runs every statement synchronously), a
// queue of waiters keeps the event loop in its microtasks, and no connection is accepted and no
// request read until the queue is empty. So once the lock has been handed over at once for
// `yieldAfterMs`, the next hand-over waits for the event loop's next turn (setImmediate, after I/O).

/** A mutual-exclusion lock, first come first served, that lets the event loop turn now and then. */
export class FifoLock {
  #held = false;
  readonly #waiters: (() => void)[] = [];
  #head = 0;
  #turnStartedAt = performance.now();

  /** `yieldAfterMs`: how long hand-overs may run without letting the event loop turn (default 2 ms). */
  constructor(private readonly yieldAfterMs = 2) {}

  /** True while someone holds the lock (or it is being handed over). */
  get held(): boolean {
    return this.#held;
  }

  /** How many callers wait for the lock (not counting its holder). */
  get waiting(): number {
    return this.#waiters.length - this.#head;
  }

  /** Resolves once the caller holds the lock; at once when it is free and nobody waits. */
  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Hands the lock to the oldest waiter, or frees it; only its holder may call this. */
  release(): void {
    if (!this.#held) throw new Error("FifoLock.release() called while the lock is free");
    if (this.#head < this.#waiters.length) {
      const next = this.#waiters[this.#head] as () => void;
      this.#waiters[this.#head++] = noop;
      // Compact now and then rather than shifting the array on every hand-over.
      if (this.#head >= 1024 && this.#head * 2 >= this.#waiters.length) {
        this.#waiters.splice(0, this.#head);
        this.#head = 0;
      }
      // Still held: ownership passes to `next`, now or after the event loop's next turn.
      const now = performance.now();
      if (now - this.#turnStartedAt < this.yieldAfterMs) {
        next();
      } else {
        setImmediate(() => {
          this.#turnStartedAt = performance.now();
          next();
        });
      }
      return;
    }
    this.#held = false;
    // Nobody waits: whatever comes next starts a new stretch.
    this.#turnStartedAt = performance.now();
  }
}

function noop(): void {}
