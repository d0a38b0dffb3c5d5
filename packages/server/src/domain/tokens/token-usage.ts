// Domain layer, tokens: last-used-at, recorded in batches off the request path. Not audited:
// use is not a change.
import type { Store } from "../../store/store.js";

/** One use of a token. */
export interface TokenUse {
  readonly tokenId: string;
  /** Epoch ms. */
  readonly usedAt: number;
}

/** Records a batch of uses in one transaction; each token keeps its latest use time. */
export async function recordTokenUse(store: Store, batch: Iterable<TokenUse>): Promise<void> {
  const latest = new Map<string, number>();
  for (const use of batch) latest.set(use.tokenId, Math.max(use.usedAt, latest.get(use.tokenId) ?? 0));
  if (latest.size === 0) return;
  await store.transaction(async (tx) => {
    for (const [tokenId, usedAt] of latest) {
      await tx.db
        .updateTable("tokens")
        .set({ last_used_at: usedAt })
        .where("id", "=", tokenId)
        .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", usedAt)]))
        .execute();
    }
  });
}
