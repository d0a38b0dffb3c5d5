// Domain layer, sessions and invitations: the row types of their tables (migration
// 0009-sessions-invitations) and the query builder that knows them, so the shared database schema
// needs no edit.
import type { Kysely } from "kysely";
import type { Database } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";

/** Console sessions: a cookie bound to a user's personal token; only the cookie secret's hash is stored. */
export interface SessionsTable {
  id: string;
  organization_id: string;
  principal_id: string;
  token_id: string;
  secret_hash: string;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
  ip: string | null;
}

/** Invitations: a one-time secret letting a user mint their first personal token; only its hash is stored. */
export interface InvitationsTable {
  id: string;
  organization_id: string;
  principal_id: string;
  secret_hash: string;
  created_at: number;
  expires_at: number;
  created_by: string | null;
  revoked_at: number | null;
  accepted_at: number | null;
  accepted_token_id: string | null;
}

/** The session and invitation tables. */
export type SessionTables = {
  sessions: SessionsTable;
  invitations: InvitationsTable;
};

/** The store's query builder (bound to its transaction, if any) with the session and invitation tables. */
export function sessionDb(store: Store): Kysely<Database & SessionTables> {
  return store.db.withTables<SessionTables>();
}
