// Domain layer, access: "what may this key do" (scenario C.6): an API key's (or token's)
// effective roles and permissions per space, with the reasons. A key has no roles of its own:
// it is exactly its principal's access.
import type { Store } from "../../store/store.js";
import { type ApiKey, getApiKey } from "../api-keys/api-key.js";
import { getPrincipal, type Principal } from "../principals/principal.js";
import { loadSpaceTree } from "../spaces/space.js";
import { getToken } from "../tokens/token.js";
import type { LoginRequest } from "../login-policies/login-input.js";
import type { IgnoredRole } from "../login-policies/login-decision.js";
import { loginPoliciesOf } from "../login-policies/login-policies.js";
import {
  addGrants,
  type EffectiveAccess,
  type EffectiveSpaceAccess,
  resolveEffectiveAccess,
  summarizeEffectiveAccess,
} from "./effective-access.js";

/** An API key's access: its principal's, per space (inherited roles included), with reasons. */
export interface ApiKeyAccess {
  readonly apiKey: ApiKey;
  readonly principal: Principal;
  readonly access: EffectiveAccess;
  readonly spaces: readonly EffectiveSpaceAccess[];
  /** Roles login policies named that granted nothing, with why (asked with `login` only). */
  readonly ignoredLoginRoles: readonly IgnoredRole[];
}

/**
 * What an API key may do, per space and why. With `login` (the address and time to judge), roles
 * from login policies are included, each naming the policy rule that granted it.
 */
export async function describeApiKeyAccess(
  store: Store,
  organizationId: string,
  apiKeyId: string,
  login?: LoginRequest,
): Promise<ApiKeyAccess> {
  const apiKey = await getApiKey(store, organizationId, apiKeyId);
  const principal = await getPrincipal(store, organizationId, apiKey.principalId);
  let access = await resolveEffectiveAccess(store, organizationId, principal.id);
  let ignoredLoginRoles: readonly IgnoredRole[] = [];
  if (login !== undefined) {
    // Governance (policy helper): login-policy roles, with the rule behind each.
    const credential = { organizationId, principalId: principal.id, apiKeyId: apiKey.id };
    const explained = await loginPoliciesOf(store).explainedAccess(credential, login);
    access = addGrants(access, explained.grants);
    ignoredLoginRoles = explained.ignored;
  }
  const tree = await loadSpaceTree(store, organizationId);
  return { apiKey, principal, access, spaces: summarizeEffectiveAccess(access, tree), ignoredLoginRoles };
}

/** What the API key of a token may do, per space and why (with `login`: login-policy roles too). */
export async function describeTokenAccess(
  store: Store,
  organizationId: string,
  tokenId: string,
  login?: LoginRequest,
): Promise<ApiKeyAccess> {
  const token = await getToken(store, organizationId, tokenId);
  return describeApiKeyAccess(store, organizationId, token.apiKeyId, login);
}
