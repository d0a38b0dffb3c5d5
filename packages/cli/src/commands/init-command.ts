// CLI, server commands: `keygate init`: creates the store, an organization, its root space, an
// admin user and the admin token, shown this once.
import { DomainError, resolveServerConfig } from "@keygate/server";
import { CliError, type CliIo } from "../client/cli-io.js";
import { OUTPUT_OPTIONS, outputFormatOf } from "../client/connection-options.js";
import { parseVerb } from "../client/verb-args.js";
import { printData } from "../output/result-printer.js";
import { initializeOrganization, openConfiguredStore } from "./server-store.js";

const USAGE = "usage: keygate init --org NAME [--admin NAME] [--data-dir DIR] [--json]\n";

/** Runs `keygate init`. */
export async function initCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseVerb(
    {
      command: "keygate init",
      synopsis: "--org NAME [--admin NAME] [--data-dir DIR] [--json]",
      summary:
        "Create the store, an organization with its root space, an admin user and an admin token (printed this once). KEYGATE_DATABASE_URL=postgres://... for PostgreSQL.",
      options: {
        org: { type: "string", value: "NAME", description: "the organization's name (required)" },
        admin: { type: "string", value: "NAME", description: "the admin user's name (default admin)" },
        "data-dir": {
          type: "string",
          value: "DIR",
          description: "where the SQLite store lives (default ./.keygate)",
        },
        ...OUTPUT_OPTIONS,
      },
      examples: ["keygate init --org acme --data-dir ./.keygate --json"],
      positionals: false,
    },
    argv,
    io,
  );
  if (parsed === undefined) return 0;
  const { values } = parsed;
  const format = outputFormatOf(values);
  if (!values.org) throw new CliError(`keygate init: --org is required\n${USAGE}`, 2);
  const config = resolveServerConfig({ dataDir: values["data-dir"] }, io.env);
  const store = await openConfiguredStore(config);
  try {
    const made = await initializeOrganization(store, values.org, values.admin ?? "admin").catch(
      (error: unknown) => {
        if (error instanceof DomainError) throw new CliError(`keygate init: ${error.message}`);
        throw error;
      },
    );
    if (format !== "table") {
      printData(io, format, {
        organization: made.organization.name,
        organizationId: made.organization.id,
        rootSpace: made.rootSpace.id,
        admin: made.admin.id,
        adminToken: made.tokenValue,
        delegateTokenId: made.delegateToken.id,
        delegateToken: made.delegateTokenValue,
      });
    } else {
      io.out(
        `Created organization ${made.organization.name} (${made.organization.id}) with root space ${made.rootSpace.id}\n` +
          `Admin user ${made.admin.name} (${made.admin.id}). Admin token (shown only this once):\n\n  ${made.tokenValue}\n\n` +
          "export KEYGATE_TOKEN=<the token above> to use the keygate commands.\n" +
          `Default delegate token ${made.delegateToken.id} (shown only this once):\n\n  ${made.delegateTokenValue}\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
