// Storage layer: a way out of a transaction and back in. Work that must not hold a transaction
// open (evaluating tenants' policies, which may take up to their time limit; on SQLite the open
// transaction holds the one write lock) asks for it by throwing RetryOutsideTransaction: the
// store rolls back, runs `prepare` outside any transaction, and runs the transaction again.

/** How many times a root transaction runs at most (the first attempt included). */
export const TRANSACTION_ATTEMPTS = 4;

/**
 * Thrown inside a transaction callback to roll back, run `prepare` outside the transaction, and
 * run the callback again from the start (its work must not depend on the rolled-back attempt).
 */
export class RetryOutsideTransaction extends Error {
  constructor(
    /** Runs between the attempts, with no transaction open. */
    readonly prepare: () => Promise<void>,
    reason: string,
    /** What to throw instead when the attempts are used up (what kept changing, for the caller). */
    readonly exhausted: () => Error,
  ) {
    super(`transaction rolled back to run outside it: ${reason}`);
    this.name = "RetryOutsideTransaction";
  }
}
