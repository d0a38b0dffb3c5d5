// CLI, resource commands: `keygate sa create|list|show|disable|enable|delete` (service accounts).
import type { CliIo } from "../client/cli-io.js";
import { CONNECTION_OPTIONS, connect } from "../client/connection-options.js";
import { attr, ID, printResources, printSaved, rel } from "../output/result-printer.js";
import { deleteVerb, showVerb } from "./id-verbs.js";
import { defineVerb, noPositionals, onePositional, runVerb, type Verb } from "./subcommands.js";

const COLUMNS = [ID, attr("name"), rel("space"), attr("disabled"), attr("created-at", "CREATED")];

const create = defineVerb(
  {
    command: "keygate sa create",
    synopsis: "NAME [--space SPACE_ID] [--description TEXT] [--role ROLE]...",
    summary:
      "Create a service account, with its roles bound in its space in the same transaction (nothing is left behind when a role is refused).",
    options: {
      ...CONNECTION_OPTIONS,
      space: {
        type: "string",
        value: "SPACE_ID",
        description: "the space it lives in (default: the root space)",
      },
      description: { type: "string", value: "TEXT", description: "what it is for" },
      role: {
        type: "string",
        multiple: true,
        value: "ROLE",
        description: "a role to bind to it in its space",
      },
    },
    examples: [
      "keygate sa create ci-pipeline --role token-manager",
      "keygate sa create deployer --space spc-7a1e --json",
    ],
  },
  async ({ values, positionals }, io) => {
    const name = onePositional(
      positionals,
      "service account name",
      "usage: keygate sa create NAME [options]",
    );
    const { client, format } = connect(values, io);
    const org = await client.organization();
    const roles = values.role ?? [];
    const doc = await client.request("POST", `/organizations/${org}/service-accounts`, {
      data: {
        type: "service-accounts",
        attributes: { name, ...(values.description ? { description: values.description } : {}) },
        relationships: {
          ...(values.space ? { space: { data: { id: values.space, type: "spaces" } } } : {}),
          ...(roles.length > 0 ? { roles: { data: roles.map((id) => ({ id, type: "roles" })) } } : {}),
        },
      },
    });
    printSaved(io, format, doc);
    return 0;
  },
);

const list = defineVerb(
  {
    command: "keygate sa list",
    synopsis: "[--space SPACE_ID]",
    summary: "List service accounts.",
    options: {
      ...CONNECTION_OPTIONS,
      space: { type: "string", value: "SPACE_ID", description: "only those in this space" },
    },
    examples: ["keygate sa list --space spc-7a1e"],
  },
  async ({ values, positionals }, io) => {
    noPositionals(positionals, "usage: keygate sa list [--space SPACE_ID]");
    const { client, format } = connect(values, io);
    const org = await client.organization();
    const filter = values.space ? `?filter[space]=${encodeURIComponent(values.space)}` : "";
    printResources(io, format, await client.all(`/organizations/${org}/service-accounts${filter}`), COLUMNS);
    return 0;
  },
);

/** `sa disable` and `sa enable`: set `disabled`. */
function switchVerb(disabled: boolean): Verb {
  const verb = disabled ? "disable" : "enable";
  return defineVerb(
    {
      command: `keygate sa ${verb}`,
      synopsis: "SERVICE_ACCOUNT_ID",
      summary: disabled
        ? "Disable a service account: its tokens stop authenticating at once, on every instance."
        : "Enable a disabled service account: its live tokens work again.",
      options: CONNECTION_OPTIONS,
      examples: [`keygate sa ${verb} sa-5d0c`],
    },
    async ({ values, positionals }, io) => {
      const id = onePositional(
        positionals,
        "service account id",
        `usage: keygate sa ${verb} SERVICE_ACCOUNT_ID`,
      );
      const { client, format } = connect(values, io);
      const doc = await client.request("PATCH", `/service-accounts/${encodeURIComponent(id)}`, {
        data: { type: "service-accounts", attributes: { disabled } },
      });
      printSaved(io, format, doc);
      return 0;
    },
  );
}

const names = {
  command: "sa",
  what: "service account",
  collection: "/service-accounts",
  example: "sa-5d0c",
  deleteNote: "Its API keys and tokens go with it.",
};

/** Runs `keygate sa ...`. */
export function saCommand(argv: string[], io: CliIo): Promise<number> {
  return runVerb(
    "sa",
    {
      create,
      list,
      show: showVerb(names),
      disable: switchVerb(true),
      enable: switchVerb(false),
      delete: deleteVerb(names),
    },
    argv,
    io,
  );
}
