// CLI, resource commands: `keygate can`: what a key (or token, or the caller) may do, per space,
// and why: which binding, team or policy rule granted each role.
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { parseVerb } from "../client/verb-args.js";
import { formatTable, printData } from "../output/result-printer.js";

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

/** A role a login policy named that granted nothing, and why (an unknown space name, say). */
interface IgnoredLoginRole {
  "policy-name": string;
  space: string;
  role: string;
  code: string;
  why: string;
}

/** One line per role a login policy named that granted nothing: say so rather than leave it unexplained. */
export function ignoredRoleLines(ignored: readonly IgnoredLoginRole[]): string {
  return ignored
    .map((i) =>
      i.code === "unknown-space"
        ? `note: login policy ${i["policy-name"]} grants ${i.role} in space "${i.space}", which matched nothing: ${i.why}\n`
        : `note: login policy ${i["policy-name"]} grants ${i.role} in space "${i.space}", not applied: ${i.why}\n`,
    )
    .join("");
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
  const parsed = parseVerb(
    {
      command: "keygate can",
      synopsis: "[--key KEY_ID | --token TOKEN_ID] [--permission P]",
      summary:
        "What a key, a token or you may do: the roles in force per space, what granted each (binding, team or login policy rule), and any role a login policy named that granted nothing.",
      options: {
        ...CONNECTION_OPTIONS,
        key: { type: "string", value: "KEY_ID", description: "this API key's access (default: your own)" },
        token: { type: "string", value: "TOKEN_ID", description: "this token's access" },
        permission: {
          type: "string",
          value: "PERMISSION",
          description: "answer yes/no for this permission (exit 0 yes, 1 no)",
        },
      },
      examples: ["keygate can --key key-4f2a", "keygate can --token tok-9c1d --permission tokens.create"],
      positionals: false,
    },
    argv,
    io,
  );
  if (parsed === undefined) return 0;
  const { values } = parsed;
  if (values.key && values.token) throw new CliError("give --key or --token, not both", 2);
  const { client, format } = connect(values, io);
  const path = values.key
    ? `/api-keys/${encodeURIComponent(values.key)}/effective-access`
    : values.token
      ? `/tokens/${encodeURIComponent(values.token)}/effective-access`
      : "/account/effective-access";
  const doc = await client.one(path);
  const spaces = doc.data.attributes.spaces as SpaceAccess[];
  const ignored = (doc.data.attributes["ignored-login-roles"] ?? []) as IgnoredLoginRole[];
  if (format !== "table") {
    printData(io, format, doc.data);
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
        : formatTable(["SPACE", "ROLE", "GRANTED BY", "PERMISSIONS"], rows, io.columns),
    );
  }
  io.err(ignoredRoleLines(ignored));
  if (values.permission) {
    const where = spaces
      .filter((s) => s.permissions.includes(values.permission ?? ""))
      .map((s) => s["space-name"]);
    if (format === "table")
      io.out(
        where.length > 0
          ? `${values.permission}: yes, in ${where.join(", ")}\n`
          : `${values.permission}: no\n`,
      );
    return where.length > 0 ? 0 : 1;
  }
  return 0;
}
