// Storage layer: the row types of every table, as Kysely sees them. Timestamps are epoch
// milliseconds (BIGINT), ids are text, JSON-valued columns are text holding JSON.

/** Organizations: one tenant each, addressed by id or unique name. */
export interface OrganizationsTable {
  id: string;
  name: string;
  display_name: string;
  created_at: number;
}

/** Spaces: a tree per organization; the root has no parent. */
export interface SpacesTable {
  id: string;
  organization_id: string;
  parent_id: string | null;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

/** Principals: users (humans) and service accounts (non-human) in one table, told apart by `kind`. */
export interface PrincipalsTable {
  id: string;
  organization_id: string;
  kind: "user" | "service-account";
  name: string;
  display_name: string;
  email: string | null;
  description: string;
  /** The space a service account lives in; null for users. */
  space_id: string | null;
  /** 1 when disabled; a disabled principal's tokens stop working. */
  disabled: number;
  created_at: number;
  updated_at: number;
  created_by: string | null;
}

/** Teams: IdP groups. */
export interface TeamsTable {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  external_id: string | null;
  created_at: number;
  updated_at: number;
}

/** Team membership. */
export interface TeamMembersTable {
  team_id: string;
  principal_id: string;
  created_at: number;
}

/** Custom roles (built-in roles live in code). */
export interface RolesTable {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  /** JSON array of permission names. */
  permissions: string;
  /** JSON array of principal kinds allowed to hold the role, or null for any. */
  principal_kinds: string | null;
  created_at: number;
  updated_at: number;
}

/** Role bindings: (principal or team) x role x space. */
export interface RoleBindingsTable {
  id: string;
  organization_id: string;
  principal_id: string | null;
  team_id: string | null;
  /** A built-in role id (`role-admin`, ...) or a custom role's id; not a foreign key for that reason. */
  role_id: string;
  space_id: string;
  created_at: number;
  created_by: string | null;
}

/** API keys: belong to a principal. */
export interface ApiKeysTable {
  id: string;
  organization_id: string;
  principal_id: string;
  type: "USER" | "SERVICE";
  name: string;
  description: string;
  /** JSON object of string tags (migration 0011-api-key-tags). */
  tags: string;
  created_at: number;
  updated_at: number;
  created_by: string | null;
}

/** Tokens: belong to an API key; only the secret's hash is stored. */
export interface TokensTable {
  id: string;
  organization_id: string;
  api_key_id: string;
  public_id: string;
  secret_hash: string;
  name: string;
  description: string;
  /** JSON object of string tags. */
  tags: string;
  valid_from: number;
  valid_to: number | null;
  scheduled_expire_time: number | null;
  revoked_at: number | null;
  rotated_from_id: string | null;
  rotated_to_id: string | null;
  created_at: number;
  updated_at: number;
  created_by: string | null;
  last_used_at: number | null;
}

/** Audit events: one per change, written in the change's transaction. */
export interface AuditEventsTable {
  id: string;
  organization_id: string | null;
  occurred_at: number;
  actor_principal_id: string | null;
  actor_token_id: string | null;
  actor_ip: string | null;
  via: "api" | "cli" | "system";
  action: string;
  resource_type: string;
  resource_id: string;
  outcome: "success" | "denied" | "failure";
  policy_evaluation_id: string | null;
  /** JSON object with non-secret detail (changed fields, names). */
  details: string;
}

// --- Governance tables (migration 0003-governance), added by the policy helper. ---

/** Policies: Rego text (null until uploaded) with its query and enforcement level. */
export interface PoliciesTable {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  kind: "opa";
  /** The query given by the author; null means `data.<package>.deny`. */
  query: string | null;
  enforcement_level: "mandatory" | "advisory";
  source: string | null;
  /** The module's package path (`opapolicy`, `a.b`), set on upload. */
  package: string | null;
  /** The Rego syntax version the source compiled as (0 or 1), set on upload. */
  rego_version: number | null;
  created_at: number;
  /** Null until the policy is first changed or uploaded. */
  updated_at: number | null;
}

/** Policy sets: groups of policies, global or attached to spaces, for entity types and events. */
export interface PolicySetsTable {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  /** 1 when the set applies to every space. */
  global: number;
  /** JSON array of entity types (`token`, `api-key`, `service-account`, `delegate-token`, `login`). */
  entity_types: string;
  /** JSON array of events (`onSave`, `onLogin`). */
  events: string;
  created_at: number;
  updated_at: number;
}

/** Membership of policies in policy sets. */
export interface PolicySetPoliciesTable {
  policy_set_id: string;
  policy_id: string;
}

/** Spaces a non-global policy set is attached to (it applies to their subtrees). */
export interface PolicySetSpacesTable {
  policy_set_id: string;
  space_id: string;
}

/** Stored policy evaluations: input, outcome per policy, messages, duration. */
export interface PolicyEvaluationsTable {
  id: string;
  organization_id: string;
  entity_type: string;
  event: string;
  action: string;
  resource_id: string | null;
  actor_principal_id: string | null;
  outcome: "allowed" | "warned" | "denied";
  /** JSON: the input document (never a secret). */
  input: string;
  /** JSON array of per-policy results. */
  results: string;
  /** JSON array of deny messages. */
  messages: string;
  /** JSON array of warnings. */
  warnings: string;
  duration_us: number;
  created_at: number;
}

/** Recent real inputs per entity type and event, for simulating draft policies. */
export interface PolicySamplesTable {
  id: string;
  organization_id: string;
  entity_type: string;
  event: string;
  action: string;
  space_id: string | null;
  /** JSON: the input document (never a secret). */
  input: string;
  evaluation_id: string | null;
  created_at: number;
}

/** Every table of the Keygate database. Later migrations add their tables here. */
export interface Database {
  organizations: OrganizationsTable;
  spaces: SpacesTable;
  principals: PrincipalsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  roles: RolesTable;
  role_bindings: RoleBindingsTable;
  api_keys: ApiKeysTable;
  tokens: TokensTable;
  audit_events: AuditEventsTable;
  // Governance (migration 0003-governance).
  policies: PoliciesTable;
  policy_sets: PolicySetsTable;
  policy_set_policies: PolicySetPoliciesTable;
  policy_set_spaces: PolicySetSpacesTable;
  policy_evaluations: PolicyEvaluationsTable;
  policy_samples: PolicySamplesTable;
}
