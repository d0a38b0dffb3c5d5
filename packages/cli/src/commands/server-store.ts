// CLI, server commands: opens the store named by the configuration (SQLite in the data
// directory, or PostgreSQL from KEYGATE_DATABASE_URL) and bootstraps a first organization.
import {
  bootstrapOrganization,
  type BootstrappedOrganization,
  openStore,
  type ServerConfig,
  type Store,
} from "@keygate/server";

/** Opens (and migrates) the configured store. */
export function openConfiguredStore(config: ServerConfig): Promise<Store> {
  return config.databaseUrl !== undefined
    ? openStore({ databaseUrl: config.databaseUrl })
    : openStore({ dataDir: config.dataDir });
}

/** True when the store holds no organization yet. */
export async function storeIsEmpty(store: Store): Promise<boolean> {
  const row = await store.db.selectFrom("organizations").select("id").limit(1).executeTakeFirst();
  return row === undefined;
}

/** Creates an organization with its root space, an admin user and the admin's first token. */
export function initializeOrganization(
  store: Store,
  organizationName: string,
  adminName: string,
): Promise<BootstrappedOrganization> {
  return bootstrapOrganization(store, { organizationName, adminName });
}
