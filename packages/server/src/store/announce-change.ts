// Storage layer: the one way a write tells every instance's caches what it changed. Called with
// the transaction handle of the write, after the write and its audit event; the change is sent as
// the transaction's last statements (see change-feed.ts), so a change that committed is always
// announced, even when the process dies right after the commit, and one that rolled back never is.
import type { AnnouncedChange } from "./change-feed.js";
import type { Store } from "./store.js";

/**
 * Announces a change as part of the transaction of `tx`; outside a transaction, in a transaction
 * of its own.
 */
export async function announceChange(tx: Store, change: AnnouncedChange): Promise<void> {
  const batch = tx.announcedChanges;
  if (batch === undefined) {
    await tx.transaction((inner) => announceChange(inner, change));
    return;
  }
  batch.changes.push(change);
}
