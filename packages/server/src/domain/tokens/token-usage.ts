// Domain layer, tokens: last-used-at, recorded in batches off the request path. Not audited:
// use is not a change.
import { sql } from "kysely";
import type { Store } from "../../store/store.js";

/** One use of a token. */
export interface TokenUse {
  readonly tokenId: string;
  /** Epoch ms. */
  readonly usedAt: number;
}

/** Tokens per UPDATE statement (two bound values each: far under either database's bound). */
const TOKENS_PER_STATEMENT = 500;

/**
 * Records a batch of uses in one transaction; each token keeps its latest use time. One UPDATE per
 * 500 tokens (joined to a VALUES list, which SQLite and PostgreSQL both take), not one per token:
 * a server whose load spreads over 10,000 tokens writes 10,000 of them every flush.
 */
export async function recordTokenUse(store: Store, batch: Iterable<TokenUse>): Promise<void> {
  const latest = new Map<string, number>();
  for (const use of batch) latest.set(use.tokenId, Math.max(use.usedAt, latest.get(use.tokenId) ?? 0));
  if (latest.size === 0) return;
  const uses = [...latest];
  await store.transaction(async (tx) => {
    for (let first = 0; first < uses.length; first += TOKENS_PER_STATEMENT) {
      const rows = uses
        .slice(first, first + TOKENS_PER_STATEMENT)
        .map(([tokenId, usedAt]) => sql`(${tokenId}, CAST(${usedAt} AS BIGINT))`);
      // VALUES columns are column1, column2 in both dialects.
      await sql`UPDATE tokens SET last_used_at = used.column2
        FROM (VALUES ${sql.join(rows)}) AS used
        WHERE tokens.id = used.column1
          AND (tokens.last_used_at IS NULL OR tokens.last_used_at < used.column2)`.execute(tx.db);
    }
  });
}
