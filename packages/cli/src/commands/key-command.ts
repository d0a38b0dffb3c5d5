// CLI, resource commands: `keygate key create|list|revoke` (API keys; `--sa ID` for a service
// account's SERVICE key, `--personal` for the caller's own USER key).
import { parseArgs } from "node:util";
import type { ApiResource } from "../client/api-client.js";
import { CliError, type CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResource, printResources, rel } from "../output/result-printer.js";
import { onePositional, runVerb } from "./subcommands.js";

const COLUMNS = [
  ID,
  attr("name"),
  attr("api-key-type", "TYPE"),
  rel("principal"),
  attr("created-at", "CREATED"),
];

/** Runs `keygate key ...`. */
export function keyCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "key",
    {
      async create(args) {
        const usage =
          "usage: keygate key create NAME (--sa SERVICE_ACCOUNT_ID | --personal) [--description TEXT]";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            ...CONNECTION_OPTIONS,
            sa: { type: "string" },
            personal: { type: "boolean" },
            description: { type: "string" },
          },
        });
        const name = onePositional(positionals, "key name", usage);
        if (Boolean(values.sa) === Boolean(values.personal))
          throw new CliError(`give exactly one of --sa or --personal\n${usage}`, 2);
        const { client, format } = connect(values, io);
        const path = values.sa
          ? `/service-accounts/${encodeURIComponent(values.sa)}/api-keys`
          : "/account/api-keys";
        const doc = await client.request("POST", path, {
          data: {
            type: "api-keys",
            attributes: { name, ...(values.description ? { description: values.description } : {}) },
          },
        });
        printResource(io, format, doc?.data as ApiResource);
        return 0;
      },
      async list(args) {
        const { values } = parseArgs({
          args,
          options: { ...CONNECTION_OPTIONS, sa: { type: "string" }, personal: { type: "boolean" } },
        });
        const { client, format } = connect(values, io);
        let path: string;
        if (values.sa) path = `/service-accounts/${encodeURIComponent(values.sa)}/api-keys`;
        else if (values.personal) path = "/account/api-keys";
        else path = `/organizations/${await client.organization()}/api-keys`;
        printResources(io, format, await client.all(path), COLUMNS);
        return 0;
      },
      async revoke(args) {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: { ...CONNECTION_OPTIONS, delete: { type: "boolean" } },
        });
        const id = onePositional(positionals, "key id", "usage: keygate key revoke KEY_ID [--delete]");
        const { client } = connect(values, io);
        const tokens = await client.all(`/api-keys/${encodeURIComponent(id)}/tokens`);
        let revoked = 0;
        for (const token of tokens) {
          if (token.attributes.status === "revoked" || token.attributes.status === "expired") continue;
          await client.request("POST", `/tokens/${token.id}/actions/revoke`);
          revoked++;
        }
        io.err(`revoked ${revoked} token(s) of API key ${id}\n`);
        if (values.delete) {
          await client.request("DELETE", `/api-keys/${encodeURIComponent(id)}`);
          io.err(`deleted API key ${id}\n`);
        }
        return 0;
      },
    },
    argv,
    io,
  );
}
