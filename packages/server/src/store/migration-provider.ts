// Storage layer: feeds the migrations of `migration-list.ts` to Kysely's Migrator.
import type { Migration, MigrationProvider } from "kysely";
import { MIGRATION_NAMES } from "./migrations/migration-list.js";

/** Loads `./migrations/<name>.js` for every name in MIGRATION_NAMES. */
export class ListedMigrationProvider implements MigrationProvider {
  /** Returns the migrations keyed by name; Kysely runs them in name order. */
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const name of MIGRATION_NAMES) {
      const module = (await import(/* @vite-ignore */ `./migrations/${name}.js`)) as Migration;
      migrations[name] = { up: module.up, ...(module.down ? { down: module.down } : {}) };
    }
    return migrations;
  }
}
