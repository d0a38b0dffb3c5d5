// CLI, server commands: `keygate admin recover`: run by the operator on the host, against the store
// itself (the SQLite data directory, or PostgreSQL from KEYGATE_DATABASE_URL), never through the
// API: issues a new owner token for an organization (shown once; audited), for when its owners are
// locked out by their login policies or lost the bootstrap token.
import { ConfigError, DomainError, recoverOwnerToken, resolveServerConfig } from "@keygate/server";
import { CliError, type CliIo } from "../client/cli-io.js";
import { OUTPUT_OPTIONS, outputFormatOf } from "../client/connection-options.js";
import { parseVerb } from "../client/verb-args.js";
import { printData } from "../output/result-printer.js";
import { ADMIN_BACKUP_USAGE, adminBackupCommand } from "./admin-backup.js";
import { openConfiguredStore } from "./server-store.js";

const USAGE =
  "usage: keygate admin recover [--org NAME] [--data-dir DIR] [--admin NAME] [--valid-hours N] [--json]\n" +
  "  issues a new owner token for the organization (default: default), shown once; run on the host\n" +
  "  (KEYGATE_DATABASE_URL=postgres://... for PostgreSQL)\n" +
  ADMIN_BACKUP_USAGE;

/** Runs `keygate admin <subcommand>`. */
export async function adminCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    (sub === undefined ? io.err : io.out)(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub === "backup") return adminBackupCommand(rest, io);
  if (sub !== "recover") throw new CliError(`keygate admin: unknown subcommand "${sub}"\n${USAGE}`, 2);
  const parsed = parseVerb(
    {
      command: "keygate admin recover",
      synopsis: "[--org NAME] [--data-dir DIR] [--admin NAME] [--valid-hours N] [--json]",
      summary:
        "On the host: issue a new owner token for an organization (shown once, audited), for owners locked out or a lost bootstrap token. KEYGATE_DATABASE_URL=postgres://... for PostgreSQL.",
      options: {
        org: { type: "string", value: "NAME", description: "the organization (default: default)" },
        "data-dir": {
          type: "string",
          value: "DIR",
          description: "where the SQLite store lives (default ./.keygate)",
        },
        admin: { type: "string", value: "NAME", description: "create this owner user when no owner is left" },
        "valid-hours": { type: "string", value: "N", description: "hours the token works (1 to 8784)" },
        ...OUTPUT_OPTIONS,
      },
      examples: ["keygate admin recover --org acme --valid-hours 4"],
      positionals: false,
    },
    rest,
    io,
  );
  if (parsed === undefined) return 0;
  const { values } = parsed;
  const format = outputFormatOf(values);
  let validHours: number | undefined;
  if (values["valid-hours"] !== undefined) {
    validHours = Number(values["valid-hours"]);
    if (!Number.isInteger(validHours) || validHours < 1 || validHours > 24 * 366) {
      throw new CliError(
        `keygate admin recover: --valid-hours must be a whole number of hours from 1 to 8784, got "${values["valid-hours"]}"`,
        2,
      );
    }
  }
  let config: ReturnType<typeof resolveServerConfig>;
  try {
    config = resolveServerConfig({ dataDir: values["data-dir"] }, io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`keygate admin recover: ${error.message}`, 2);
    throw error;
  }
  const store = await openConfiguredStore(config);
  try {
    const now = Date.now();
    const recovered = await recoverOwnerToken(store, {
      organization: values.org ?? "default",
      ...(values.admin === undefined ? {} : { newAdminName: values.admin }),
      ...(validHours === undefined ? {} : { tokenValidTo: now + validHours * 3_600_000 }),
      now,
    }).catch((error: unknown) => {
      if (error instanceof DomainError) throw new CliError(`keygate admin recover: ${error.message}`);
      throw error;
    });
    const validTo =
      recovered.token.validTo === null ? "never" : new Date(recovered.token.validTo).toISOString();
    if (format !== "table") {
      printData(io, format, {
        organization: recovered.organization.name,
        organizationId: recovered.organization.id,
        owner: recovered.owner.name,
        ownerId: recovered.owner.id,
        ownerCreated: recovered.ownerCreated,
        tokenId: recovered.token.id,
        token: recovered.tokenValue,
        validTo,
      });
    } else {
      io.out(
        `Recovered organization ${recovered.organization.name}: ${recovered.ownerCreated ? "created" : "issued for"} ` +
          `owner ${recovered.owner.name} (${recovered.owner.id}), admin at the root space.\n` +
          `Owner token ${recovered.token.id} (valid until ${validTo}; shown only this once):\n\n  ${recovered.tokenValue}\n\n` +
          "The recovery is in the audit log (organization.recover-owner). With it, repair or detach the login\n" +
          "policies (they never refuse owners on the policy endpoints, except an explicit deny).\n",
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
