// CLI, resource commands: `keygate whoami`: the principal and token behind KEYGATE_TOKEN.
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { parseVerb } from "../client/verb-args.js";
import { formatTable, printData } from "../output/result-printer.js";

/** Runs `keygate whoami`. */
export async function whoamiCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseVerb(
    {
      command: "keygate whoami",
      synopsis: "[--json]",
      summary: "Show the principal, organization, token and API key behind $KEYGATE_TOKEN.",
      options: CONNECTION_OPTIONS,
      examples: ["keygate whoami", "keygate whoami --json | jq -r .meta.organization"],
      positionals: false,
    },
    argv,
    io,
  );
  if (parsed === undefined) return 0;
  const { client, format } = connect(parsed.values, io);
  const doc = await client.one("/account/details");
  if (format !== "table") {
    // The principal resource; the organization and token ride in its meta.
    printData(io, format, { ...doc.data, meta: doc.meta ?? {} });
    return 0;
  }
  const token = (doc.meta?.token ?? {}) as Record<string, unknown>;
  io.out(
    formatTable(
      ["FIELD", "VALUE"],
      [
        ["principal", `${doc.data.id} (${doc.data.type})`],
        ["name", String(doc.data.attributes.name)],
        ["organization", String(doc.meta?.organization)],
        ["token", `${String(token.id)} "${String(token.name)}" (${String(token.status)})`],
        ["api key", `${String(token["api-key-id"])} (${String(token["api-key-type"])})`],
      ],
      io.columns,
    ),
  );
  return 0;
}
