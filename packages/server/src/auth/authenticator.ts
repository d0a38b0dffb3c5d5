// Auth, the request path: bearer parsing and checksum, cached lookup by public id, constant-time
// hash comparison, status and expiry, cached access resolution, a batched last-used-at note, and
// the failed-authentication limit (failures only). Once warm it touches no database.
import { type EffectiveAccess, resolveEffectiveAccess } from "../domain/access/effective-access.js";
import { DomainError } from "../domain/domain-error.js";
import type { RequestRoute } from "../domain/login-policies/login-break-glass.js";
import {
  type LoginCredential,
  type LoginRequest,
  loadLoginSubject,
} from "../domain/login-policies/login-input.js";
import {
  applyLoginPolicies,
  type LoginPolicies,
  loginPoliciesOf,
} from "../domain/login-policies/login-policies.js";
import { listAllPolicySets } from "../domain/policy-sets/policy-set.js";
import { loadSpaceTree, type SpaceTree } from "../domain/spaces/space.js";
import { generateToken, type ParsedToken } from "../domain/tokens/token-format.js";
import {
  type AuthenticatedToken,
  checkTokenAgainstRecord,
  checkTokenState,
  findTokenByPublicId,
  parsePresentedToken,
  type TokenAuthRecord,
} from "../domain/tokens/token-verification.js";
import type { Store } from "../store/store.js";
import { AuthCache } from "./auth-cache.js";
import { bearerTokenOf } from "./bearer-token.js";
import type { Caller } from "./caller.js";
import { FailedAuthLimiter } from "./failed-auth-limiter.js";
import { DEFAULT_USAGE_GRANULARITY_MS, TokenUseRecorder } from "./token-use-recorder.js";

// The last clock reading turned into nanoseconds: requests within one millisecond share it.
let lastMs = Number.NaN;
let lastNs = 0n;

function nanosecondsOf(ms: number): bigint {
  if (ms !== lastMs) {
    lastNs = BigInt(ms) * 1_000_000n;
    lastMs = ms;
  }
  return lastNs;
}

/**
 * What login policies see of a request (`input.request`): the address, the clock (ms -> ns), and,
 * for an HTTP request, its method and its path without the query string.
 */
export function loginRequestOf(ip: string, nowMs: number, route: RequestRoute | undefined): LoginRequest {
  const request: { remoteIp: string; timestampNs: bigint; method?: string; path?: string } = {
    remoteIp: ip,
    timestampNs: nanosecondsOf(nowMs),
  };
  if (route !== undefined) {
    request.method = route.method;
    const query = route.url.indexOf("?");
    request.path = query === -1 ? route.url : route.url.slice(0, query);
  }
  return request;
}

const credentials = new WeakMap<TokenAuthRecord, LoginCredential>();

/**
 * The login-policy credential of a cached token record: one object per record (records are
 * replaced, never changed), so the login policies can memoize by it.
 */
function credentialOf(record: TokenAuthRecord): LoginCredential {
  let credential = credentials.get(record);
  if (credential === undefined) {
    const { token, apiKey, principal } = record;
    credential = Object.freeze({
      organizationId: principal.organizationId,
      principalId: principal.id,
      tokenId: token.id,
      apiKeyId: apiKey.id,
    });
    credentials.set(record, credential);
  }
  return credential;
}

/** Settings of an Authenticator. */
export interface AuthenticatorOptions {
  /** Failed authentications allowed per address per window before 429; default 50. */
  readonly failureLimit?: number;
  /** Window of the failure limit in ms; default 60 s. */
  readonly failureWindowMs?: number;
  /** How often last-used-at is written, in ms; default 1 s. */
  readonly usageFlushMs?: number;
  /** How stale a stored last-used-at may be while its token is in use, in ms; default 60 s. */
  readonly usageGranularityMs?: number;
  /** Called with each failed authentication's reason (for metrics). */
  readonly onFailure?: (reason: string) => void;
  /** Called when writing last-used-at fails. */
  readonly onUsageError?: (error: unknown) => void;
  /** How stale (ms) a cached token, principal or binding may be when used; default 5 s. */
  readonly cacheMaxStalenessMs?: number;
}

/** Authenticates bearer tokens for one store. */
export class Authenticator {
  /** The caches, exposed for metrics. */
  readonly cache: AuthCache;
  private readonly limiter: FailedAuthLimiter;
  private readonly usage: TokenUseRecorder;
  private readonly onFailure: (reason: string) => void;
  private policies: LoginPolicies | undefined;

  constructor(
    private readonly store: Store,
    options: AuthenticatorOptions = {},
  ) {
    this.cache = new AuthCache(store, {
      ...(options.cacheMaxStalenessMs !== undefined ? { maxStalenessMs: options.cacheMaxStalenessMs } : {}),
    });
    this.limiter = new FailedAuthLimiter(options.failureLimit ?? 50, options.failureWindowMs ?? 60_000);
    this.usage = new TokenUseRecorder(
      store,
      options.usageFlushMs ?? 1000,
      options.onUsageError,
      options.usageGranularityMs ?? DEFAULT_USAGE_GRANULARITY_MS,
    );
    this.onFailure = options.onFailure ?? (() => {});
  }

  /**
   * The caller of a request with this Authorization header from `ip`; throws `unauthenticated` or
   * `rate_limited`, and `forbidden` or `unavailable` from login policies. `route` (method and URL)
   * lets the organization's owners reach the policy repair endpoints whatever the login policies say.
   */
  async authenticate(
    authorization: string | undefined,
    ip: string,
    now: number = Date.now(),
    route?: RequestRoute,
  ): Promise<Caller> {
    return this.authenticateNow(authorization, ip, now, route);
  }

  /**
   * `authenticate`, answered without waiting when everything it needs is in memory and fresh
   * enough (the token, the principal's bindings, the space tree, and no login policy to evaluate):
   * then the caller itself, or a synchronous throw. Otherwise a promise, as `authenticate`.
   */
  authenticateNow(
    authorization: string | undefined,
    ip: string,
    now: number = Date.now(),
    route?: RequestRoute,
  ): Caller | Promise<Caller> {
    let resolved: Caller | Promise<Caller>;
    try {
      resolved = this.resolve(authorization, ip, now, route);
    } catch (error) {
      throw this.failed(error, ip, now);
    }
    if (resolved instanceof Promise) {
      return resolved.then(
        (caller) => {
          this.usage.note(caller.token.id, now);
          return caller;
        },
        (error: unknown) => {
          throw this.failed(error, ip, now);
        },
      );
    }
    this.usage.note(resolved.token.id, now);
    return resolved;
  }

  /**
   * Counts a failed authentication (metrics, and the address's failure limit) and returns the
   * error to throw: the error itself, or `rate_limited` once the address is over the limit.
   */
  private failed(error: unknown, ip: string, now: number): unknown {
    if (error instanceof DomainError && error.code === "unauthenticated") {
      const reason = error.details?.reason;
      this.onFailure(typeof reason === "string" ? reason : "unknown");
      // Only failures count and are refused (429 once over the limit); a valid credential from
      // the same address is served.
      try {
        this.limiter.fail(ip, now);
      } catch (limited) {
        return limited;
      }
    }
    return error;
  }

  private get loginPolicies(): LoginPolicies {
    this.policies ??= loginPoliciesOf(this.store);
    return this.policies;
  }

  /**
   * The caller of a console session: its bound token (by public id), checked as a bearer token is
   * but for the secret, which the session's cookie stood in for; so the session has exactly the
   * token's permissions and ends when the token stops working or its user is disabled. Failures
   * count as failed authentications.
   */
  async authenticateBoundToken(
    publicId: string,
    ip: string,
    now: number = Date.now(),
    route?: RequestRoute,
  ): Promise<Caller> {
    let caller: Caller;
    try {
      const record = await this.cache.token(publicId, () => findTokenByPublicId(this.store, publicId, now));
      if (record === undefined) {
        throw new DomainError("unauthenticated", "the session's token no longer exists", {
          details: { reason: "unknown" },
        });
      }
      const checked = checkTokenState(record, now);
      const organizationId = checked.principal.organizationId;
      const [bindings, spaces] = await Promise.all([
        this.cache.principalAccess(checked.principal.id, () =>
          resolveEffectiveAccess(this.store, organizationId, checked.principal.id),
        ),
        this.cache.spaceTree(organizationId, () => loadSpaceTree(this.store, organizationId)),
      ]);
      caller = await this.withLoginPolicies(checked, bindings, spaces, ip, now, route);
    } catch (error) {
      if (error instanceof DomainError && error.code === "unauthenticated")
        this.recordFailure(error, ip, now);
      throw error;
    }
    this.usage.note(caller.token.id, now);
    return caller;
  }

  /**
   * Counts a failed authentication made outside this class (an unknown session cookie or
   * invitation secret): throws `rate_limited` once the address is over the limit.
   */
  recordFailure(error: DomainError, ip: string, now: number = Date.now()): void {
    const reason = error.details?.reason;
    this.onFailure(typeof reason === "string" ? reason : "unknown");
    this.limiter.fail(ip, now);
  }

  private resolve(
    authorization: string | undefined,
    ip: string,
    now: number,
    route: RequestRoute | undefined,
  ): Caller | Promise<Caller> {
    const parsed = parsePresentedToken(bearerTokenOf(authorization));
    // Everything cached and fresh enough (the staleness check runs beside this, in peekToken): no
    // await, and none for the login policies either when the organization has none.
    const cached = this.cache.peekToken(parsed.publicId);
    if (cached !== undefined) {
      const checked = checkTokenAgainstRecord(parsed, cached, now);
      const bindings = this.cache.peekPrincipalAccess(checked.principal.id);
      const spaces = this.cache.peekSpaceTree(checked.principal.organizationId);
      if (bindings !== undefined && spaces !== undefined) {
        const { token, apiKey, principal } = checked;
        const organizationId = principal.organizationId;
        const access = this.loginPolicies.applyCached(
          bindings,
          credentialOf(cached),
          loginRequestOf(ip, now, route),
        );
        if (access !== undefined) return { organizationId, principal, apiKey, token, access, spaces, ip };
        return this.withLoginPolicies(checked, bindings, spaces, ip, now, route);
      }
    }
    return this.resolveLoading(parsed, cached, ip, now, route);
  }

  private async resolveLoading(
    parsed: ParsedToken,
    cached: TokenAuthRecord | undefined,
    ip: string,
    now: number,
    route: RequestRoute | undefined,
  ): Promise<Caller> {
    const record =
      cached ??
      (await this.cache.token(parsed.publicId, () => findTokenByPublicId(this.store, parsed.publicId, now)));
    const checked = checkTokenAgainstRecord(parsed, record, now);
    const { principal } = checked;
    const organizationId = principal.organizationId;
    const [bindings, spaces] = await Promise.all([
      this.cache.principalAccess(principal.id, () =>
        resolveEffectiveAccess(this.store, organizationId, principal.id),
      ),
      this.cache.spaceTree(organizationId, () => loadSpaceTree(this.store, organizationId)),
    ]);
    return this.withLoginPolicies(checked, bindings, spaces, ip, now, route);
  }

  private async withLoginPolicies(
    checked: AuthenticatedToken,
    bindings: EffectiveAccess,
    spaces: SpaceTree,
    ip: string,
    now: number,
    route: RequestRoute | undefined,
  ): Promise<Caller> {
    const { token, apiKey, principal } = checked;
    const organizationId = principal.organizationId;
    // Governance (policy helper): login policies run on every request (time windows and IP ranges
    // hold exactly); their roles add to the cached bindings, and a refusal refuses the request
    // (but never an owner's repair of the policies: the route decides).
    const access = await applyLoginPolicies(
      this.store,
      bindings,
      { organizationId, principalId: principal.id, tokenId: token.id, apiKeyId: apiKey.id },
      loginRequestOf(ip, now, route),
      route,
    );
    return { organizationId, principal, apiKey, token, access, spaces, ip };
  }

  /**
   * Runs the request path's parts once before the server is ready (token parsing and checksum,
   * the digest, the lookup statement, the loaders of a first authentication), so the first real
   * request does not pay for their first run. It counts no failure and caches nothing: the
   * lookups go around the caches.
   */
  async warm(): Promise<void> {
    const { text, parts } = generateToken("service");
    const parsed = parsePresentedToken(text);
    await findTokenByPublicId(this.store, "0".repeat(parts.publicId.length));
    try {
      checkTokenAgainstRecord(parsed, undefined, Date.now());
    } catch {
      // Expected: no record.
    }
    await this.warmLoaders();
  }

  /**
   * Runs the loaders a principal's first authentication calls (its bindings, the space tree, the
   * login subject, the policy sets), uncached, for one stored token's principal: their queries are
   * built and their statements prepared before a request needs them (measured on a 1M-token
   * store, 6 starts each: the first request's median 10.2 -> 7.0 ms). Best effort: with no token
   * stored, or a loader failing, the first request runs them as it would have.
   */
  private async warmLoaders(): Promise<void> {
    const credential = await this.store.db
      .selectFrom("tokens")
      .innerJoin("api_keys", "api_keys.id", "tokens.api_key_id")
      .select([
        "tokens.organization_id as organizationId",
        "api_keys.principal_id as principalId",
        "tokens.id as tokenId",
        "api_keys.id as apiKeyId",
      ])
      .limit(1)
      .executeTakeFirst();
    if (credential === undefined) return;
    const { organizationId, principalId } = credential;
    await Promise.all([
      resolveEffectiveAccess(this.store, organizationId, principalId),
      loadSpaceTree(this.store, organizationId),
      loadLoginSubject(this.store, credential),
      listAllPolicySets(this.store, organizationId),
    ]).catch(() => undefined);
  }

  /** Writes pending last-used-at times now. */
  flushUsage(): Promise<void> {
    return this.usage.flush();
  }

  /** Stops timers and listeners, writing pending last-used-at times. */
  async close(): Promise<void> {
    this.cache.close();
    await this.usage.close();
  }
}
