// CLI, resource commands: `keygate sa create|list|show|delete` (service accounts).
import { parseArgs } from "node:util";
import type { ApiResource } from "../client/api-client.js";
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResource, printResources, rel } from "../output/result-printer.js";
import { onePositional, runVerb } from "./subcommands.js";
import { deleteVerb, showVerb } from "./id-verbs.js";

const COLUMNS = [ID, attr("name"), rel("space"), attr("disabled"), attr("created-at", "CREATED")];

/** Runs `keygate sa ...`. */
export function saCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "sa",
    {
      async create(args) {
        const usage = "usage: keygate sa create NAME [--space SPACE_ID] [--description TEXT] [--role ROLE]";
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            ...CONNECTION_OPTIONS,
            space: { type: "string" },
            description: { type: "string" },
            role: { type: "string" },
          },
        });
        const name = onePositional(positionals, "service account name", usage);
        const { client, format } = connect(values, io);
        const org = await client.organization();
        const doc = await client.request("POST", `/organizations/${org}/service-accounts`, {
          data: {
            type: "service-accounts",
            attributes: { name, ...(values.description ? { description: values.description } : {}) },
            ...(values.space
              ? { relationships: { space: { data: { id: values.space, type: "spaces" } } } }
              : {}),
          },
        });
        const sa = doc?.data as ApiResource;
        if (values.role) {
          const space = sa.relationships?.space?.data;
          await client.request("POST", `/organizations/${org}/role-bindings`, {
            data: {
              type: "role-bindings",
              relationships: {
                role: { data: { id: values.role, type: "roles" } },
                subject: { data: { id: sa.id, type: "service-accounts" } },
                ...(space && !Array.isArray(space)
                  ? { space: { data: { id: space.id, type: "spaces" } } }
                  : {}),
              },
            },
          });
        }
        printResource(io, format, sa);
        return 0;
      },
      async list(args) {
        const { values } = parseArgs({ args, options: { ...CONNECTION_OPTIONS, space: { type: "string" } } });
        const { client, format } = connect(values, io);
        const org = await client.organization();
        const filter = values.space ? `?filter[space]=${encodeURIComponent(values.space)}` : "";
        printResources(
          io,
          format,
          await client.all(`/organizations/${org}/service-accounts${filter}`),
          COLUMNS,
        );
        return 0;
      },
      show: showVerb(io, { command: "sa", what: "service account", collection: "/service-accounts" }),
      delete: deleteVerb(io, { command: "sa", what: "service account", collection: "/service-accounts" }),
    },
    argv,
    io,
  );
}
