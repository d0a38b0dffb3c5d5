// Domain layer, delegate tokens: the row types of the delegate tables (migration 0005-delegates)
// and the query builder that knows them, so the shared database schema needs no edit.
import type { Kysely } from "kysely";
import type { Database } from "../../store/database-schema.js";
import type { Store } from "../../store/store.js";

/** Delegate tokens: belong to a space; only the secret's hash is stored. */
export interface DelegateTokensTable {
  id: string;
  organization_id: string;
  space_id: string;
  public_id: string;
  secret_hash: string;
  name: string;
  description: string;
  /** 1 for the organization's default token (made with the organization). */
  is_default: number;
  revoked_at: number | null;
  rotated_from_id: string | null;
  rotated_to_id: string | null;
  created_at: number;
  updated_at: number;
  created_by: string | null;
  /** When a delegate last connected with it. */
  last_used_at: number | null;
}

/** Live delegate connections, one row per connected agent, kept by the instance holding it. */
export interface DelegateConnectionsTable {
  id: string;
  organization_id: string;
  delegate_token_id: string;
  space_id: string;
  name: string;
  host: string;
  version: string;
  remote_address: string | null;
  /** The server instance that holds the connection. */
  instance_id: string;
  connected_at: number;
  last_heartbeat_at: number;
}

/** The delegate tables. */
export type DelegateTables = {
  delegate_tokens: DelegateTokensTable;
  delegate_connections: DelegateConnectionsTable;
};

/** The store's query builder (bound to its transaction, if any) with the delegate tables. */
export function delegateDb(store: Store): Kysely<Database & DelegateTables> {
  return store.db.withTables<DelegateTables>();
}
