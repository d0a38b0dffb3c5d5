// CLI, resource commands: `keygate can`: what a key (or token, or the caller) may do, per space,
// and why: which binding, team or policy rule granted each role.
import { parseArgs } from "node:util";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { formatTable } from "../output/result-printer.js";

interface SpaceAccess {
  "space-id": string;
  "space-name": string;
  permissions: string[];
  roles: {
    "role-name": string;
    "granted-in-space-id": string;
    reason: Record<string, string | null>;
    permissions?: string[];
  }[];
}

function reasonText(reason: Record<string, string | null>): string {
  switch (reason.kind) {
    case "direct-binding":
      return `binding ${reason["binding-id"]}`;
    case "team-binding":
      return `team ${reason["team-name"]} (binding ${reason["binding-id"]})`;
    default:
      return `policy ${reason["policy-name"] ?? reason["policy-id"]}${reason.rule ? ` rule ${reason.rule}` : ""}`;
  }
}

/** Runs `keygate can [--key ID | --token ID] [--permission P]`. */
export async function canCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...CONNECTION_OPTIONS,
      key: { type: "string" },
      token: { type: "string" },
      permission: { type: "string" },
    },
  });
  if (values.key && values.token) throw new CliError("give --key or --token, not both", 2);
  const { client, format } = connect(values, io);
  const path = values.key
    ? `/api-keys/${encodeURIComponent(values.key)}/effective-access`
    : values.token
      ? `/tokens/${encodeURIComponent(values.token)}/effective-access`
      : "/account/effective-access";
  const doc = await client.one(path);
  const spaces = doc.data.attributes.spaces as SpaceAccess[];
  if (format === "json") {
    io.out(`${JSON.stringify(doc.data, null, 2)}\n`);
  } else {
    const rows: string[][] = [];
    for (const space of spaces) {
      for (const role of space.roles) {
        const inherited =
          role["granted-in-space-id"] === space["space-id"] ? "" : ` (from ${role["granted-in-space-id"]})`;
        rows.push([
          `${space["space-name"]} ${space["space-id"]}`,
          role["role-name"] + inherited,
          reasonText(role.reason),
          (role.permissions ?? []).join(","),
        ]);
      }
    }
    io.out(
      rows.length === 0
        ? "no roles in any space\n"
        : formatTable(["SPACE", "ROLE", "GRANTED BY", "PERMISSIONS"], rows),
    );
  }
  if (values.permission) {
    const where = spaces
      .filter((s) => s.permissions.includes(values.permission ?? ""))
      .map((s) => s["space-name"]);
    if (format !== "json")
      io.out(
        where.length > 0
          ? `${values.permission}: yes, in ${where.join(", ")}\n`
          : `${values.permission}: no\n`,
      );
    return where.length > 0 ? 0 : 1;
  }
  return 0;
}
