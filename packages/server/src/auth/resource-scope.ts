// Auth: where a resource sits for permission checks: an organization named in the path must be
// the caller's (else 404, never 403), a service account's keys and tokens sit in its space, a
// user's in the root space, and a caller's own personal (USER) key is always theirs to manage.
import type { ApiKey } from "../domain/api-keys/api-key.js";
import { DomainError } from "../domain/domain-error.js";
import { getOrganization, type Organization } from "../domain/organizations/organization.js";
import { getPrincipal } from "../domain/principals/principal.js";
import type { Store } from "../store/store.js";
import type { Caller } from "./caller.js";

/** The organization named (by name or id) in a path, which must be the caller's; `not_found` otherwise. */
export async function callerOrganization(
  store: Store,
  caller: Caller,
  nameOrId: string,
): Promise<Organization> {
  const org = await getOrganization(store, nameOrId).catch(() => undefined);
  if (!org || org.id !== caller.organizationId)
    throw new DomainError("not_found", `organization ${nameOrId} not found`);
  return org;
}

/** True when the key is the caller's own personal (USER) key. */
export function isOwnPersonalKey(caller: Caller, apiKey: ApiKey): boolean {
  return apiKey.type === "USER" && apiKey.principalId === caller.principal.id;
}

/** The space an API key (and its tokens) sits in: its service account's space, or undefined (root) for a user's key. */
export async function apiKeySpace(store: Store, apiKey: ApiKey): Promise<string | undefined> {
  const principal = await getPrincipal(store, apiKey.organizationId, apiKey.principalId);
  return principal.kind === "service-account" ? principal.spaceId : undefined;
}
