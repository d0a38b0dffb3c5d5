// Write path: everything a principal may do, as judged before someone manages its credentials: its
// direct and team bindings (also while disabled: enabling it again restores them), plus the roles
// login policies grant it on its login samples of the last 30 days (a credential of it, used from
// one of those addresses at one of those times, would get them).
import {
  type AccessGrant,
  addGrants,
  type EffectiveAccess,
  resolvePrincipalAccess,
} from "../domain/access/effective-access.js";
import { decideLogin } from "../domain/login-policies/login-decision.js";
import { loginInputFromJson } from "../domain/login-policies/login-input.js";
import { loginSets } from "../domain/login-policies/login-policies.js";
import { policyCacheOf } from "../domain/policy-evaluations/compiled-policy-sets.js";
import type { Principal, PrincipalKind } from "../domain/principals/principal.js";
import { BUILT_IN_ROLES, type Role } from "../domain/roles/built-in-roles.js";
import { roleFromRow } from "../domain/roles/role.js";
import type { Store } from "../store/store.js";

/** How far back login samples count towards a principal's access. */
export const LOGIN_SAMPLE_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

function samplePrincipalId(input: unknown): string | undefined {
  const session = (input as { session?: { principal?: { identifier?: unknown } } } | null)?.session;
  const id = session?.principal?.identifier;
  return typeof id === "string" ? id : undefined;
}

function sampleTimestampNs(input: unknown): bigint | undefined {
  const ts = (input as { request?: { timestamp_ns?: unknown } } | null)?.request?.timestamp_ns;
  return typeof ts === "bigint" ? ts : undefined;
}

async function roleIndex(tx: Store, organizationId: string): Promise<Map<string, Role>> {
  const rows = await tx.db
    .selectFrom("roles")
    .selectAll()
    .where("organization_id", "=", organizationId)
    .execute();
  const index = new Map<string, Role>();
  for (const role of [...BUILT_IN_ROLES, ...rows.map(roleFromRow)]) {
    index.set(role.id, role);
    if (!index.has(role.name)) index.set(role.name, role);
  }
  return index;
}

/**
 * The roles the organization's current login policies grant `principalId` on each of its login
 * samples taken since `now - LOGIN_SAMPLE_WINDOW_MS` (read through `tx`; `root` holds the compiled
 * policy cache).
 */
export async function loginSampleGrants(
  root: Store,
  tx: Store,
  organizationId: string,
  principalId: string,
  principalKind: PrincipalKind,
  now: number,
): Promise<AccessGrant[]> {
  const snapshot = await policyCacheOf(root).snapshot(tx, organizationId);
  const sets = loginSets(snapshot);
  if (sets.length === 0) return [];
  const rows = await tx.db
    .selectFrom("policy_samples")
    .select("input")
    .where("organization_id", "=", organizationId)
    .where("entity_type", "=", "login")
    .where("created_at", ">=", now - LOGIN_SAMPLE_WINDOW_MS)
    .execute();
  const samples = rows
    .map((row) => loginInputFromJson(JSON.parse(row.input) as unknown))
    .filter((input) => samplePrincipalId(input) === principalId);
  if (samples.length === 0) return [];
  const resolver = { tree: snapshot.tree, roles: await roleIndex(tx, organizationId), principalKind };
  const grants: AccessGrant[] = [];
  for (const input of samples)
    grants.push(...decideLogin(sets, input, resolver, sampleTimestampNs(input)).grants);
  return grants;
}

/**
 * A principal's access for the credential rule: bindings (even while disabled) and login-sample
 * roles. `holder` is the principal as already loaded (its bindings are read here, in one query).
 */
export async function credentialHolderAccess(
  root: Store,
  tx: Store,
  holder: Principal,
  now: number,
): Promise<EffectiveAccess> {
  const bindings = await resolvePrincipalAccess(tx, holder, { includeDisabled: true });
  const fromLogins = await loginSampleGrants(root, tx, holder.organizationId, holder.id, holder.kind, now);
  return fromLogins.length === 0 ? bindings : addGrants(bindings, fromLogins);
}
