// CLI, resource commands: `keygate user create|list|show|delete` (humans of the organization).
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResources, printSaved } from "../output/result-printer.js";
import { deleteVerb, showVerb } from "./id-verbs.js";
import { defineVerb, noPositionals, onePositional, runVerb } from "./subcommands.js";

const COLUMNS = [ID, attr("name"), attr("email"), attr("disabled"), attr("created-at", "CREATED")];

const create = defineVerb(
  {
    command: "keygate user create",
    synopsis: "NAME [--email ADDRESS] [--display-name TEXT]",
    summary: "Create a user (a human of the organization).",
    options: {
      ...CONNECTION_OPTIONS,
      email: { type: "string", value: "ADDRESS", description: "their email address" },
      "display-name": { type: "string", value: "TEXT", description: "the name shown for them" },
    },
    examples: ["keygate user create ada --email ada@example.com"],
  },
  async ({ values, positionals }, io) => {
    const name = onePositional(positionals, "user name", "usage: keygate user create NAME [options]");
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
    printSaved(io, format, doc);
    return 0;
  },
);

const list = defineVerb(
  {
    command: "keygate user list",
    synopsis: "",
    summary: "List users.",
    options: CONNECTION_OPTIONS,
    examples: ["keygate user list --json"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate user list");
    const { client, format } = connect(values, io);
    printResources(
      io,
      format,
      await client.all(`/organizations/${await client.organization()}/users`),
      COLUMNS,
    );
    return 0;
  },
);

const names = { command: "user", what: "user", collection: "/users", example: "usr-18aa" };

/** Runs `keygate user ...`. */
export function userCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb("user", { create, list, show: showVerb(names), delete: deleteVerb(names) }, argv, io);
}
