// CLI, delegates: `keygate delegate-token create|list|show|rotate|revoke|delete|delegates`. The
// token value is printed once, on create and rotate, to be put into a secret manager.
import { parseArgs } from "node:util";
import type { ApiResource } from "../client/api-client.js";
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { onePositional, runVerb } from "../commands/subcommands.js";
import { attr, ID, printIssued, printResource, printResources, rel } from "../output/result-printer.js";
import { DELEGATE_COLUMNS } from "./delegate-command.js";

const COLUMNS = [
  ID,
  attr("name"),
  attr("status"),
  attr("default"),
  rel("space"),
  attr("created-at", "CREATED"),
  attr("last-used-at", "LAST USED"),
];


function idVerb(usage: string) {
  return (args: string[]) => {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: CONNECTION_OPTIONS });
    return { values, id: encodeURIComponent(onePositional(positionals, "delegate token id", usage)) };
  };
}

/** Runs `keygate delegate-token ...`. */
export function delegateTokenCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "delegate-token",
    {
      async create(args) {
        const usage = "usage: keygate delegate-token create NAME [--space SPACE_ID] [--description TEXT]";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: { ...CONNECTION_OPTIONS, space: { type: "string" }, description: { type: "string" } },
        });
        const name = onePositional(positionals, "delegate token name", usage);
        const { client, format } = connect(values, io);
        const doc = await client.request(
          "POST",
          `/organizations/${await client.organization()}/delegate-tokens`,
          {
            data: {
              type: "delegate-tokens",
              attributes: { name, ...(values.description ? { description: values.description } : {}) },
              ...(values.space
                ? { relationships: { space: { data: { type: "spaces", id: values.space } } } }
                : {}),
            },
          },
        );
        printIssued(io, format, doc?.data as ApiResource, "Delegate token");
        return 0;
      },
      async list(args) {
        const { values } = parseArgs({
          args,
          options: { ...CONNECTION_OPTIONS, space: { type: "string" }, status: { type: "string" } },
        });
        const { client, format } = connect(values, io);
        const filters = [
          ...(values.space ? [`filter[space]=${encodeURIComponent(values.space)}`] : []),
          ...(values.status ? [`filter[status]=${encodeURIComponent(values.status)}`] : []),
        ];
        const query = filters.length > 0 ? `?${filters.join("&")}` : "";
        printResources(
          io,
          format,
          await client.all(`/organizations/${await client.organization()}/delegate-tokens${query}`),
          COLUMNS,
        );
        return 0;
      },
      async show(args) {
        const { values, id } = idVerb("usage: keygate delegate-token show DELEGATE_TOKEN_ID")(args);
        const { client, format } = connect(values, io);
        printResource(io, format, (await client.one(`/delegate-tokens/${id}`)).data);
        return 0;
      },
      async rotate(args) {
        const { values, id } = idVerb("usage: keygate delegate-token rotate DELEGATE_TOKEN_ID")(args);
        const { client, format } = connect(values, io);
        const doc = await client.request("POST", `/delegate-tokens/${id}/actions/rotate`);
        const previous = doc?.included?.[0];
        if (previous && format === "table") {
          io.err(
            `old delegate token ${previous.id} keeps working until you revoke it: restart the delegates with the new one first\n`,
          );
        }
        printIssued(io, format, doc?.data as ApiResource, "Delegate token", previous ? { previous } : {});
        return 0;
      },
      async revoke(args) {
        const { values, id } = idVerb("usage: keygate delegate-token revoke DELEGATE_TOKEN_ID")(args);
        const { client, format } = connect(values, io);
        const doc = await client.request("POST", `/delegate-tokens/${id}/actions/revoke`);
        printResource(io, format, doc?.data as ApiResource);
        return 0;
      },
      async delete(args) {
        const { values, id } = idVerb("usage: keygate delegate-token delete DELEGATE_TOKEN_ID")(args);
        const { client } = connect(values, io);
        await client.request("DELETE", `/delegate-tokens/${id}`);
        io.err(`deleted delegate token ${decodeURIComponent(id)}\n`);
        return 0;
      },
      async delegates(args) {
        const { values, id } = idVerb("usage: keygate delegate-token delegates DELEGATE_TOKEN_ID")(args);
        const { client, format } = connect(values, io);
        printResources(io, format, await client.all(`/delegate-tokens/${id}/delegates`), DELEGATE_COLUMNS);
        return 0;
      },
    },
    argv,
    io,
  );
}
