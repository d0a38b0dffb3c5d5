// Domain layer, policies: create, read, list, update and delete an organization's OPA policies
// (the Rego text itself is uploaded separately, see policy-source.ts). Every change is audited in
// its transaction and tells every instance to rebuild its compiled policy sets.
import { announceChange } from "../../store/announce-change.js";
import type { PoliciesTable } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";
import type { MutationContext } from "../audit/actor.js";
import { recordAuditEvent } from "../audit/audit-event.js";
import { DomainError } from "../domain-error.js";
import { newId } from "../ids/random-id.js";
import { type Page, type PageRequest, pageWindow } from "../pagination/page.js";
import { checkDescription, isUniqueViolation } from "../validation/field-rules.js";
import { checkLoginPoliciesOnSamples } from "../login-policies/login-policy-sample-check.js";
import { checkPolicyText, policyProblemsError } from "./policy-compilation.js";

/** How a policy's deny is enforced: `mandatory` refuses the change, `advisory` only warns. */
export type EnforcementLevel = "mandatory" | "advisory";

/** The policy languages; Keygate runs only OPA (Rego) policies. */
export type PolicyKind = "opa";

/** An OPA policy (its Rego text is downloaded separately). */
export interface Policy {
  readonly id: string;
  readonly organizationId: string;
  /** Letters, digits, `-` and `_`; cannot change after creation. */
  readonly name: string;
  readonly description: string | null;
  readonly kind: PolicyKind;
  /** The query as given by the author; null means `data.<package>.deny`. */
  readonly query: string | null;
  readonly enforcementLevel: EnforcementLevel;
  /** True once Rego text has been uploaded. */
  readonly uploaded: boolean;
  /** The uploaded module's package path. */
  readonly packagePath: string | null;
  /** The Rego syntax version the text compiled as. */
  readonly regoVersion: 0 | 1 | null;
  /** The policy sets the policy is in. */
  readonly policySetIds: readonly string[];
  readonly createdAt: number;
  /** Null until the policy is first updated or uploaded. */
  readonly updatedAt: number | null;
}

/** The deprecated per-file enforcement entry of HCP Terraform's API (`<name>.rego` -> mode). */
export interface EnforceEntry {
  readonly path: string;
  readonly mode: string;
}

/** Input of createPolicy, as received (validated here). */
export interface CreatePolicyInput {
  readonly name: unknown;
  readonly description?: unknown;
  readonly kind?: unknown;
  readonly query?: unknown;
  readonly enforcementLevel?: unknown;
  /** Deprecated: `[{ path: "<name>.rego", mode }]`; enforcementLevel wins when both are given. */
  readonly enforce?: unknown;
  readonly policySetIds?: readonly string[];
}

/** Input of updatePolicy; absent fields are left unchanged. */
export interface UpdatePolicyInput {
  readonly description?: unknown;
  readonly query?: unknown;
  readonly enforcementLevel?: unknown;
  readonly enforce?: unknown;
}

/** Filters of listPolicies. */
export interface PolicyFilter {
  /** Substring of the name, case-insensitive. */
  readonly search?: string;
  /** Only policies of this kind (`opa`; `sentinel` matches nothing). */
  readonly kind?: string;
  readonly page?: PageRequest;
}

const ATTRIBUTES = "/data/attributes";
const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["mandatory", "advisory"];
const SENTINEL_LEVELS = ["hard-mandatory", "soft-mandatory"];

/** The field pointer of a policy attribute in a JSON:API request. */
export function attributePointer(name: string): string {
  return `${ATTRIBUTES}/${name}`;
}

function checkPolicyName(value: unknown): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(value)) {
    throw new DomainError(
      "invalid",
      `name must be 1-128 letters, numbers, "-" or "_"; got ${JSON.stringify(value ?? null)}`,
      { field: attributePointer("name") },
    );
  }
  return value;
}

function checkKind(value: unknown): PolicyKind {
  if (value === undefined || value === null || value === "opa") return "opa";
  if (value === "sentinel") {
    throw new DomainError(
      "invalid",
      'only OPA policies are supported: Sentinel policies cannot be created; set kind to "opa" and upload Rego',
      { field: attributePointer("kind") },
    );
  }
  throw new DomainError("invalid", `kind must be "opa", got ${JSON.stringify(value)}`, {
    field: attributePointer("kind"),
  });
}

function checkLevel(value: unknown, field: string): EnforcementLevel {
  if (ENFORCEMENT_LEVELS.includes(value as EnforcementLevel)) return value as EnforcementLevel;
  const hint = SENTINEL_LEVELS.includes(value as string) ? ` (${String(value)} is a Sentinel level)` : "";
  throw new DomainError(
    "invalid",
    `enforcement level must be "mandatory" or "advisory" for OPA policies, got ${JSON.stringify(value)}${hint}`,
    { field },
  );
}

function checkQuery(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.trim() === "" || value.length > 1024) {
    throw new DomainError("invalid", "query must be a non-empty Rego query such as data.opapolicy.deny", {
      field: attributePointer("query"),
    });
  }
  return value.trim();
}

/** Reads the enforcement level from `enforcement-level` or the deprecated `enforce` array. */
function levelFrom(
  name: string,
  enforcementLevel: unknown,
  enforce: unknown,
  fallback: EnforcementLevel,
): EnforcementLevel {
  if (enforcementLevel !== undefined && enforcementLevel !== null) {
    return checkLevel(enforcementLevel, attributePointer("enforcement-level"));
  }
  if (enforce === undefined || enforce === null) return fallback;
  if (!Array.isArray(enforce) || enforce.length !== 1) {
    throw new DomainError(
      "invalid",
      "enforce must be an array of exactly one { path, mode } object (a policy has a single file)",
      { field: attributePointer("enforce") },
    );
  }
  const entry = enforce[0] as Partial<EnforceEntry> | null;
  if (typeof entry !== "object" || entry === null || typeof entry.path !== "string") {
    throw new DomainError("invalid", "enforce[0] must be an object with a path and a mode", {
      field: `${attributePointer("enforce")}/0`,
    });
  }
  if (entry.path !== `${name}.rego`) {
    throw new DomainError(
      "invalid",
      `enforce[0].path must be "${name}.rego" (the policy's name with .rego), got ${JSON.stringify(entry.path)}`,
      { field: `${attributePointer("enforce")}/0/path` },
    );
  }
  return checkLevel(entry.mode, `${attributePointer("enforce")}/0/mode`);
}

/** Maps a row and its policy-set ids to a Policy. */
export function policyFromRow(row: PoliciesTable, policySetIds: readonly string[]): Policy {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    query: row.query,
    enforcementLevel: row.enforcement_level,
    uploaded: row.source !== null,
    packagePath: row.package,
    regoVersion: row.rego_version === 0 || row.rego_version === 1 ? row.rego_version : null,
    policySetIds,
    createdAt: Number(row.created_at),
    updatedAt: row.updated_at === null ? null : Number(row.updated_at),
  };
}

async function policySetIdsOf(store: Store, policyIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(policyIds.map((id) => [id, []]));
  if (policyIds.length === 0) return out;
  const rows = await store.db
    .selectFrom("policy_set_policies")
    .select(["policy_id", "policy_set_id"])
    .where("policy_id", "in", [...policyIds])
    .orderBy("policy_set_id")
    .execute();
  for (const row of rows) out.get(row.policy_id)?.push(row.policy_set_id);
  return out;
}

async function assertPolicySetsExist(store: Store, organizationId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await store.db
    .selectFrom("policy_sets")
    .select("id")
    .where("organization_id", "=", organizationId)
    .where("id", "in", [...ids])
    .execute();
  const known = new Set(found.map((r) => r.id));
  const missing = ids.find((id) => !known.has(id));
  if (missing !== undefined) {
    throw new DomainError("invalid", `policy set ${missing} does not exist in this organization`, {
      field: "/data/relationships/policy-sets/data",
    });
  }
}

/**
 * A change to policies or policy sets, as the write path reviews it once written (inside the
 * transaction): which policies and sets it touched, so that changes to login policies, which can
 * grant any role, are judged by the escalation rule.
 */
export interface PolicyGovernanceChange {
  readonly entity: "policy-governance";
  /** `<resource>.<verb>` of the audit event, e.g. `policy.upload`, `policy-set.add-policies`. */
  readonly action: string;
  readonly policyIds: readonly string[];
  readonly setIds: readonly string[];
}

/** Tells every instance that the organization's policies changed (sent on commit). */
export async function publishPolicyChange(
  tx: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  change: Omit<PolicyGovernanceChange, "entity">,
): Promise<void> {
  // Shown to the write path after the write, in the same transaction: what a login policy grants
  // is only known once the policies and sets are as they will be (a refusal rolls it all back).
  await ctx.guard?.(tx, ctx.organizationId, { entity: "policy-governance", ...change });
  await announceChange(tx, { kind: "policy.changed", organizationId: ctx.organizationId });
}

/** Creates a policy (without Rego text: upload it next) and adds it to the given policy sets. */
export async function createPolicy(
  store: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  input: CreatePolicyInput,
): Promise<Policy> {
  const name = checkPolicyName(input.name);
  const kind = checkKind(input.kind);
  const description =
    input.description === undefined || input.description === null
      ? null
      : checkDescription(input.description, attributePointer("description"));
  const query = checkQuery(input.query);
  const enforcementLevel = levelFrom(name, input.enforcementLevel, input.enforce, "advisory");
  const policySetIds = [...new Set(input.policySetIds ?? [])];
  const now = ctx.now ?? Date.now();
  const row: PoliciesTable = {
    id: newId("pol"),
    organization_id: ctx.organizationId,
    name,
    description,
    kind,
    query,
    enforcement_level: enforcementLevel,
    source: null,
    package: null,
    rego_version: null,
    created_at: now,
    updated_at: null,
  };
  return store.transaction(async (tx) => {
    await assertPolicySetsExist(tx, ctx.organizationId, policySetIds);
    try {
      await tx.db.insertInto("policies").values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError("invalid", `name has already been taken: a policy named "${name}" exists`, {
          field: attributePointer("name"),
        });
      }
      throw error;
    }
    if (policySetIds.length > 0) {
      await tx.db
        .insertInto("policy_set_policies")
        .values(policySetIds.map((policy_set_id) => ({ policy_set_id, policy_id: row.id })))
        .execute();
    }
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "policy.create",
      resourceType: "policy",
      resourceId: row.id,
      details: { name, enforcementLevel, query, policySetIds },
      occurredAt: now,
    });
    await publishPolicyChange(tx, ctx, { action: "policy.create", policyIds: [row.id], setIds: policySetIds });
    return policyFromRow(row, [...policySetIds].sort());
  });
}

/** A policy row of the organization, or `not_found` (also for another organization's policy). */
export async function getPolicyRow(store: Store, organizationId: string, policyId: string): Promise<PoliciesTable> {
  const row = await store.db
    .selectFrom("policies")
    .selectAll()
    .where("id", "=", policyId)
    .where("organization_id", "=", organizationId)
    .executeTakeFirst();
  if (!row) throw new DomainError("not_found", `policy ${policyId} not found`);
  return row;
}

/** A policy of the organization, or `not_found`. */
export async function getPolicy(store: Store, organizationId: string, policyId: string): Promise<Policy> {
  const row = await getPolicyRow(store, organizationId, policyId);
  const sets = await policySetIdsOf(store, [row.id]);
  return policyFromRow(row, sets.get(row.id) ?? []);
}

/** Policies of the organization with these ids, by name (unknown ids are skipped). */
export async function getPolicies(store: Store, organizationId: string, ids: readonly string[]): Promise<Policy[]> {
  if (ids.length === 0) return [];
  const rows = await store.db
    .selectFrom("policies")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .where("id", "in", [...ids])
    .orderBy("name")
    .execute();
  const sets = await policySetIdsOf(
    store,
    rows.map((r) => r.id),
  );
  return rows.map((r) => policyFromRow(r, sets.get(r.id) ?? []));
}

/** Lists an organization's policies by name, with `search` on the name and `kind` filter. */
export async function listPolicies(
  store: Store,
  organizationId: string,
  filter: PolicyFilter = {},
): Promise<Page<Policy>> {
  const { limit, offset } = pageWindow(filter.page);
  let query = store.db.selectFrom("policies").where("organization_id", "=", organizationId);
  if (filter.kind !== undefined) query = query.where("kind", "=", filter.kind as PolicyKind);
  if (filter.search !== undefined && filter.search !== "") {
    const pattern = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb(eb.fn("lower", ["name"]), "like", eb.val(pattern)));
  }
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy("name").limit(limit).offset(offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  const sets = await policySetIdsOf(
    store,
    rows.map((r) => r.id),
  );
  return { items: rows.map((r) => policyFromRow(r, sets.get(r.id) ?? [])), total: Number(count.n) };
}

/** Changes a policy's description, query or enforcement level (the name cannot change). */
export async function updatePolicy(
  store: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  policyId: string,
  input: UpdatePolicyInput,
): Promise<Policy> {
  const now = ctx.now ?? Date.now();
  return store.transaction(async (tx) => {
    const current = await getPolicyRow(tx, ctx.organizationId, policyId);
    const changes: Partial<PoliciesTable> = { updated_at: now };
    if (input.description !== undefined) {
      changes.description =
        input.description === null ? null : checkDescription(input.description, attributePointer("description"));
    }
    if (input.query !== undefined) {
      changes.query = checkQuery(input.query);
      if (current.source !== null) {
        // A new query must be valid against the text already uploaded.
        const compiled = checkPolicyText(current.name, current.source, changes.query);
        if (!compiled.ok) throw policyProblemsError(compiled.problems, attributePointer("query"));
      }
    }
    if (input.enforcementLevel !== undefined || input.enforce !== undefined) {
      changes.enforcement_level = levelFrom(
        current.name,
        input.enforcementLevel,
        input.enforce,
        current.enforcement_level,
      );
    }
    await tx.db.updateTable("policies").set(changes).where("id", "=", policyId).execute();
    await checkLoginPoliciesOnSamples(tx, ctx.organizationId, { policyId });
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "policy.update",
      resourceType: "policy",
      resourceId: policyId,
      details: { changed: Object.keys(changes).filter((k) => k !== "updated_at") },
      occurredAt: now,
    });
    await publishPolicyChange(tx, ctx, { action: "policy.update", policyIds: [policyId], setIds: [] });
    const updated = { ...current, ...changes };
    const sets = await policySetIdsOf(tx, [policyId]);
    return policyFromRow(updated, sets.get(policyId) ?? []);
  });
}

/** Deletes a policy (and its membership in policy sets). */
export async function deletePolicy(
  store: Store,
  ctx: MutationContext<PolicyGovernanceChange>,
  policyId: string,
): Promise<void> {
  const now = ctx.now ?? Date.now();
  await store.transaction(async (tx) => {
    const current = await getPolicyRow(tx, ctx.organizationId, policyId);
    await tx.db.deleteFrom("policy_set_policies").where("policy_id", "=", policyId).execute();
    await tx.db.deleteFrom("policies").where("id", "=", policyId).execute();
    await recordAuditEvent(tx, {
      organizationId: ctx.organizationId,
      actor: ctx.actor,
      action: "policy.delete",
      resourceType: "policy",
      resourceId: policyId,
      details: { name: current.name },
      occurredAt: now,
    });
    await publishPolicyChange(tx, ctx, { action: "policy.delete", policyIds: [], setIds: [] });
  });
}
