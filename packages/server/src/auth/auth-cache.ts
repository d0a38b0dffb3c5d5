// Auth, request path steps 1-2: in-memory caches of verified token records (by public id), of
// principals' effective access and of space trees, dropped as soon as the store's change feed
// reports a revocation, rotation, binding or space change (from this or any other instance).
// Whatever the feed could miss, no entry is served staler than a bound (5 s by default): the
// organization's change counter is confirmed in the background once half the bound has passed,
// and before answering once all of it has.
import type { EffectiveAccess } from "../domain/access/effective-access.js";
import type { SpaceTree } from "../domain/spaces/space.js";
import type { TokenAuthRecord } from "../domain/tokens/token-verification.js";
import type { ChangeEvent } from "../store/change-feed.js";
import type { Store } from "../store/store.js";

/** Counts of cache lookups, for the metrics endpoint. */
export interface AuthCacheStats {
  hits: number;
  misses: number;
  invalidations: number;
}

/** Settings of an AuthCache. */
export interface AuthCacheOptions {
  /** Token records kept at most; default 200,000. */
  readonly maxTokens?: number;
  /** How stale (ms) an entry may be when served, whatever the change feed missed; default 5 s. */
  readonly maxStalenessMs?: number;
}

/** The default staleness bound of cached entries, in ms. */
export const DEFAULT_MAX_STALENESS_MS = 5000;

/** The caches of the request path; every change event bumps a generation so in-flight loads that started before it are not kept. */
export class AuthCache {
  private readonly tokens = new Map<string, TokenAuthRecord>();
  private readonly access = new Map<string, EffectiveAccess>();
  private readonly trees = new Map<string, SpaceTree>();
  private generation = 0;
  private readonly unsubscribe: () => void;
  /** Lookup counters. */
  readonly stats: AuthCacheStats = { hits: 0, misses: 0, invalidations: 0 };

  private readonly maxTokens: number;
  private readonly maxStalenessMs: number;

  constructor(
    private readonly store: Store,
    options: AuthCacheOptions = {},
  ) {
    this.maxTokens = options.maxTokens ?? 200_000;
    this.maxStalenessMs = options.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS;
    this.unsubscribe = store.changes.subscribe((event) => this.invalidate(event));
  }

  /**
   * The cached record of a public id when it may be served right now, without waiting: fresh, or
   * between half and the full bound (a confirmation then runs in the background). `undefined`
   * when not cached or past the bound: the caller then goes through `token`, which waits.
   */
  peekToken(publicId: string): TokenAuthRecord | undefined {
    const cached = this.tokens.get(publicId);
    if (cached === undefined) return undefined;
    const confirming = this.store.changes.ensureFresh(cached.principal.organizationId, this.maxStalenessMs);
    if (confirming !== undefined) {
      // `token` waits for this same confirmation (it is shared per organization).
      confirming.catch(() => {});
      return undefined;
    }
    this.stats.hits++;
    return cached;
  }

  /** The cached effective access of a principal, if any (fresh under the condition of `principalAccess`). */
  peekPrincipalAccess(principalId: string): EffectiveAccess | undefined {
    return this.access.get(principalId);
  }

  /** The cached space tree of an organization, if any (fresh under the same condition). */
  peekSpaceTree(organizationId: string): SpaceTree | undefined {
    return this.trees.get(organizationId);
  }

  /** The cached record of a public id, loading it with `load` on a miss (unknown ids are not cached). */
  async token(
    publicId: string,
    load: () => Promise<TokenAuthRecord | undefined>,
  ): Promise<TokenAuthRecord | undefined> {
    const cached = this.tokens.get(publicId);
    if (cached) {
      const confirming = this.store.changes.ensureFresh(cached.principal.organizationId, this.maxStalenessMs);
      if (confirming === undefined) {
        this.stats.hits++;
        return cached;
      }
      await confirming;
      // Still there after the confirmation: nothing of its organization changed unseen.
      const confirmed = this.tokens.get(publicId);
      if (confirmed) {
        this.stats.hits++;
        return confirmed;
      }
    }
    this.stats.misses++;
    const generation = this.generation;
    const record = await load();
    // A record just read is current; if its organization is due for a confirmation, start one
    // (the next hit waits for it when the bound has passed).
    if (record) void this.store.changes.ensureFresh(record.principal.organizationId, this.maxStalenessMs)?.catch(() => {});
    if (record && generation === this.generation) {
      if (this.tokens.size >= this.maxTokens) {
        const oldest = this.tokens.keys().next().value;
        if (oldest !== undefined) this.tokens.delete(oldest);
      }
      this.tokens.set(publicId, record);
    }
    return record;
  }

  /**
   * The cached effective access of a principal, loading it on a miss. Fresh as long as the caller
   * looked up a token of the principal's organization first (which confirms the organization).
   */
  async principalAccess(principalId: string, load: () => Promise<EffectiveAccess>): Promise<EffectiveAccess> {
    return this.cached(this.access, principalId, load);
  }

  /** The cached space tree of an organization, loading it on a miss (fresh under the same condition). */
  async spaceTree(organizationId: string, load: () => Promise<SpaceTree>): Promise<SpaceTree> {
    return this.cached(this.trees, organizationId, load);
  }

  private async cached<T>(map: Map<string, T>, key: string, load: () => Promise<T>): Promise<T> {
    const cached = map.get(key);
    // Fresh enough: the request's token lookup has just confirmed the organization (or waited).
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) map.set(key, value);
    return value;
  }

  /** Forgets whatever the change makes stale. */
  invalidate(event: ChangeEvent): void {
    this.generation++;
    this.stats.invalidations++;
    switch (event.kind) {
      case "token.revoked":
      case "token.rotated":
      case "token.updated":
      case "token.deleted":
        this.tokens.delete(event.publicId);
        return;
      case "api-key.deleted":
        this.dropTokensWhere((r) => r.apiKey.id === event.apiKeyId);
        return;
      case "principal.changed":
        this.dropTokensWhere((r) => r.principal.id === event.principalId);
        this.access.delete(event.principalId);
        return;
      case "binding.changed":
      case "role.changed":
      case "team-membership.changed":
        this.dropAccessOf(event.organizationId);
        return;
      case "space.changed":
        this.trees.delete(event.organizationId);
        this.dropAccessOf(event.organizationId);
        return;
      case "policy.changed":
        return;
      case "resync":
        if (event.organizationId !== undefined) {
          this.dropTokensWhere((r) => r.principal.organizationId === event.organizationId);
          this.trees.delete(event.organizationId);
          this.dropAccessOf(event.organizationId);
          return;
        }
        this.tokens.clear();
        this.access.clear();
        this.trees.clear();
        return;
    }
  }

  private dropTokensWhere(test: (record: TokenAuthRecord) => boolean): void {
    for (const [publicId, record] of this.tokens) if (test(record)) this.tokens.delete(publicId);
  }

  private dropAccessOf(organizationId: string): void {
    for (const [principalId, access] of this.access) {
      if (access.organizationId === organizationId) this.access.delete(principalId);
    }
  }

  /** Stops listening to the change feed. */
  close(): void {
    this.unsubscribe();
  }
}
