// Storage layer, migration 0003-governance: policies (Rego text in the database), policy sets
// (their policies and spaces), stored policy evaluations and the samples kept for simulation.
import type { Kysely } from "kysely";

/** Creates the governance tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("policies")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("query", "text")
    .addColumn("enforcement_level", "text", (c) => c.notNull())
    .addColumn("source", "text")
    .addColumn("package", "text")
    .addColumn("rego_version", "integer")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint")
    .execute();
  await db.schema
    .createIndex("policies_org_name")
    .on("policies")
    .columns(["organization_id", "name"])
    .unique()
    .execute();

  await db.schema
    .createTable("policy_sets")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("global", "integer", (c) => c.notNull())
    .addColumn("entity_types", "text", (c) => c.notNull())
    .addColumn("events", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("policy_sets_org_name")
    .on("policy_sets")
    .columns(["organization_id", "name"])
    .unique()
    .execute();

  await db.schema
    .createTable("policy_set_policies")
    .addColumn("policy_set_id", "text", (c) => c.notNull().references("policy_sets.id").onDelete("cascade"))
    .addColumn("policy_id", "text", (c) => c.notNull().references("policies.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("policy_set_policies_pk", ["policy_set_id", "policy_id"])
    .execute();
  await db.schema
    .createIndex("policy_set_policies_policy")
    .on("policy_set_policies")
    .column("policy_id")
    .execute();

  await db.schema
    .createTable("policy_set_spaces")
    .addColumn("policy_set_id", "text", (c) => c.notNull().references("policy_sets.id").onDelete("cascade"))
    .addColumn("space_id", "text", (c) => c.notNull().references("spaces.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("policy_set_spaces_pk", ["policy_set_id", "space_id"])
    .execute();

  await db.schema
    .createTable("policy_evaluations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("entity_type", "text", (c) => c.notNull())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("resource_id", "text")
    .addColumn("actor_principal_id", "text")
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("input", "text", (c) => c.notNull())
    .addColumn("results", "text", (c) => c.notNull())
    .addColumn("messages", "text", (c) => c.notNull())
    .addColumn("warnings", "text", (c) => c.notNull())
    .addColumn("duration_us", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("policy_evaluations_org_time")
    .on("policy_evaluations")
    .columns(["organization_id", "created_at"])
    .execute();

  await db.schema
    .createTable("policy_samples")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("entity_type", "text", (c) => c.notNull())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("space_id", "text")
    .addColumn("input", "text", (c) => c.notNull())
    .addColumn("evaluation_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("policy_samples_org_entity_time")
    .on("policy_samples")
    .columns(["organization_id", "entity_type", "created_at"])
    .execute();
}

/** Drops the governance tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "policy_samples",
    "policy_evaluations",
    "policy_set_spaces",
    "policy_set_policies",
    "policy_sets",
    "policies",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
