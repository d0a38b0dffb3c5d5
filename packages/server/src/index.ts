// Public API of @keygate/server: the store, the domain modules, and (appended by the HTTP layer)
// the HTTP API and auth.

export * from "./domain/access/api-key-access.js";
export * from "./domain/access/effective-access.js";
export * from "./domain/api-keys/api-key.js";
export * from "./domain/audit/actor.js";
export * from "./domain/audit/audit-event.js";
export * from "./domain/domain-error.js";
export * from "./domain/access/escalation-rule.js";
export * from "./domain/audit/guarded-transaction.js";
export * from "./domain/governance/save-guard.js";
export * from "./domain/ids/random-id.js";
export * from "./domain/organizations/organization.js";
export * from "./domain/organizations/organization-bootstrap.js";
export * from "./domain/organizations/owner-recovery.js";
export * from "./domain/pagination/page.js";
export * from "./domain/principals/principal.js";
export * from "./domain/principals/service-account.js";
export * from "./domain/principals/user.js";
export * from "./domain/role-bindings/role-binding.js";
export * from "./domain/roles/built-in-roles.js";
export * from "./domain/roles/permission-catalogue.js";
export * from "./domain/roles/role.js";
export * from "./domain/spaces/space.js";
export * from "./domain/teams/team.js";
export * from "./domain/teams/team-membership.js";
export * from "./domain/tokens/token.js";
export * from "./domain/tokens/token-format.js";
export * from "./domain/tokens/token-status.js";
export * from "./domain/tokens/token-usage.js";
export * from "./domain/tokens/token-verification.js";
export * from "./store/announce-change.js";
export * from "./store/change-feed.js";
export type * from "./store/database-schema.js";
export * from "./store/store.js";
export * from "./store/sqlite-backup.js";
export * from "./store/test-store.js";
// HTTP API and auth (appended by the HTTP layer).
export * from "./auth/authenticator.js";
export * from "./auth/caller.js";
export * from "./config/server-config.js";
export * from "./http/app.js";
// Governance (policy helper): policies, policy sets, enforcement on save, evaluations, samples,
// simulation and login policies.
export * from "./domain/login-policies/login-policies.js";
export * from "./domain/login-policies/login-policy-limits.js";
export type { LoginCredential, LoginRequest } from "./domain/login-policies/login-input.js";
export * from "./domain/policies/policy.js";
export * from "./domain/policies/policy-compilation.js";
export * from "./domain/policies/policy-source.js";
export * from "./domain/policy-evaluations/enforcement.js";
export * from "./domain/policy-evaluations/policy-evaluation.js";
export * from "./domain/policy-evaluations/policy-evaluator.js";
export * from "./domain/policy-evaluations/policy-sample.js";
export * from "./domain/policy-evaluations/simulation.js";
export * from "./domain/policy-sets/policy-set.js";
// Policy workers (issue 11): the pool evaluating tenants' policies off the event loop.
export * from "./policy-workers/policy-worker-pool.js";
export * from "./policy-workers/policy-worker-settings.js";
// Delegates (issue 5): delegate tokens, connected delegates, the agent protocol and its timing.
export * from "./domain/delegate-tokens/delegate-token.js";
export * from "./domain/delegate-tokens/delegate-token-verification.js";
export * from "./domain/delegates/delegate.js";
export * from "./http/delegates/delegate-protocol.js";
export * from "./http/delegates/delegate-settings.js";
// The write path (issue 11): every change authorized (escalation rule), guarded, written, audited, announced.
export type { WriteAuthority } from "./write-path/change-authorization.js";
export * from "./write-path/pending-change.js";
export * from "./write-path/write-path.js";
