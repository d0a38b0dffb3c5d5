// Storage layer: a lock handed to its waiters in arrival order. Releasing it wakes exactly one
// waiter (the oldest), who owns it from that moment: nothing arriving later can take it first.

/** A mutual-exclusion lock, first come first served. */
export class FifoLock {
  #held = false;
  readonly #waiters: (() => void)[] = [];
  #head = 0;

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
      next(); // still held: ownership passes to `next`
      return;
    }
    this.#held = false;
  }
}

function noop(): void {}
