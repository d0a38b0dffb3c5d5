// Store layer, SQLite: a group commit. Transactions that queue for the one writing connection run
// one after another inside a single SQLite transaction, each in a savepoint of its own: a member
// that fails rolls back to its savepoint and leaves the others' work alone, and a member that
// succeeds releases its savepoint and waits for the batch's COMMIT before its caller hears of it.
// One COMMIT then writes each page the members touched once, instead of once per member.

/** The transactions sharing one SQLite transaction, and the COMMIT they wait for. */
export class CommitBatch {
  /** Members whose savepoint was released: they succeed or fail with the COMMIT. */
  members = 0;
  readonly openedAt = performance.now();
  readonly #durable: Promise<void>;
  #settle!: (error?: unknown) => void;
  #settled = false;

  constructor() {
    this.#durable = new Promise<void>((resolve, reject) => {
      this.#settle = (error?: unknown) => (error === undefined ? resolve() : reject(error));
    });
    // A batch nobody waits on (every member rolled back) must not surface as an unhandled rejection.
    this.#durable.catch(() => {});
  }

  /** Resolves once the batch's COMMIT has returned; rejects with its error (or the one that lost the batch). */
  get durable(): Promise<void> {
    return this.#durable;
  }

  /** True once the batch has committed or been lost. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Records the outcome: undefined for a COMMIT that returned, else what lost the batch. */
  settle(error?: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#settle(error);
  }
}
