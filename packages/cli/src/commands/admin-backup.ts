// CLI, server commands: `keygate admin backup FILE`: run on the host, copies the SQLite store of the
// data directory to FILE with SQLite's online backup (safe while `keygate serve` runs). PostgreSQL
// stores are backed up with the database's own tools (pg_dump); the command says so.
import { backupSqliteStore, ConfigError, resolveServerConfig, sqliteStorePath } from "@keygate/server";
import { CliError, type CliIo } from "../client/cli-io.js";
import { OUTPUT_OPTIONS, outputFormatOf } from "../client/connection-options.js";
import { parseVerb } from "../client/verb-args.js";
import { printData } from "../output/result-printer.js";

/** Usage of `keygate admin backup`. */
export const ADMIN_BACKUP_USAGE =
  "usage: keygate admin backup FILE [--data-dir DIR] [--json]\n" +
  "  copies the SQLite store to FILE (a new file) while the server keeps running; on PostgreSQL use pg_dump\n";

/** Runs `keygate admin backup`. */
export async function adminBackupCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseVerb(
    {
      command: "keygate admin backup",
      synopsis: "FILE [--data-dir DIR] [--json]",
      summary:
        "On the host: copy the SQLite store to FILE (a new file) while the server keeps running; on PostgreSQL use pg_dump.",
      options: {
        "data-dir": {
          type: "string",
          value: "DIR",
          description: "where the SQLite store lives (default ./.keygate)",
        },
        ...OUTPUT_OPTIONS,
      },
      examples: ["keygate admin backup /var/backups/keygate-$(date +%F).db"],
    },
    argv,
    io,
  );
  if (parsed === undefined) return 0;
  const { values, positionals } = parsed;
  const format = outputFormatOf(values);
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) {
    throw new CliError(`keygate admin backup: name one file to write\n${ADMIN_BACKUP_USAGE}`, 2);
  }
  let config: ReturnType<typeof resolveServerConfig>;
  try {
    config = resolveServerConfig({ dataDir: values["data-dir"] }, io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`keygate admin backup: ${error.message}`, 2);
    throw error;
  }
  if (config.databaseUrl !== undefined) {
    throw new CliError(
      "keygate admin backup: KEYGATE_DATABASE_URL names a PostgreSQL database; back it up with pg_dump " +
        '(pg_dump --format=custom --file=keygate.dump "$KEYGATE_DATABASE_URL"), see docs/operations.md',
      2,
    );
  }
  const result = await backupSqliteStore(sqliteStorePath(config.dataDir), file).catch((error: unknown) => {
    throw new CliError(`keygate admin backup: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (format !== "table") {
    printData(io, format, { source: result.source, destination: result.destination, bytes: result.bytes });
  } else {
    io.out(
      `Backed up ${result.source} to ${result.destination} (${result.bytes} bytes, integrity checked).\n`,
    );
  }
  return 0;
}
