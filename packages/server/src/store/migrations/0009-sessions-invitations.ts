// Storage layer, migration 0009-sessions-invitations: console sessions (a cookie bound to a user's
// personal token; only the cookie secret's hash is stored) and invitations (a one-time secret that
// lets an invited user mint their first personal token; only its hash is stored).
import { type Kysely, sql } from "kysely";

/** Creates the sessions and invitations tables. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("principal_id", "text", (c) => c.notNull().references("principals.id").onDelete("cascade"))
    .addColumn("token_id", "text", (c) => c.notNull().references("tokens.id").onDelete("cascade"))
    .addColumn("secret_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("ended_at", "bigint")
    .addColumn("ip", "text")
    .execute();
  await db.schema.createIndex("sessions_token").on("sessions").column("token_id").execute();
  await db.schema.createIndex("sessions_principal").on("sessions").column("principal_id").execute();

  await db.schema
    .createTable("invitations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) =>
      c.notNull().references("organizations.id").onDelete("cascade"),
    )
    .addColumn("principal_id", "text", (c) => c.notNull().references("principals.id").onDelete("cascade"))
    .addColumn("secret_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("revoked_at", "bigint")
    .addColumn("accepted_at", "bigint")
    .addColumn("accepted_token_id", "text")
    .execute();
  await db.schema
    .createIndex("invitations_org_created")
    .on("invitations")
    .columns(["organization_id", "created_at"])
    .execute();
  // At most one open invitation (neither revoked nor accepted) per user; an expired one is
  // revoked when a new one is made.
  await db.schema
    .createIndex("invitations_open_per_user")
    .on("invitations")
    .column("principal_id")
    .unique()
    .where(sql.ref("revoked_at"), "is", null)
    .where(sql.ref("accepted_at"), "is", null)
    .execute();
}

/** Drops them. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("invitations").execute();
  await db.schema.dropTable("sessions").execute();
}
