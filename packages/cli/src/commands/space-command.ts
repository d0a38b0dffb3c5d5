// CLI, resource commands: `keygate space create|list`.
import { parseArgs } from "node:util";
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import type { ApiResource } from "../client/api-client.js";
import { attr, ID, printResource, printResources, rel } from "../output/result-printer.js";
import { onePositional, runVerb } from "./subcommands.js";

const COLUMNS = [ID, attr("name"), rel("parent"), attr("description")];

/** Runs `keygate space ...`. */
export function spaceCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "space",
    {
      async create(args) {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: { ...CONNECTION_OPTIONS, parent: { type: "string" }, description: { type: "string" } },
        });
        const name = onePositional(
          positionals,
          "space name",
          "usage: keygate space create NAME [--parent SPACE_ID] [--description TEXT]",
        );
        const { client, format } = connect(values, io);
        const org = await client.organization();
        const doc = await client.request("POST", `/organizations/${org}/spaces`, {
          data: {
            type: "spaces",
            attributes: { name, ...(values.description ? { description: values.description } : {}) },
            ...(values.parent
              ? { relationships: { parent: { data: { id: values.parent, type: "spaces" } } } }
              : {}),
          },
        });
        printResource(io, format, doc?.data as ApiResource);
        return 0;
      },
      async list(args) {
        const { values } = parseArgs({
          args,
          options: { ...CONNECTION_OPTIONS, parent: { type: "string" } },
        });
        const { client, format } = connect(values, io);
        const org = await client.organization();
        const filter = values.parent ? `?filter[parent]=${encodeURIComponent(values.parent)}` : "";
        printResources(io, format, await client.all(`/organizations/${org}/spaces${filter}`), COLUMNS);
        return 0;
      },
    },
    argv,
    io,
  );
}
