// CLI, server commands: opens the store named by the configuration (SQLite in the data
// directory, or PostgreSQL from KEYGATE_DATABASE_URL) and bootstraps a first organization.
import {
  type BootstrappedOrganization,
  bootstrapOrganization,
  openStore,
  type ServerConfig,
  type Store,
  type StoreOptions,
} from "@keygate/server";
import { CliError } from "../client/cli-io.js";

/** Opens (and migrates) the configured store; a store that cannot be opened is a CliError saying why. */
export async function openConfiguredStore(
  config: ServerConfig,
  hooks: Pick<StoreOptions, "onCommitted"> = {},
): Promise<Store> {
  const where =
    config.databaseUrl !== undefined
      ? "the database of KEYGATE_DATABASE_URL"
      : `the SQLite store in ${config.dataDir}`;
  try {
    return config.databaseUrl !== undefined
      ? await openStore({ databaseUrl: config.databaseUrl, ...hooks })
      : await openStore({ dataDir: config.dataDir, sqliteSynchronous: config.sqliteSynchronous, ...hooks });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`keygate: cannot open ${where}: ${reason}`);
  }
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
