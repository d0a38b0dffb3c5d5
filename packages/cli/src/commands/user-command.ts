// CLI, resource commands: `keygate user create|list|show|delete` (humans of the organization).
import { parseArgs } from "node:util";
import type { ApiResource } from "../client/api-client.js";
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResource, printResources } from "../output/result-printer.js";
import { onePositional, runVerb } from "./subcommands.js";
import { deleteVerb, showVerb } from "./id-verbs.js";

const COLUMNS = [ID, attr("name"), attr("email"), attr("disabled"), attr("created-at", "CREATED")];

/** Runs `keygate user ...`. */
export function userCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "user",
    {
      async create(args) {
        const usage = "usage: keygate user create NAME [--email ADDRESS] [--display-name TEXT]";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            ...CONNECTION_OPTIONS,
            email: { type: "string" },
            "display-name": { type: "string" },
          },
        });
        const name = onePositional(positionals, "user name", usage);
        const { client, format } = connect(values, io);
        const org = await client.organization();
        const doc = await client.request("POST", `/organizations/${org}/users`, {
          data: {
            type: "users",
            attributes: {
              name,
              ...(values.email ? { email: values.email } : {}),
              ...(values["display-name"] ? { "display-name": values["display-name"] } : {}),
            },
          },
        });
        printResource(io, format, doc?.data as ApiResource);
        return 0;
      },
      async list(args) {
        const { values } = parseArgs({ args, options: CONNECTION_OPTIONS });
        const { client, format } = connect(values, io);
        const org = await client.organization();
        printResources(io, format, await client.all(`/organizations/${org}/users`), COLUMNS);
        return 0;
      },
      show: showVerb(io, { command: "user", what: "user", collection: "/users" }),
      delete: deleteVerb(io, { command: "user", what: "user", collection: "/users" }),
    },
    argv,
    io,
  );
}
