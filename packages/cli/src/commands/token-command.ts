// CLI, resource commands: `keygate token create|list|show|rotate|revoke|delete`. The token text
// is printed once, on create and rotate.
import { parseArgs } from "node:util";
import type { ApiResource } from "../client/api-client.js";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printIssued, printResource, printResources } from "../output/result-printer.js";
import { onePositional, parseDurationSeconds, runVerb } from "./subcommands.js";
import { deleteVerb, showVerb } from "./id-verbs.js";

const COLUMNS = [
  ID,
  attr("name"),
  attr("status"),
  {
    heading: "CREATED BY",
    cell: (r: ApiResource) => (r.relationships?.["created-by"]?.data as { id: string } | null)?.id ?? null,
  },
  attr("created-at", "CREATED"),
  attr("last-used-at", "LAST USED"),
  attr("valid-to", "EXPIRES"),
];


/** Runs `keygate token ...`. */
export function tokenCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "token",
    {
      async create(args) {
        const usage =
          "usage: keygate token create NAME --key KEY_ID [--description TEXT] [--valid-to ISO_TIME]";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            ...CONNECTION_OPTIONS,
            key: { type: "string" },
            description: { type: "string" },
            "valid-to": { type: "string" },
          },
        });
        const name = onePositional(positionals, "token name", usage);
        if (!values.key) throw new CliError(`--key is required\n${usage}`, 2);
        const { client, format } = connect(values, io);
        const doc = await client.request("POST", `/api-keys/${encodeURIComponent(values.key)}/tokens`, {
          data: {
            type: "tokens",
            attributes: {
              name,
              ...(values.description ? { description: values.description } : {}),
              ...(values["valid-to"] ? { "valid-to": values["valid-to"] } : {}),
            },
          },
        });
        printIssued(io, format, doc?.data as ApiResource, "Token");
        return 0;
      },
      async list(args) {
        const { values } = parseArgs({
          args,
          options: { ...CONNECTION_OPTIONS, key: { type: "string" }, status: { type: "string" } },
        });
        const { client, format } = connect(values, io);
        const status = values.status ? `?filter[status]=${encodeURIComponent(values.status)}` : "";
        const path = values.key
          ? `/api-keys/${encodeURIComponent(values.key)}/tokens${status}`
          : `/organizations/${await client.organization()}/tokens${status}`;
        printResources(io, format, await client.all(path), COLUMNS);
        return 0;
      },
      show: showVerb(io, { command: "token", what: "token", collection: "/tokens" }),
      async rotate(args) {
        const usage =
          "usage: keygate token rotate TOKEN_ID [--grace DURATION (e.g. 0, 15m, 24h)] [--valid-to ISO_TIME]";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: { ...CONNECTION_OPTIONS, grace: { type: "string" }, "valid-to": { type: "string" } },
        });
        const id = onePositional(positionals, "token id", usage);
        const grace = values.grace ? parseDurationSeconds(values.grace, "--grace") : 0;
        const { client, format } = connect(values, io);
        const doc = await client.request("POST", `/tokens/${encodeURIComponent(id)}/actions/rotate`, {
          data: {
            type: "tokens",
            attributes: {
              "grace-period-seconds": grace,
              ...(values["valid-to"] ? { "valid-to": values["valid-to"] } : {}),
            },
          },
        });
        const previous = doc?.included?.[0];
        if (previous && format === "table") {
          io.err(
            `old token ${previous.id} keeps working until ${String(previous.attributes["scheduled-expire-time"])}\n`,
          );
        }
        printIssued(io, format, doc?.data as ApiResource, "Token", previous ? { previous } : {});
        return 0;
      },
      async revoke(args) {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: CONNECTION_OPTIONS,
        });
        const id = onePositional(positionals, "token id", "usage: keygate token revoke TOKEN_ID");
        const { client, format } = connect(values, io);
        const doc = await client.request("POST", `/tokens/${encodeURIComponent(id)}/actions/revoke`);
        printResource(io, format, doc?.data as ApiResource);
        return 0;
      },
      delete: deleteVerb(io, { command: "token", what: "token", collection: "/tokens" }),
    },
    argv,
    io,
  );
}
