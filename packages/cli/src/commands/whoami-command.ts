// CLI, resource commands: `keygate whoami`: the principal and token behind KEYGATE_TOKEN.
import { parseArgs } from "node:util";
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { formatTable } from "../output/result-printer.js";

/** Runs `keygate whoami`. */
export async function whoamiCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: CONNECTION_OPTIONS });
  const { client, format } = connect(values, io);
  const doc = await client.one("/account/details");
  if (format === "json") {
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
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
    ),
  );
  return 0;
}
