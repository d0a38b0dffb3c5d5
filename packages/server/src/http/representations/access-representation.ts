// HTTP API, representations: "what may this key do" (`effective-access`): per space, the roles in
// force with the binding, team or policy rule that granted each, and the permissions.
import { type Static, Type } from "@sinclair/typebox";
import type { AccessReason, EffectiveSpaceAccess } from "../../domain/access/effective-access.js";
import type { IgnoredRole } from "../../domain/login-policies/login-decision.js";
import type { SpaceTree } from "../../domain/spaces/space.js";
import { Nullable, ToOneRelationship } from "../jsonapi/json-api-schemas.js";

const Reason = Type.Object({
  kind: Type.Union([
    Type.Literal("direct-binding"),
    Type.Literal("team-binding"),
    Type.Literal("login-policy"),
  ]),
  "binding-id": Nullable(Type.String()),
  "team-id": Nullable(Type.String()),
  "team-name": Nullable(Type.String()),
  "policy-id": Nullable(Type.String()),
  "policy-name": Nullable(Type.String()),
  rule: Nullable(Type.String()),
});

const SpaceAccess = Type.Object({
  "space-id": Type.String(),
  "space-name": Type.String(),
  permissions: Type.Array(Type.String()),
  roles: Type.Array(
    Type.Object({
      "role-id": Type.String(),
      "role-name": Type.String(),
      "granted-in-space-id": Type.String(),
      inherited: Type.Boolean(),
      reason: Reason,
      permissions: Type.Array(Type.String()),
    }),
  ),
});

const IgnoredLoginRole = Type.Object({
  "policy-name": Type.String(),
  space: Type.String({ description: "The space as the policy named it (id, path or name)" }),
  role: Type.String(),
  code: Type.Union([
    Type.Literal("unknown-space"),
    Type.Literal("unknown-role"),
    Type.Literal("kind-not-allowed"),
    Type.Literal("outside-set-scope"),
  ]),
  why: Type.String(),
});

/** The effective access resource of a key (its id is the key's). */
export const EffectiveAccessResource = Type.Object({
  id: Type.String(),
  type: Type.Literal("effective-access"),
  attributes: Type.Object({
    "principal-kind": Type.String(),
    spaces: Type.Array(SpaceAccess),
    "ignored-login-roles": Type.Array(IgnoredLoginRole, {
      description:
        "Roles a login policy named for this caller that granted nothing (a space name that matched no space, or more than one; an unknown role; ...), with why",
    }),
  }),
  relationships: Type.Object({ "api-key": ToOneRelationship, principal: ToOneRelationship }),
  links: Type.Object({ self: Type.String() }),
});

// Every field is written out: on Node 20, a spread followed by a key it lacks costs about a
// microsecond per object (V8 leaves its fast clone), and reasons are rendered per role per space.
function renderReason(reason: AccessReason): Static<typeof Reason> {
  switch (reason.kind) {
    case "direct-binding":
      return {
        kind: reason.kind,
        "binding-id": reason.bindingId,
        "team-id": null,
        "team-name": null,
        "policy-id": null,
        "policy-name": null,
        rule: null,
      };
    case "team-binding":
      return {
        kind: reason.kind,
        "binding-id": reason.bindingId,
        "team-id": reason.teamId,
        "team-name": reason.teamName,
        "policy-id": null,
        "policy-name": null,
        rule: null,
      };
    case "login-policy":
      return {
        kind: reason.kind,
        "binding-id": null,
        "team-id": null,
        "team-name": null,
        "policy-id": reason.policyId,
        "policy-name": reason.policyName,
        rule: reason.rule ?? null,
      };
  }
}

/** Renders a key's effective access per space. */
export function renderEffectiveAccess(
  apiKeyId: string,
  principal: { readonly id: string; readonly kind: string },
  spaces: readonly EffectiveSpaceAccess[],
  tree: SpaceTree,
  self: string,
  ignored: readonly IgnoredRole[] = [],
): Static<typeof EffectiveAccessResource> {
  return {
    id: apiKeyId,
    type: "effective-access",
    attributes: {
      "principal-kind": principal.kind,
      spaces: spaces.map((space) => ({
        "space-id": space.spaceId,
        "space-name": tree.spaces.get(space.spaceId)?.name ?? space.spaceId,
        permissions: [...space.permissions],
        roles: space.roles.map((role) => ({
          "role-id": role.roleId,
          "role-name": role.roleName,
          "granted-in-space-id": role.grantedInSpaceId,
          inherited: role.grantedInSpaceId !== space.spaceId,
          reason: renderReason(role.reason),
          permissions: [...role.permissions],
        })),
      })),
      "ignored-login-roles": ignored.map((i) => ({
        "policy-name": i.policyName,
        space: i.space,
        role: i.role,
        code: i.code,
        why: i.why,
      })),
    },
    relationships: {
      "api-key": { data: { id: apiKeyId, type: "api-keys" } },
      principal: {
        data: { id: principal.id, type: principal.kind === "user" ? "users" : "service-accounts" },
      },
    },
    links: { self },
  };
}
