// Storage layer, migration 0005-delegates: delegate tokens (per space, only the secret's hash
// stored) and the live connections of delegates (agents), shared by every instance.
import { type Kysely, sql } from "kysely";

/** Creates the delegate tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("delegate_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("space_id", "text", (c) => c.notNull().references("spaces.id").onDelete("cascade"))
    .addColumn("public_id", "text", (c) => c.notNull().unique())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("is_default", "integer", (c) => c.notNull())
    .addColumn("revoked_at", "bigint")
    .addColumn("rotated_from_id", "text")
    .addColumn("rotated_to_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("last_used_at", "bigint")
    .execute();
  await db.schema
    .createIndex("delegate_tokens_org_space")
    .on("delegate_tokens")
    .columns(["organization_id", "space_id"])
    .execute();
  // A name is taken once per space among tokens in use that have no replacement yet; a rotated
  // token hands its name on to its replacement, a revoked one frees it.
  await db.schema
    .createIndex("delegate_tokens_live_name")
    .on("delegate_tokens")
    .columns(["space_id", "name"])
    .unique()
    .where(sql.ref("revoked_at"), "is", null)
    .where(sql.ref("rotated_to_id"), "is", null)
    .execute();

  await db.schema
    .createTable("delegate_connections")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("delegate_token_id", "text", (c) =>
      c.notNull().references("delegate_tokens.id").onDelete("cascade"),
    )
    .addColumn("space_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("host", "text", (c) => c.notNull())
    .addColumn("version", "text", (c) => c.notNull())
    .addColumn("remote_address", "text")
    .addColumn("instance_id", "text", (c) => c.notNull())
    .addColumn("connected_at", "bigint", (c) => c.notNull())
    .addColumn("last_heartbeat_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("delegate_connections_token")
    .on("delegate_connections")
    .column("delegate_token_id")
    .execute();
  await db.schema
    .createIndex("delegate_connections_org_space")
    .on("delegate_connections")
    .columns(["organization_id", "space_id"])
    .execute();
}

/** Drops the delegate tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("delegate_connections").execute();
  await db.schema.dropTable("delegate_tokens").execute();
}
