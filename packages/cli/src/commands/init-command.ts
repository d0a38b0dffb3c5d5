// CLI, server commands: `keygate init`: creates the store, an organization, its root space, an
// admin user and the admin token, shown this once.
import { parseArgs } from "node:util";
import { DomainError, resolveServerConfig } from "@keygate/server";
import { CliError, type CliIo } from "../client/cli-io.js";
import { initializeOrganization, openConfiguredStore } from "./server-store.js";

const USAGE = "usage: keygate init --org NAME [--admin NAME] [--data-dir DIR] [--json]\n";

/** Runs `keygate init`. */
export async function initCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      org: { type: "string" },
      admin: { type: "string" },
      "data-dir": { type: "string" },
      json: { type: "boolean" },
    },
  });
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
    if (values.json) {
      io.out(
        `${JSON.stringify({
          organization: made.organization.name,
          organizationId: made.organization.id,
          rootSpace: made.rootSpace.id,
          admin: made.admin.id,
          adminToken: made.tokenValue,
          delegateTokenId: made.delegateToken.id,
          delegateToken: made.delegateTokenValue,
        })}\n`,
      );
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
