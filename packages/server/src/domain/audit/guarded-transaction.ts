// Domain layer, audit: the transaction of a reviewed change. The domain function builds the change,
// shows it to the context's guard (the write path's authorize and governance) before writing, then
// writes, audits and announces it in the same transaction; a refusal is handed back to the context
// after the rollback so that the attempt can be audited.
import type { Store } from "../../store/store.js";
import type { ChangeOutcome, MutationContext } from "./actor.js";

/** Shows a change to the guard of the transaction's context; resolves with what it decided. */
export type Review<Change> = (change: Change) => Promise<ChangeOutcome>;

/**
 * Runs `work` in one transaction, giving it `review` to call with each change before writing it;
 * when the transaction fails after a review, the context's `refused` hook gets the last reviewed
 * change and the error (it decides whether the error was a refusal).
 */
export async function guardedTransaction<Change, T>(
  store: Store,
  ctx: MutationContext<Change>,
  work: (tx: Store, review: Review<Change>) => Promise<T>,
): Promise<T> {
  let reviewed: { readonly change: Change } | undefined;
  try {
    return await store.transaction((tx) =>
      work(tx, (change) => {
        reviewed = { change };
        return ctx.guard ? ctx.guard(tx, ctx.organizationId, change) : Promise.resolve({});
      }),
    );
  } catch (error) {
    if (reviewed !== undefined && ctx.refused !== undefined) {
      await ctx.refused(store, ctx.organizationId, reviewed.change, error);
    }
    throw error;
  }
}
