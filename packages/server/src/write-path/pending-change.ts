// Write path: every change the domain shows the write path before writing it, with what its audit
// event names and, for the changes policies on save judge, the save guard's view of it.
import type { ApiKeyChange } from "../domain/api-keys/api-key.js";
import type { DelegateTokenSaveChange } from "../domain/delegate-tokens/delegate-token.js";
import type { GuardedChange } from "../domain/governance/save-guard.js";
import type { InvitationChange } from "../domain/invitations/invitation.js";
import type { PolicyGovernanceChange } from "../domain/policies/policy.js";
import type { ServiceAccountSaveChange } from "../domain/principals/service-account.js";
import type { RoleBindingChange } from "../domain/role-bindings/role-binding.js";
import type { RoleChange } from "../domain/roles/role.js";
import type { SessionChange } from "../domain/sessions/session.js";
import type { TeamMemberChange } from "../domain/teams/team-membership.js";
import type { TokenChange } from "../domain/tokens/token.js";

/** A change reviewed by the write path (authorized, then judged by policies on save where they apply). */
export type PendingChange =
  | TokenChange
  | ApiKeyChange
  | ServiceAccountSaveChange
  | DelegateTokenSaveChange
  | RoleBindingChange
  | TeamMemberChange
  | RoleChange
  | PolicyGovernanceChange
  | InvitationChange
  | SessionChange;

/** The audited action a change is (also when it is refused and nothing is written). */
export interface AuditTarget {
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string;
}

/** What the audit event of a change names: `<resource>.<verb>`, the resource type and id. */
export function auditTargetOf(change: PendingChange): AuditTarget {
  switch (change.entity) {
    case "token":
      // A rotation is recorded on the token it replaces, like the successful rotation's event.
      return {
        action: `token.${change.action}`,
        resourceType: "token",
        resourceId: change.action === "rotate" ? change.previous.id : change.token.id,
      };
    case "api-key":
      return { action: `api-key.${change.action}`, resourceType: "api-key", resourceId: change.apiKey.id };
    case "service-account":
      return {
        action: `service-account.${change.action}`,
        resourceType: "service-account",
        resourceId: change.serviceAccount.id,
      };
    case "delegate-token":
      return {
        action: `delegate-token.${change.action}`,
        resourceType: "delegate-token",
        resourceId: change.delegateToken.previous?.id ?? change.delegateToken.id,
      };
    case "role-binding":
      return { action: "role-binding.create", resourceType: "role-binding", resourceId: change.binding.id };
    case "team-member":
      return { action: "team-member.add", resourceType: "team", resourceId: change.teamId };
    case "role":
      return { action: `role.${change.action}`, resourceType: "role", resourceId: change.role.id };
    case "invitation": {
      const verbs = { create: "created", revoke: "revoked", accept: "accepted" } as const;
      return {
        action: `invitation.${verbs[change.action]}`,
        resourceType: "invitation",
        resourceId: change.invitation.id,
      };
    }
    case "session":
      return {
        action: change.action === "create" ? "session.created" : "session.ended",
        resourceType: "session",
        resourceId: change.session.id,
      };
    case "policy-governance": {
      const [resourceType = "policy"] = change.action.split(".");
      return {
        action: change.action,
        resourceType,
        resourceId: change.setIds[0] ?? change.policyIds[0] ?? "",
      };
    }
  }
}

/** The save guard's view of a change policies on save judge; undefined for the others. */
export function guardedChangeOf(change: PendingChange): GuardedChange | undefined {
  switch (change.entity) {
    case "token":
      switch (change.action) {
        case "create":
        case "update":
        case "rotate":
          return change;
        case "revoke":
        case "delete":
          return undefined;
      }
      break;
    case "api-key":
      switch (change.action) {
        case "create":
        case "update":
          return change;
        case "delete":
          return undefined;
      }
      break;
    case "service-account":
    case "delegate-token":
      return change;
    case "role-binding":
    case "team-member":
    case "role":
    case "policy-governance":
    case "invitation":
    case "session":
      return undefined;
  }
}
