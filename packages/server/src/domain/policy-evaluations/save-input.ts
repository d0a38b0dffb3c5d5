// Domain layer, policy evaluation: the input document of a save policy, with seed 000's field
// names (`input.token.apiKeyType`, `validTo`, `scheduledExpireTime`, ...). Never holds a secret:
// it is built from domain objects, which carry neither token text nor hash.
import type { Store } from "../../store/store.js";
import type { ApiKey } from "../api-keys/api-key.js";
import type { Actor } from "../audit/actor.js";
import type { GuardedChange } from "../governance/save-guard.js";
import { getPrincipal, type Principal } from "../principals/principal.js";
import type { PolicyEntityType } from "../policy-sets/policy-set.js";
import type { SpaceTree } from "../spaces/space.js";
import type { Token } from "../tokens/token.js";

/** Any change policies on save judge (the save guard's changes, delegate tokens included). */
export type PolicyChange = GuardedChange;

/** A save policy's input and where it applies. */
export interface SaveInput {
  readonly entityType: Exclude<PolicyEntityType, "login">;
  readonly action: string;
  readonly resourceId: string;
  /** The space whose policy sets (and its ancestors') apply. */
  readonly spaceId: string | null;
  readonly input: Readonly<Record<string, unknown>>;
}

function tokenDocument(token: Token, apiKey: ApiKey, previous?: Token): Record<string, unknown> {
  return {
    identifier: token.id,
    name: token.name,
    description: token.description,
    tags: token.tags,
    apiKeyIdentifier: apiKey.id,
    apiKeyType: apiKey.type,
    parentIdentifier: apiKey.principalId,
    accountIdentifier: token.organizationId,
    validFrom: token.validFrom,
    validTo: token.validTo,
    // On rotation: the end of the rotated token's grace period, set by this rotation.
    scheduledExpireTime: previous ? previous.scheduledExpireTime : token.scheduledExpireTime,
    status: token.status,
    createdBy: token.createdBy,
    rotatedFromIdentifier: token.rotatedFromId,
  };
}

function apiKeyDocument(apiKey: ApiKey): Record<string, unknown> {
  return {
    identifier: apiKey.id,
    name: apiKey.name,
    description: apiKey.description,
    tags: apiKey.tags,
    apiKeyType: apiKey.type,
    parentIdentifier: apiKey.principalId,
    accountIdentifier: apiKey.organizationId,
    createdBy: apiKey.createdBy,
  };
}

function principalDocument(principal: Principal): Record<string, unknown> {
  const common = {
    identifier: principal.id,
    kind: principal.kind,
    name: principal.name,
    displayName: principal.displayName,
    disabled: principal.disabled,
  };
  switch (principal.kind) {
    case "user":
      return { ...common, email: principal.email };
    case "service-account":
      return { ...common, description: principal.description, spaceIdentifier: principal.spaceId };
  }
}

function actorDocument(actor: Actor): Record<string, unknown> {
  return {
    principalIdentifier: actor.principalId,
    tokenIdentifier: actor.tokenId ?? null,
    ip: actor.ip ?? null,
    via: actor.via,
  };
}

function spaceOf(principal: Principal, tree: SpaceTree): string | null {
  if (principal.kind === "service-account") return principal.spaceId;
  return rootSpaceId(tree);
}

/** The organization's root space id (the space without a parent). */
export function rootSpaceId(tree: SpaceTree): string | null {
  for (const space of tree.spaces.values()) if (space.parentId === null) return space.id;
  return null;
}

function spaceDocument(spaceId: string | null, tree: SpaceTree): Record<string, unknown> | null {
  if (spaceId === null) return null;
  const space = tree.spaces.get(spaceId);
  return { identifier: spaceId, name: space?.name ?? null, ancestorIdentifiers: tree.ancestorIds(spaceId) };
}

/** Builds the input of a save: the entity, its key and principal, the action, the actor, the space. */
export async function buildSaveInput(
  store: Store,
  organizationId: string,
  change: PolicyChange,
  actor: Actor,
  tree: SpaceTree,
): Promise<SaveInput> {
  const base = { action: change.action, actor: actorDocument(actor), entityType: change.entity, event: "onSave" };
  switch (change.entity) {
    case "token": {
      // The key's principal, as the write loaded it.
      const principal = change.holder;
      const spaceId = spaceOf(principal, tree);
      const previous = change.action === "rotate" ? change.previous : undefined;
      return {
        entityType: "token",
        action: change.action,
        resourceId: change.token.id,
        spaceId,
        input: {
          ...base,
          token: tokenDocument(change.token, change.apiKey, previous),
          ...(previous ? { previousToken: tokenDocument(previous, change.apiKey) } : {}),
          apiKey: apiKeyDocument(change.apiKey),
          principal: principalDocument(principal),
          space: spaceDocument(spaceId, tree),
        },
      };
    }
    case "api-key": {
      const principal = await getPrincipal(store, organizationId, change.apiKey.principalId);
      const spaceId = spaceOf(principal, tree);
      return {
        entityType: "api-key",
        action: change.action,
        resourceId: change.apiKey.id,
        spaceId,
        input: {
          ...base,
          apiKey: apiKeyDocument(change.apiKey),
          principal: principalDocument(principal),
          space: spaceDocument(spaceId, tree),
        },
      };
    }
    case "service-account": {
      const sa = change.serviceAccount;
      return {
        entityType: "service-account",
        action: change.action,
        resourceId: sa.id,
        spaceId: sa.spaceId,
        input: {
          ...base,
          serviceAccount: principalDocument(sa),
          principal: principalDocument(sa),
          space: spaceDocument(sa.spaceId, tree),
        },
      };
    }
    case "delegate-token": {
      const { id, name, spaceId, ...rest } = change.delegateToken;
      return {
        entityType: "delegate-token",
        action: change.action,
        resourceId: id,
        spaceId,
        input: {
          ...base,
          delegateToken: { identifier: id, name, spaceIdentifier: spaceId, ...rest },
          space: spaceDocument(spaceId, tree),
        },
      };
    }
  }
}
