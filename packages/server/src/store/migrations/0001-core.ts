// Storage layer, migration 0001: organizations, spaces, principals, teams, roles, role bindings,
// API keys, tokens and audit events. Portable DDL only (SQLite and PostgreSQL).
import type { Kysely } from "kysely";

/** Creates the core tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("organizations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("spaces")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("parent_id", "text", (c) => c.references("spaces.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("spaces_parent_name")
    .on("spaces")
    .columns(["parent_id", "name"])
    .unique()
    .execute();
  await db.schema.createIndex("spaces_org").on("spaces").column("organization_id").execute();

  await db.schema
    .createTable("principals")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("email", "text")
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("space_id", "text", (c) => c.references("spaces.id"))
    .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .execute();
  await db.schema
    .createIndex("principals_org_kind_name")
    .on("principals")
    .columns(["organization_id", "kind", "name"])
    .unique()
    .execute();

  await db.schema
    .createTable("teams")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("external_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("teams_org_name")
    .on("teams")
    .columns(["organization_id", "name"])
    .unique()
    .execute();

  await db.schema
    .createTable("team_members")
    .addColumn("team_id", "text", (c) => c.notNull().references("teams.id").onDelete("cascade"))
    .addColumn("principal_id", "text", (c) => c.notNull().references("principals.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("team_members_pk", ["team_id", "principal_id"])
    .execute();
  await db.schema.createIndex("team_members_principal").on("team_members").column("principal_id").execute();

  await db.schema
    .createTable("roles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("permissions", "text", (c) => c.notNull())
    .addColumn("principal_kinds", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("roles_org_name")
    .on("roles")
    .columns(["organization_id", "name"])
    .unique()
    .execute();

  await db.schema
    .createTable("role_bindings")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("principal_id", "text", (c) => c.references("principals.id").onDelete("cascade"))
    .addColumn("team_id", "text", (c) => c.references("teams.id").onDelete("cascade"))
    .addColumn("role_id", "text", (c) => c.notNull())
    .addColumn("space_id", "text", (c) => c.notNull().references("spaces.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .execute();
  await db.schema.createIndex("role_bindings_principal").on("role_bindings").column("principal_id").execute();
  await db.schema.createIndex("role_bindings_team").on("role_bindings").column("team_id").execute();
  await db.schema.createIndex("role_bindings_space").on("role_bindings").column("space_id").execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("principal_id", "text", (c) => c.notNull().references("principals.id").onDelete("cascade"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .execute();
  await db.schema
    .createIndex("api_keys_principal_name")
    .on("api_keys")
    .columns(["principal_id", "name"])
    .unique()
    .execute();

  await db.schema
    .createTable("tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("api_key_id", "text", (c) => c.notNull().references("api_keys.id").onDelete("cascade"))
    .addColumn("public_id", "text", (c) => c.notNull().unique())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("tags", "text", (c) => c.notNull())
    .addColumn("valid_from", "bigint", (c) => c.notNull())
    .addColumn("valid_to", "bigint")
    .addColumn("scheduled_expire_time", "bigint")
    .addColumn("revoked_at", "bigint")
    .addColumn("rotated_from_id", "text")
    .addColumn("rotated_to_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("last_used_at", "bigint")
    .execute();
  await db.schema.createIndex("tokens_api_key").on("tokens").column("api_key_id").execute();

  await db.schema
    .createTable("audit_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.references("organizations.id").onDelete("cascade"))
    .addColumn("occurred_at", "bigint", (c) => c.notNull())
    .addColumn("actor_principal_id", "text")
    .addColumn("actor_token_id", "text")
    .addColumn("actor_ip", "text")
    .addColumn("via", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("resource_type", "text", (c) => c.notNull())
    .addColumn("resource_id", "text", (c) => c.notNull())
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("policy_evaluation_id", "text")
    .addColumn("details", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("audit_events_org_time")
    .on("audit_events")
    .columns(["organization_id", "occurred_at"])
    .execute();
  await db.schema
    .createIndex("audit_events_resource")
    .on("audit_events")
    .columns(["resource_type", "resource_id"])
    .execute();
}

/** Drops the core tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "audit_events",
    "tokens",
    "api_keys",
    "role_bindings",
    "roles",
    "team_members",
    "teams",
    "principals",
    "spaces",
    "organizations",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
