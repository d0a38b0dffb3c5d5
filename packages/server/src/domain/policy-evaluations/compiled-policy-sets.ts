// Domain layer, policy evaluation: the in-memory cache of each organization's policy sets with
// their policies compiled and queries prepared, so an evaluation costs microseconds. Rebuilt when
// a policy, a policy set or a space changes (change feed: local, and across instances on PostgreSQL).
import type { Module } from "@keygate/rego";
import type { ChangeEvent } from "../../store/change-feed.js";
import type { Store } from "../../store/store.js";
import type { EnforcementLevel } from "../policies/policy.js";
import { denyQueryOf, policyFileName } from "../policies/policy-compilation.js";
import { compileModule, type PolicyProblem, type PreparedPolicyQuery, packageRef } from "../policies/policy-module.js";
import { queryIsDefined } from "../policies/policy-query-check.js";
import { loginPolicyLimits } from "../login-policies/login-policy-limits.js";
import { listAllPolicySets, type PolicyEntityType, type PolicyEvent, type PolicySet } from "../policy-sets/policy-set.js";
import { loadSpaceTree, type SpaceTree } from "../spaces/space.js";

/** The queries of a policy used on save: deny (its own query or `data.<pkg>.deny`) and warn. */
export interface SaveQueries {
  readonly kind: "save";
  readonly deny: PreparedPolicyQuery;
  readonly warn: PreparedPolicyQuery | undefined;
  /** False when the policy's own query reads nothing its module defines (outcome `query-undefined`). */
  readonly queryDefined: boolean;
}

/**
 * The query of a login policy: its whole package document, from which `allow`, `deny` and `roles`
 * are read (one evaluation per request instead of three).
 */
export interface LoginQueries {
  readonly kind: "login";
  readonly document: PreparedPolicyQuery;
}

/** What a stored policy needs to be compiled. */
export interface PolicyText {
  readonly policyId: string;
  readonly policyName: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly query: string | null;
  readonly source: string;
}

/** A policy of a set, compiled for the set's purpose (or the problems that kept it from compiling). */
export type CompiledPolicy = PolicyText &
  (
    | {
        readonly ok: true;
        readonly packagePath: string;
        readonly queries: SaveQueries | LoginQueries;
        /** The parsed module (rules with their locations). */
        readonly syntax: Module;
      }
    | { readonly ok: false; readonly problems: readonly PolicyProblem[] }
  );

/** A policy of a set that has no text yet: it cannot be evaluated, and its outcome is `query-undefined`. */
export interface UntextedPolicy {
  readonly policyId: string;
  readonly policyName: string;
  readonly enforcementLevel: EnforcementLevel;
}

/** A policy set with its uploaded policies compiled, and those without text named. */
export interface CompiledPolicySet {
  readonly set: PolicySet;
  readonly policies: readonly CompiledPolicy[];
  readonly untexted?: readonly UntextedPolicy[];
}

/** Everything needed to evaluate an organization's policies: its compiled sets and space tree. */
export interface GovernanceSnapshot {
  readonly organizationId: string;
  readonly sets: readonly CompiledPolicySet[];
  readonly tree: SpaceTree;
}

/** Compiles a policy's text for save (deny/warn) or login (allow/deny/roles) evaluation. */
export function compilePolicyFor(purpose: "save" | "login", text: PolicyText): CompiledPolicy {
  const file = policyFileName(text.policyName);
  if (purpose === "save") {
    // `warn` rules, where the package has them, give warnings (an absent rule is just undefined).
    const compiled = compileModule(file, text.source, (pkg) => [denyQueryOf(text.query, pkg), packageRef(pkg, "warn")]);
    if (!compiled.ok) return { ...text, ok: false, problems: compiled.problems };
    const [deny, warn] = compiled.module.queries;
    return {
      ...text,
      ok: true,
      packagePath: compiled.module.packagePath,
      syntax: compiled.module.syntax,
      queries: {
        kind: "save",
        deny: deny!,
        warn,
        queryDefined: queryIsDefined(text.query, compiled.module.packagePath, compiled.module.syntax),
      },
    };
  }
  // Login policies run on the request path: their own, tight budget (login-policy-limits.ts).
  const { timeoutMs, maxSteps } = loginPolicyLimits();
  const budget = { timeoutMs, maxSteps };
  const compiled = compileModule(file, text.source, (pkg) => [packageRef(pkg)], { budget });
  if (!compiled.ok) return { ...text, ok: false, problems: compiled.problems };
  const [document] = compiled.module.queries;
  return {
    ...text,
    ok: true,
    packagePath: compiled.module.packagePath,
    syntax: compiled.module.syntax,
    queries: { kind: "login", document: document! },
  };
}

/** True when a set is for the entity type and event and applies in the space (or an ancestor). */
export function setApplies(
  set: PolicySet,
  entityType: PolicyEntityType,
  event: PolicyEvent,
  spaceId: string | null,
  tree: SpaceTree,
): boolean {
  if (!set.entityTypes.includes(entityType) || !set.events.includes(event)) return false;
  if (set.global) return true;
  if (spaceId === null) return false;
  const scope = new Set([spaceId, ...tree.ancestorIds(spaceId)]);
  return set.spaceIds.some((id) => scope.has(id));
}

/** The sets of a snapshot that apply to an entity type, event and space. */
export function applicableSets(
  snapshot: GovernanceSnapshot,
  entityType: PolicyEntityType,
  event: PolicyEvent,
  spaceId: string | null,
): CompiledPolicySet[] {
  return snapshot.sets.filter((s) => setApplies(s.set, entityType, event, spaceId, snapshot.tree));
}

async function loadSnapshot(store: Store, organizationId: string): Promise<GovernanceSnapshot> {
  const [sets, tree] = await Promise.all([
    listAllPolicySets(store, organizationId),
    loadSpaceTree(store, organizationId),
  ]);
  const policyIds = [...new Set(sets.flatMap((s) => s.policyIds))];
  const rows =
    policyIds.length === 0
      ? []
      : await store.db
          .selectFrom("policies")
          .select(["id", "name", "enforcement_level", "query", "source"])
          .where("organization_id", "=", organizationId)
          .where("id", "in", policyIds)
          .orderBy("name")
          .execute();
  const compiled = new Map<string, CompiledPolicy>();
  const compiledSets = sets.map((set) => {
    const purpose = set.entityTypes.includes("login") ? "login" : "save";
    const policies: CompiledPolicy[] = [];
    const untexted: UntextedPolicy[] = [];
    for (const row of rows) {
      if (!set.policyIds.includes(row.id)) continue;
      if (row.source === null) {
        untexted.push({ policyId: row.id, policyName: row.name, enforcementLevel: row.enforcement_level });
        continue;
      }
      const key = `${purpose}:${row.id}`;
      let policy = compiled.get(key);
      if (!policy) {
        policy = compilePolicyFor(purpose, {
          policyId: row.id,
          policyName: row.name,
          enforcementLevel: row.enforcement_level,
          query: row.query,
          source: row.source,
        });
        compiled.set(key, policy);
      }
      policies.push(policy);
    }
    return untexted.length > 0 ? { set, policies, untexted } : { set, policies };
  });
  return { organizationId, sets: compiledSets, tree };
}

interface CacheEntry {
  readonly generation: number;
  readonly snapshot: Promise<GovernanceSnapshot>;
  /** The snapshot once loaded, for callers that must not wait (`peek`). */
  resolved?: GovernanceSnapshot;
}

/** Per-organization compiled policy sets of one store, forgotten on every relevant change. */
export class PolicyCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly generations = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(store: Store) {
    this.unsubscribe = store.changes.subscribe((event) => this.onChange(event));
  }

  private onChange(event: ChangeEvent): void {
    switch (event.kind) {
      case "policy.changed":
      case "space.changed":
        this.forget(event.organizationId);
        return;
      case "resync":
        if (event.organizationId !== undefined) {
          this.forget(event.organizationId);
          return;
        }
        for (const id of [...this.generations.keys(), ...this.entries.keys()]) this.forget(id);
        return;
      default:
        return;
    }
  }

  /** Drops an organization's compiled sets; the next evaluation rebuilds them. */
  forget(organizationId: string): void {
    this.generations.set(organizationId, (this.generations.get(organizationId) ?? 0) + 1);
    this.entries.delete(organizationId);
  }

  /** The organization's compiled sets when loaded and current, without waiting; otherwise undefined. */
  peek(organizationId: string): GovernanceSnapshot | undefined {
    const cached = this.entries.get(organizationId);
    if (cached === undefined || cached.generation !== (this.generations.get(organizationId) ?? 0)) return undefined;
    return cached.resolved;
  }

  /** The organization's compiled sets (loaded through `store`, which may be a transaction). */
  async snapshot(store: Store, organizationId: string): Promise<GovernanceSnapshot> {
    const generation = this.generations.get(organizationId) ?? 0;
    const cached = this.entries.get(organizationId);
    if (cached && cached.generation === generation) return cached.snapshot;
    const snapshot = loadSnapshot(store, organizationId);
    // Loaded inside a transaction, the snapshot is only cached if nothing changed meanwhile.
    const entry: CacheEntry = { generation, snapshot };
    if (!store.inTransaction) this.entries.set(organizationId, entry);
    snapshot.catch(() => {
      if (this.entries.get(organizationId)?.snapshot === snapshot) this.entries.delete(organizationId);
    });
    const result = await snapshot;
    entry.resolved = result;
    if (store.inTransaction && (this.generations.get(organizationId) ?? 0) === generation) {
      this.entries.set(organizationId, { generation, snapshot: Promise.resolve(result), resolved: result });
    }
    return result;
  }

  /** Stops listening to the change feed. */
  close(): void {
    this.unsubscribe();
    this.entries.clear();
  }
}

const caches = new WeakMap<Store, PolicyCache>();

/** The policy cache of a (root) store, created on first use. */
export function policyCacheOf(store: Store): PolicyCache {
  if (store.inTransaction) {
    throw new Error("policyCacheOf needs the root store, not a transaction handle");
  }
  let cache = caches.get(store);
  if (!cache) {
    cache = new PolicyCache(store);
    caches.set(store, cache);
  }
  return cache;
}
