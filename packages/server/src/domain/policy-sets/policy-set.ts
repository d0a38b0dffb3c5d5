// Domain layer, policy sets: groups of policies, global or attached to spaces (applying to each
// space's subtree), evaluated for some entity types on save, or for logins. Create, read, list,
// update, delete; add and remove policies and spaces. Every change is audited and published.
import type { PolicySetsTable } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { checkLoginPoliciesOnSamples } from "../login-policies/login-policy-sample-check.js";
import { type PolicyGovernanceChange, publishPolicyChange } from "../policies/policy.js";
import { checkDescription, isUniqueViolation } from "../validation/field-rules.js";

/** What a policy set governs: saves of these entities, or logins. */
export type PolicyEntityType = "token" | "api-key" | "service-account" | "delegate-token" | "login";

/** Every entity type, for validation. */
export const POLICY_ENTITY_TYPES: readonly PolicyEntityType[] = [
  "token",
  "api-key",
  "service-account",
  "delegate-token",
  "login",
];

/** When a policy set is evaluated: on save of an entity, or on each authenticated request (login). */
export type PolicyEvent = "onSave" | "onLogin";

/** A policy set. */
export interface PolicySet {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly description: string | null;
  /** Applies in every space of the organization. */
  readonly global: boolean;
  readonly entityTypes: readonly PolicyEntityType[];
  readonly events: readonly PolicyEvent[];
  readonly policyIds: readonly string[];
  /** Spaces the set is attached to (empty when global). */
  readonly spaceIds: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Input of createPolicySet, as received (validated here). */
export interface CreatePolicySetInput {
  readonly name: unknown;
  readonly description?: unknown;
  readonly global?: unknown;
  /** Default `["token", "api-key", "service-account", "delegate-token"]`. */
  readonly entityTypes?: unknown;
  /** Default `["onSave"]`, or `["onLogin"]` for a login set. */
  readonly events?: unknown;
  readonly policyIds?: readonly string[];
  readonly spaceIds?: readonly string[];
}

/** Input of updatePolicySet; absent fields are left unchanged. */
export interface UpdatePolicySetInput {
  readonly name?: unknown;
  readonly description?: unknown;
  readonly global?: unknown;
  readonly entityTypes?: unknown;
  readonly events?: unknown;
}

/** Filters of listPolicySets. */
export interface PolicySetFilter {
  /** Substring of the name, case-insensitive. */
  readonly search?: string;
  readonly page?: PageRequest;
}

const pointer = (name: string) => `/data/attributes/${name}`;
const SAVE_ENTITIES: readonly PolicyEntityType[] = ["token", "api-key", "service-account", "delegate-token"];

function checkSetName(value: unknown): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9_.-]{1,128}$/.test(value)) {
    throw new DomainError(
      "invalid",
      `name must be 1-128 letters, numbers, ".", "-" or "_"; got ${JSON.stringify(value ?? null)}`,
      { field: pointer("name") },
    );
  }
  return value;
}

function checkGlobal(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") {
    throw new DomainError("invalid", "global must be true or false", { field: pointer("global") });
  }
  return value;
}

/** Checks entity types and events together: login sets are for `login`/`onLogin` only. */
function checkTargets(
  entityTypes: unknown,
  events: unknown,
): { entityTypes: PolicyEntityType[]; events: PolicyEvent[] } {
  const types = entityTypes === undefined || entityTypes === null ? [...SAVE_ENTITIES] : entityTypes;
  if (
    !Array.isArray(types) ||
    types.length === 0 ||
    !types.every((t) => POLICY_ENTITY_TYPES.includes(t as PolicyEntityType))
  ) {
    throw new DomainError(
      "invalid",
      `entity-types must be a non-empty array of ${POLICY_ENTITY_TYPES.map((t) => `"${t}"`).join(", ")}`,
      { field: pointer("entity-types") },
    );
  }
  const unique = [...new Set(types as PolicyEntityType[])];
  const login = unique.includes("login");
  if (login && unique.length > 1) {
    throw new DomainError(
      "invalid",
      'a login policy set is for "login" only; put save policies for other entity types in another set',
      { field: pointer("entity-types") },
    );
  }
  const expected: PolicyEvent = login ? "onLogin" : "onSave";
  const list = events === undefined || events === null ? [expected] : events;
  // `login` is accepted as another name of the `onLogin` event.
  const given = Array.isArray(list) && list.length === 1 ? (list[0] === "login" ? "onLogin" : list[0]) : undefined;
  if (given !== expected) {
    throw new DomainError(
      "invalid",
      login
        ? 'events of a login policy set must be ["onLogin"] (or ["login"])'
        : 'events must be ["onSave"] (saves of tokens, API keys, service accounts and delegate tokens)',
      { field: pointer("events") },
    );
  }
  return { entityTypes: unique, events: [expected] };
}

function parseJsonArray<T>(text: string): T[] {
  return JSON.parse(text) as T[];
}

/** Maps a row, its policies and spaces to a PolicySet. */
export function policySetFromRow(
  row: PolicySetsTable,
  policyIds: readonly string[],
  spaceIds: readonly string[],
): PolicySet {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    global: row.global !== 0,
    entityTypes: parseJsonArray<PolicyEntityType>(row.entity_types),
    events: parseJsonArray<PolicyEvent>(row.events),
    policyIds,
    spaceIds,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

async function membersOf(
  store: Store,
  setIds: readonly string[],
): Promise<{ policies: Map<string, string[]>; spaces: Map<string, string[]> }> {
  const policies = new Map<string, string[]>(setIds.map((id) => [id, []]));
  const spaces = new Map<string, string[]>(setIds.map((id) => [id, []]));
  if (setIds.length === 0) return { policies, spaces };
  const [p, s] = await Promise.all([
    store.db
      .selectFrom("policy_set_policies")
      .select(["policy_set_id", "policy_id"])
      .where("policy_set_id", "in", [...setIds])
      .orderBy("policy_id")
      .execute(),
    store.db
      .selectFrom("policy_set_spaces")
      .select(["policy_set_id", "space_id"])
      .where("policy_set_id", "in", [...setIds])
      .orderBy("space_id")
      .execute(),
  ]);
  for (const row of p) policies.get(row.policy_set_id)?.push(row.policy_id);
  for (const row of s) spaces.get(row.policy_set_id)?.push(row.space_id);
  return { policies, spaces };
}

async function assertAllExist(
  store: Store,
  organizationId: string,
  table: "policies" | "spaces",
  ids: readonly string[],
  field: string,
): Promise<void> {
  if (ids.length === 0) return;
  const found = await store.db
    .selectFrom(table)
    .select("id")
    .where("organization_id", "=", organizationId)
    .where("id", "in", [...ids])
    .execute();
  const known = new Set(found.map((r) => r.id));
  const missing = ids.find((id) => !known.has(id));
  if (missing !== undefined) {
    const what = table === "policies" ? "policy" : "space";
    throw new DomainError("invalid", `${what} ${missing} does not exist in this organization`, { field });
  }
}

async function audit(
  tx: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  action: string,
  setId: string,
  details: Record<string, unknown>,
  now: number,
): Promise<void> {
  await recordAuditEvent(tx, {
    organizationId: ctx.organizationId,
    actor: ctx.actor,
    action: `policy-set.${action}`,
    resourceType: "policy-set",
    resourceId: setId,
    details,
    occurredAt: now,
  });
  await publishPolicyChange(tx, ctx, { action: `policy-set.${action}`, policyIds: [], setIds: [setId] });
}

function duplicateSetName(name: string): DomainError {
  return new DomainError("invalid", `name has already been taken: a policy set named "${name}" exists`, {
    field: pointer("name"),
  });
}

/** Creates a policy set with its policies and (when not global) spaces. */
export async function createPolicySet(
  store: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  input: CreatePolicySetInput,
): Promise<PolicySet> {
  const name = checkSetName(input.name);
  const description =
    input.description === undefined || input.description === null
      ? null
      : checkDescription(input.description, pointer("description"));
  const global = checkGlobal(input.global);
  const targets = checkTargets(input.entityTypes, input.events);
  const policyIds = [...new Set(input.policyIds ?? [])];
  const spaceIds = [...new Set(input.spaceIds ?? [])];
  if (global && spaceIds.length > 0) {
    throw new DomainError("invalid", "a global policy set applies everywhere; do not attach it to spaces", {
      field: "/data/relationships/spaces",
    });
  }
  const now = ctx.now ?? Date.now();
  const row: PolicySetsTable = {
    id: newId("polset"),
    organization_id: ctx.organizationId,
    name,
    description,
    global: global ? 1 : 0,
    entity_types: JSON.stringify(targets.entityTypes),
    events: JSON.stringify(targets.events),
    created_at: now,
    updated_at: now,
  };
  return store.transaction(async (tx) => {
    await assertAllExist(tx, ctx.organizationId, "policies", policyIds, "/data/relationships/policies");
    await assertAllExist(tx, ctx.organizationId, "spaces", spaceIds, "/data/relationships/spaces");
    try {
      await tx.db.insertInto("policy_sets").values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateSetName(name);
      throw error;
    }
    if (policyIds.length > 0) {
      await tx.db
        .insertInto("policy_set_policies")
        .values(policyIds.map((policy_id) => ({ policy_set_id: row.id, policy_id })))
        .execute();
    }
    if (spaceIds.length > 0) {
      await tx.db
        .insertInto("policy_set_spaces")
        .values(spaceIds.map((space_id) => ({ policy_set_id: row.id, space_id })))
        .execute();
    }
    // A login policy that errors on recent login samples would lock those callers out: refuse it.
    await checkLoginPoliciesOnSamples(tx, ctx.organizationId, { setId: row.id });
    await audit(tx, ctx, "create", row.id, { name, global, ...targets, policyIds, spaceIds }, now);
    return policySetFromRow(row, [...policyIds].sort(), [...spaceIds].sort());
  });
}

async function getPolicySetRow(store: Store, organizationId: string, setId: string): Promise<PolicySetsTable> {
  const row = await store.db
    .selectFrom("policy_sets")
    .selectAll()
    .where("id", "=", setId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `policy set ${setId} not found`);
  return row;
}

/** A policy set of the organization, or `not_found`. */
export async function getPolicySet(store: Store, organizationId: string, setId: string): Promise<PolicySet> {
  const row = await getPolicySetRow(store, organizationId, setId);
  const m = await membersOf(store, [row.id]);
  return policySetFromRow(row, m.policies.get(row.id) ?? [], m.spaces.get(row.id) ?? []);
}

/** Policy sets of the organization with these ids (unknown ids are skipped). */
export async function getPolicySets(store: Store, organizationId: string, ids: readonly string[]): Promise<PolicySet[]> {
  if (ids.length === 0) return [];
  const rows = await store.db
    .selectFrom("policy_sets")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where("id", "in", [...ids])
    .orderBy("name")
    .execute();
  const m = await membersOf(
    store,
    rows.map((r) => r.id),
  );
  return rows.map((r) => policySetFromRow(r, m.policies.get(r.id) ?? [], m.spaces.get(r.id) ?? []));
}

/** Lists the organization's policy sets by name. */
export async function listPolicySets(
  store: Store,
  organizationId: string,
  filter: PolicySetFilter = {},
): Promise<Page<PolicySet>> {
  const { limit, offset } = pageWindow(filter.page);
  let query = store.db.selectFrom("policy_sets").where("organization_id", "=", organizationId);
  if (filter.search !== undefined && filter.search !== "") {
    const pattern = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb(eb.fn("lower", ["name"]), "like", eb.val(pattern)));
  }
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy("name").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  const m = await membersOf(
    store,
    rows.map((r) => r.id),
  );
  return {
    items: rows.map((r) => policySetFromRow(r, m.policies.get(r.id) ?? [], m.spaces.get(r.id) ?? [])),
    total: Number(count.n),
  };
}

/** Every policy set of the organization (for compiling them). */
export async function listAllPolicySets(store: Store, organizationId: string): Promise<PolicySet[]> {
  const rows = await store.db
    .selectFrom("policy_sets")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .orderBy("name")
    .execute();
  const m = await membersOf(
    store,
    rows.map((r) => r.id),
  );
  return rows.map((r) => policySetFromRow(r, m.policies.get(r.id) ?? [], m.spaces.get(r.id) ?? []));
}

/** Changes a policy set's name, description, scope or targets. Making it global detaches its spaces. */
export async function updatePolicySet(
  store: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  setId: string,
  input: UpdatePolicySetInput,
): Promise<PolicySet> {
  const now = ctx.now ?? Date.now();
  return store.transaction(async (tx) => {
    const current = await getPolicySetRow(tx, ctx.organizationId, setId);
    const changes: Partial<PolicySetsTable> = { updated_at: now };
    if (input.name !== undefined) changes.name = checkSetName(input.name);
    if (input.description !== undefined) {
      changes.description =
        input.description === null ? null : checkDescription(input.description, pointer("description"));
    }
    if (input.global !== undefined) changes.global = checkGlobal(input.global) ? 1 : 0;
    if (input.entityTypes !== undefined || input.events !== undefined) {
      const targets = checkTargets(
        input.entityTypes ?? JSON.parse(current.entity_types),
        input.events ?? (input.entityTypes !== undefined ? undefined : JSON.parse(current.events)),
      );
      changes.entity_types = JSON.stringify(targets.entityTypes);
      changes.events = JSON.stringify(targets.events);
    }
    try {
      await tx.db.updateTable("policy_sets").set(changes).where("id", "=", setId).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateSetName(String(changes.name));
      throw error;
    }
    if (changes.global === 1) await tx.db.deleteFrom("policy_set_spaces").where("policy_set_id", "=", setId).execute();
    // A login policy that errors on recent login samples would lock those callers out: refuse it.
    await checkLoginPoliciesOnSamples(tx, ctx.organizationId, { setId: setId });
    await audit(tx, ctx, "update", setId, { changed: Object.keys(changes).filter((k) => k !== "updated_at") }, now);
    return getPolicySet(tx, ctx.organizationId, setId);
  });
}

/** Deletes a policy set (its policies remain). */
export async function deletePolicySet(store: Store, ctx: MutationContext<PolicyGovernanceChange>, setId: string): Promise<void> {
  const now = ctx.now ?? Date.now();
  await store.transaction(async (tx) => {
    const current = await getPolicySetRow(tx, ctx.organizationId, setId);
    await tx.db.deleteFrom("policy_set_policies").where("policy_set_id", "=", setId).execute();
    await tx.db.deleteFrom("policy_set_spaces").where("policy_set_id", "=", setId).execute();
    await tx.db.deleteFrom("policy_sets").where("id", "=", setId).execute();
    await audit(tx, ctx, "delete", setId, { name: current.name }, now);
  });
}

/** Adds policies to a set (already present ones are left as they are). */
export async function addPoliciesToSet(
  store: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  setId: string,
  policyIds: readonly string[],
): Promise<PolicySet> {
  const now = ctx.now ?? Date.now();
  return store.transaction(async (tx) => {
    const set = await getPolicySet(tx, ctx.organizationId, setId);
    const ids = [...new Set(policyIds)].filter((id) => !set.policyIds.includes(id));
    await assertAllExist(tx, ctx.organizationId, "policies", ids, "/data");
    if (ids.length > 0) {
      await tx.db
        .insertInto("policy_set_policies")
        .values(ids.map((policy_id) => ({ policy_set_id: setId, policy_id })))
        .execute();
    }
    await tx.db.updateTable("policy_sets").set({ updated_at: now }).where("id", "=", setId).execute();
    // A login policy that errors on recent login samples would lock those callers out: refuse it.
    await checkLoginPoliciesOnSamples(tx, ctx.organizationId, { setId: setId });
    await audit(tx, ctx, "add-policies", setId, { policyIds: ids }, now);
    return getPolicySet(tx, ctx.organizationId, setId);
  });
}

/** Removes policies from a set (absent ones are ignored). */
export async function removePoliciesFromSet(
  store: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  setId: string,
  policyIds: readonly string[],
): Promise<PolicySet> {
  const now = ctx.now ?? Date.now();
  return store.transaction(async (tx) => {
    await getPolicySetRow(tx, ctx.organizationId, setId);
    if (policyIds.length > 0) {
      await tx.db
        .deleteFrom("policy_set_policies")
        .where("policy_set_id", "=", setId)
        .where("policy_id", "in", [...policyIds])
        .execute();
    }
    await tx.db.updateTable("policy_sets").set({ updated_at: now }).where("id", "=", setId).execute();
    await audit(tx, ctx, "remove-policies", setId, { policyIds }, now);
    return getPolicySet(tx, ctx.organizationId, setId);
  });
}

/** Attaches a non-global set to spaces (it then applies to each space and everything below). */
export async function attachPolicySetToSpaces(
  store: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  setId: string,
  spaceIds: readonly string[],
): Promise<PolicySet> {
  const now = ctx.now ?? Date.now();
  return store.transaction(async (tx) => {
    const set = await getPolicySet(tx, ctx.organizationId, setId);
    if (set.global) {
      throw new DomainError("invalid", `policy set ${setId} is global; make it non-global before attaching spaces`, {
        field: "/data",
      });
    }
    const ids = [...new Set(spaceIds)].filter((id) => !set.spaceIds.includes(id));
    await assertAllExist(tx, ctx.organizationId, "spaces", ids, "/data");
    if (ids.length > 0) {
      await tx.db
        .insertInto("policy_set_spaces")
        .values(ids.map((space_id) => ({ policy_set_id: setId, space_id })))
        .execute();
    }
    await tx.db.updateTable("policy_sets").set({ updated_at: now }).where("id", "=", setId).execute();
    // A login policy that errors on recent login samples would lock those callers out: refuse it.
    await checkLoginPoliciesOnSamples(tx, ctx.organizationId, { setId: setId });
    await audit(tx, ctx, "attach-spaces", setId, { spaceIds: ids }, now);
    return getPolicySet(tx, ctx.organizationId, setId);
  });
}

/** Detaches a set from spaces (absent ones are ignored). */
export async function detachPolicySetFromSpaces(
  store: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  setId: string,
  spaceIds: readonly string[],
): Promise<PolicySet> {
  const now = ctx.now ?? Date.now();
  return store.transaction(async (tx) => {
    await getPolicySetRow(tx, ctx.organizationId, setId);
    if (spaceIds.length > 0) {
      await tx.db
        .deleteFrom("policy_set_spaces")
        .where("policy_set_id", "=", setId)
        .where("space_id", "in", [...spaceIds])
        .execute();
    }
    await tx.db.updateTable("policy_sets").set({ updated_at: now }).where("id", "=", setId).execute();
    await audit(tx, ctx, "detach-spaces", setId, { spaceIds }, now);
    return getPolicySet(tx, ctx.organizationId, setId);
  });
}
